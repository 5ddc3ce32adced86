/**
 * `breakwater eval capture`: a recorded run's accepted model calls (llm_calls, outcome ok) as eval cases.
 *
 * The prompt is the row's `request_messages` — redacted when it was recorded, and kept so: a case file never
 * holds more than llm_calls does. An answer accepted after repair rounds was recorded with the rounds'
 * messages appended (the rejected answer and the validation error); the case keeps the original prompt.
 * llm_calls does not hold the JSON Schema or the tools offered: they come from the callModel activity's
 * input in the run's Temporal history (the agent runner sends them), else from a schema registered by
 * name in this process (a team's own CLI that imports its schemas). A case with neither is refused.
 */
import type { Client } from '@temporalio/client';
import { callModelInputSchema, type CallModelInput } from '../contracts/agentCall';
import { agentJsonSchema, getAgentSchema } from '../contracts/agentSchemas';
import { decimalToNano, nanoToDecimal } from '../deterministic/budget';
import { InvalidInputError, NotFoundError } from '../errors';
import { decodeHistory } from '../codec/decodeHistory';
import { readTimeline } from '../observability/explainHistory';
import type { Queryable } from '../store/db';
import { recordedCalls, type RecordedCallRow } from '../store/llmCalls';
import { valueAt, MISSING } from './assertions';
import { evalFileSchema, type EvalFile, type EvalFileInput } from './caseFile';

export interface CaptureOptions {
  role?: string;
  /** Answer paths every case must keep equal to its baseline (`expect` entries with `baseline: true`). */
  expect?: readonly string[];
  description?: string;
}

/** The callModel inputs of a run's activities, by `${runId} ${activityId}` (history payloads decoded). */
export type RecordedInputs = ReadonlyMap<string, CallModelInput>;
const inputKey = (runId: string | null, activityId: string | null): string => `${runId ?? ''} ${activityId ?? ''}`;

/**
 * Reads the callModel inputs of each run from Temporal: one history fetch per run id. A run whose history
 * cannot be read (past retention, another namespace) is noted, not fatal: registered schemas may still do.
 */
export async function recordedInputs(client: Client, workflowId: string, runIds: readonly string[]): Promise<{ inputs: Map<string, CallModelInput>; problems: string[] }> {
  const inputs = new Map<string, CallModelInput>();
  const problems: string[] = [];
  for (const runId of runIds) {
    let history;
    try {
      history = await decodeHistory(client, await client.workflow.getHandle(workflowId, runId).fetchHistory());
    } catch (e) {
      problems.push(`run ${runId}: ${(e as Error).message}`);
      continue;
    }
    for (const step of readTimeline(history).steps) {
      if (step.kind !== 'activity' || step.name !== 'callModel') continue;
      const parsed = callModelInputSchema.safeParse(step.input[0]);
      if (parsed.success) inputs.set(inputKey(runId, step.activityId), parsed.data);
    }
  }
  return { inputs, problems };
}

/** The accepted calls' run ids (to read their histories). */
export const acceptedRunIds = (rows: readonly RecordedCallRow[]): string[] => [...new Set(rows.filter((r) => r.outcome === 'ok' && r.run_id).map((r) => r.run_id!))];

