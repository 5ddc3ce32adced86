/**
 * Typed client helpers for the submit-and-verify pipeline and for human resolution, for users' own code
 * and for the CLI: input is validated before anything is sent, so bad input is an InvalidInputError
 * (exit 2 in the CLI) and nothing is half-started.
 */
import { WorkflowUpdateFailedError, type Client, type WorkflowHandleWithFirstExecutionRunId } from '@temporalio/client';
import { BreakwaterPipeline, BreakwaterStatus, PipelineStatus } from '../contracts/searchAttributes';
import { RESOLVE, resolutionSchema, type EscalationState, type Resolution } from '../contracts/resolution';
import { PROGRESS_QUERY, SUBMIT_AND_VERIFY, submitAndVerifyInputSchema, type SubmitAndVerifyInput, type SubmitAndVerifyProgress } from '../contracts/submitAndVerify';
import { defaultSubmitWorkflowId } from '../deterministic/fingerprintKey';
import { InvalidInputError } from '../errors';
import type { submitAndVerify } from '../workflows/submitAndVerify';

export interface StartSubmitOptions {
  taskQueue: string;
  /** Default: one id per fingerprint (`submitAndVerify:<record>:<entity>:<date>`). */
  workflowId?: string;
}

const describeIssues = (issues: readonly { path: PropertyKey[]; message: string }[]) => issues.map((i) => `${i.path.map(String).join('.') || 'input'}: ${i.message}`);

/** Validates a submitAndVerify input; throws InvalidInputError naming every problem. */
export function validateSubmitInput(input: unknown): SubmitAndVerifyInput {
  const parsed = submitAndVerifyInputSchema.safeParse(input);
  if (!parsed.success) {
    const issues = describeIssues(parsed.error.issues);
    throw new InvalidInputError(`Invalid submission: ${issues.join('; ')}`, issues);
  }
  return input as SubmitAndVerifyInput;
}

/**
 * Starts a submitAndVerify run. With the default workflow id, starting the same record again while a run
 * is in flight returns that run (USE_EXISTING); after it closed, a new run gets the fingerprint's cached
 * result and only verifies — either way the portal sees one submission.
 */
export async function startSubmitAndVerify(client: Client, input: SubmitAndVerifyInput, opts: StartSubmitOptions): Promise<WorkflowHandleWithFirstExecutionRunId<typeof submitAndVerify>> {
  const valid = validateSubmitInput(input);
  return client.workflow.start<typeof submitAndVerify>(SUBMIT_AND_VERIFY, {
    taskQueue: opts.taskQueue,
    workflowId: opts.workflowId ?? defaultSubmitWorkflowId(valid),
    args: [valid],
    workflowIdConflictPolicy: 'USE_EXISTING',
    typedSearchAttributes: [
      { key: BreakwaterPipeline, value: SUBMIT_AND_VERIFY },
      { key: BreakwaterStatus, value: PipelineStatus.Running },
    ],
  });
}

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
export async function resolveEscalation(client: Client, workflowId: string, resolution: Resolution): Promise<{ accepted: true; escalation: string }> {
  const valid = validateResolution(resolution);
  try {
    return await client.workflow.getHandle(workflowId).executeUpdate<{ accepted: true; escalation: string }, [Resolution]>(RESOLVE, { args: [valid] });
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
  return withinMs(client, timeoutMs, () => client.workflow.getHandle(workflowId).query<EscalationState>('escalation'));
}

export async function getSubmitAndVerifyProgress(client: Client, workflowId: string, timeoutMs = 5000): Promise<SubmitAndVerifyProgress> {
  return withinMs(client, timeoutMs, () => client.workflow.getHandle(workflowId).query<SubmitAndVerifyProgress>(PROGRESS_QUERY));
}
