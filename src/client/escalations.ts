/**
 * Client helpers for the human gate, for users' code, the CLI and the inbox: validate a resolution, send it
 * through the `resolve` Update, read a run's escalation. Bad input is an InvalidInputError (exit 2 in the
 * CLI) and nothing is sent.
 */
import { WorkflowUpdateFailedError, type Client } from '@temporalio/client';
import { escalationQuery, resolveUpdate, type ResolveAccepted } from '../contracts/messages';
import { resolutionSchema, type EscalationState, type Resolution } from '../contracts/resolution';
import { InvalidInputError } from '../errors';

/** `path: message` for each zod issue: what every InvalidInputError lists. */
export const describeIssues = (issues: readonly { path: PropertyKey[]; message: string }[]): string[] =>
  issues.map((i) => `${i.path.map(String).join('.') || 'input'}: ${i.message}`);

/** Validates a resolution; throws InvalidInputError. */
export function validateResolution(resolution: unknown): Resolution {
  const parsed = resolutionSchema.safeParse(resolution);
  if (!parsed.success) {
    const issues = describeIssues(parsed.error.issues);
    throw new InvalidInputError(`Invalid resolution: ${issues.join('; ')}`, issues);
  }
  return parsed.data;
}

/**
 * Resolves the open escalation of a workflow through the validated `resolve` Update. A payload the workflow
 * refuses (no escalation open, a decision not allowed there) changes nothing and throws InvalidInputError.
 */
export async function resolveEscalation(client: Client, workflowId: string, resolution: Resolution): Promise<ResolveAccepted> {
  const valid = validateResolution(resolution);
  try {
    return await client.workflow.getHandle(workflowId).executeUpdate(resolveUpdate, { args: [valid] });
  } catch (e) {
    if (e instanceof WorkflowUpdateFailedError) {
      const why = (e.cause as Error | undefined)?.message ?? e.message;
      throw new InvalidInputError(`Workflow ${workflowId} refused the resolution: ${why}`, [why]);
    }
    throw e;
  }
}

/** Runs `fn` with a deadline: queries wait for a worker, and a CLI must not hang when there is none. */
export const withinMs = <T>(client: Client, ms: number, fn: () => Promise<T>): Promise<T> => client.connection.withDeadline(Date.now() + ms, fn);

export async function getEscalationState(client: Client, workflowId: string, timeoutMs = 5000): Promise<EscalationState> {
  return withinMs(client, timeoutMs, () => client.workflow.getHandle(workflowId).query(escalationQuery));
}