/** The case file for a run's rows. Pure. */
export function casesFromCalls(workflowId: string, rows: readonly RecordedCallRow[], inputs: RecordedInputs, o: CaptureOptions = {}): EvalFile {
  const accepted = rows.filter((r) => r.outcome === 'ok');
  if (accepted.length === 0) {
    throw new NotFoundError(`no accepted model calls (llm_calls outcome ok) recorded for '${workflowId}'${o.role ? ` with role '${o.role}'` : ''}`);
  }
  const perRole = new Map<string, number>();
  const unknownSchemas = new Set<string>();
  const cases = accepted.map((ok) => {
    const recorded = Array.isArray(ok.request_messages) ? (ok.request_messages as CallModelInput['messages']) : [];
    // Each repair round appended two messages (the rejected answer, the validation error) to the prompt.
    const messages = recorded.slice(0, Math.max(0, recorded.length - 2 * ok.repair));
    if (messages.length === 0) {
      throw new InvalidInputError(`llm_calls row ${ok.id} of '${workflowId}' holds no prompt: it was recorded with BREAKWATER_LLM_CONTENT=omit, so there is nothing to replay`);
    }
    const input = inputs.get(inputKey(ok.run_id, ok.activity_id));
    const registered = getAgentSchema(ok.schema_name);
    const jsonSchema = input?.jsonSchema ?? (registered ? agentJsonSchema(registered) : undefined);
    if (!jsonSchema) unknownSchemas.add(ok.schema_name);
    // The rounds that led to this answer: its own request and the repair rounds before it, in this attempt.
    const rounds = rows.filter((r) => r.run_id === ok.run_id && r.activity_id === ok.activity_id && r.attempt === ok.attempt && r.repair <= ok.repair && Number(r.id) <= Number(ok.id));
    const n = (perRole.get(ok.agent_role) ?? 0) + 1;
    perRole.set(ok.agent_role, n);
    const expect = (o.expect ?? []).filter((p) => valueAt(ok.response_output, p) !== MISSING).map((path) => ({ path, baseline: true as const }));
    return {
      name: `${ok.agent_role}-${n}`,
      role: ok.agent_role,
      schema: ok.schema_name,
      jsonSchema: jsonSchema ?? {},
      messages,
      ...(input?.tools?.length ? { tools: input.tools } : {}),
      ...(input?.temperature !== undefined ? { temperature: input.temperature } : {}),
      ...(input?.maxRepairs !== undefined ? { maxRepairs: input.maxRepairs } : {}),
      expect,
      baseline: {
        output: ok.response_output as EvalFileInput['cases'][number]['baseline']['output'],
        model: ok.model,
        responseModel: ok.response_model,
        inputTokens: rounds.reduce((s, r) => s + r.input_tokens, 0),
        outputTokens: rounds.reduce((s, r) => s + r.output_tokens, 0),
        costUsd: nanoToDecimal(rounds.reduce((s, r) => s + decimalToNano(r.cost_usd), 0)),
        costEstimated: rounds.some((r) => r.cost_estimated),
        latencyMs: ok.latency_ms,
        repairs: ok.repair,
      },
      source: { workflowId, runId: ok.run_id, activityId: ok.activity_id, attempt: ok.attempt, callId: ok.id },
    };
  });
  if (unknownSchemas.size > 0) {
    throw new InvalidInputError(
      `the JSON Schema of ${[...unknownSchemas].map((s) => `'${s}'`).join(', ')} is neither in the run's history (Temporal unreachable, or the run is past retention) nor registered in this process: capture while the history is kept, or from a CLI that imports the schemas (main(argv, { commands }))`,
    );
  }
  const file: EvalFileInput = { breakwaterEval: 1, ...(o.description ? { description: o.description } : {}), cases };
  // What is written is what `eval run` reads (a bad --expect path is refused here).
  const parsed = evalFileSchema.safeParse(file);
  if (!parsed.success) throw new InvalidInputError(`cannot write these cases: ${parsed.error.issues.slice(0, 5).map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
  return parsed.data;
}

/** `historyProblems`: why the history was not read (no Temporal client), or which runs' histories could not be. */
export async function captureRun(db: Queryable, client: Client | undefined, workflowId: string, o: CaptureOptions & { noClient?: string } = {}): Promise<{ file: EvalFile; historyProblems: string[] }> {
  const rows = await recordedCalls(db, workflowId, o.role);
  const runIds = acceptedRunIds(rows);
  const read = client && runIds.length > 0 ? await recordedInputs(client, workflowId, runIds) : { inputs: new Map<string, CallModelInput>(), problems: client ? [] : [o.noClient ?? 'no Temporal client'] };
  try {
    return { file: casesFromCalls(workflowId, rows, read.inputs, o), historyProblems: read.problems };
  } catch (e) {
    if (e instanceof InvalidInputError && read.problems.length > 0) throw new InvalidInputError(`${e.message} (history: ${read.problems.join('; ')})`);
    throw e;
  }
}
