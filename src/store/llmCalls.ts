/**
 * `llm_calls`: one row per request (and per cache hit or daily-cap refusal), with secrets redacted from
 * messages, answers and errors. When the request held a daily-cap reservation, the same statement settles
 * it, so the ledger and the record never disagree. `llmCallRows` reads a run's rows back (the test kits).
 */
import { redactText, redactValue } from '../redact';
import { decimalToNano, nanoToDecimal, type TokenPrice } from '../deterministic/budget';
import type { DailyCap, Reservation } from './dailySpend';
import type { Db, Queryable } from './db';

export interface CallContext {
  workflowId: string | null;
  runId: string | null;
  activityId: string | null;
  attempt: number;
}

export type CallOutcome = 'ok' | 'invalid-output' | 'http-error' | 'network-error' | 'cache-hit' | 'refused-daily-cap' | 'refused-run-budget' | 'tool-calls';

export interface CallRecord {
  ctx: CallContext;
  repair: number;
  role: string;
  model: string;
  responseModel?: string;
  schemaName: string;
  outcome: CallOutcome;
  httpStatus?: number;
  messages: unknown;
  content?: string;
  output?: unknown;
  inputTokens?: number;
  outputTokens?: number;
  price: TokenPrice;
  costNanoUsd: number;
  /** The cost is the worst-case estimate, not billed usage: the outcome is unknown (timeout, lost response). */
  costEstimated?: boolean;
  /** The call cost more than it reserved, or produced more than the token limit (the endpoint ignored it). */
  overReservation?: boolean;
  latencyMs?: number;
  error?: string;
  providerRequestId?: string;
}

const COLUMNS = [
  'workflow_id', 'run_id', 'activity_id', 'attempt', 'repair', 'agent_role', 'model', 'response_model', 'schema_name', 'outcome',
  'cache_hit', 'http_status', 'request_messages', 'response_content', 'response_output', 'input_tokens', 'output_tokens',
  'input_usd_per_m', 'output_usd_per_m', 'cost_usd', 'latency_ms', 'error', 'provider_request_id', 'cost_estimated', 'over_reservation',
];

export interface CallRecorderOptions {
  /**
   * BREAKWATER_LLM_CONTENT: `keep` (default) stores the prompts and answers, redacted, for explain and the
   * run viewer; `omit` keeps them out of Postgres (the row keeps role, model, tokens, cost, outcome, error).
   */
  content?: 'keep' | 'omit';
}

export function createCallRecorder(db: Db, cap: DailyCap, o: CallRecorderOptions = {}) {
  const keep = o.content !== 'omit';
  return {
    async record(r: CallRecord, reservation?: Reservation): Promise<number> {
      const values: unknown[] = [
        r.ctx.workflowId, r.ctx.runId, r.ctx.activityId, r.ctx.attempt, r.repair, r.role, r.model, r.responseModel ?? null,
        r.schemaName, r.outcome, r.outcome === 'cache-hit', r.httpStatus ?? null,
        keep ? JSON.stringify(redactValue(r.messages)) : '[]',
        r.content === undefined || !keep ? null : redactText(r.content),
        r.output === undefined || !keep ? null : JSON.stringify(redactValue(r.output)),
        r.inputTokens ?? 0, r.outputTokens ?? 0,
        nanoToDecimal(r.price.inputNanoPerToken * 1_000_000), nanoToDecimal(r.price.outputNanoPerToken * 1_000_000),
        nanoToDecimal(r.costNanoUsd), r.latencyMs ?? null,
        r.error === undefined ? null : redactText(r.error).slice(0, 4000),
        r.providerRequestId ?? null, r.costEstimated ?? false, r.overReservation ?? false,
      ];
      const placeholders = COLUMNS.map((_, i) => `$${i + 1}`).join(',');
      const insert = `INSERT INTO llm_calls (${COLUMNS.join(',')}) VALUES (${placeholders}) RETURNING id`;
      if (!reservation) {
        const { rows } = await db.query<{ id: string }>(insert, values);
        return Number(rows[0]!.id);
      }
      const { rows } = await db.query<{ id: string }>(`WITH ${cap.settleSql(values.length + 1)} ${insert}`, [
        ...values,
        ...cap.settleParams(reservation, r.costNanoUsd),
      ]);
      return Number(rows[0]!.id);
    },

    /**
     * What the earlier attempts of this activity cost (billed or estimated): a retried call counts them, so
     * a timed-out attempt that the provider may have billed is charged to the run, not lost with the attempt.
     */
    async earlierAttemptsCost(ctx: CallContext): Promise<number> {
      if (!ctx.workflowId || !ctx.runId || !ctx.activityId || ctx.attempt <= 1) return 0;
      const { rows } = await db.query<{ cost: string }>(
        'SELECT COALESCE(sum(cost_usd), 0)::text AS cost FROM llm_calls WHERE workflow_id = $1 AND run_id = $2 AND activity_id = $3 AND attempt < $4',
        [ctx.workflowId, ctx.runId, ctx.activityId, ctx.attempt],
      );
      return decimalToNano(rows[0]!.cost);
    },
  };
}
export type CallRecorder = ReturnType<typeof createCallRecorder>;

// A row of `llm_calls` as the test kits assert on it (`cost_usd` as exact text); breakwater/testing publishes it.
export interface LlmCallRow {
  id: string;
  attempt: number;
  repair: number;
  agent_role: string;
  model: string;
  outcome: string;
  cache_hit: boolean;
  http_status: number | null;
  input_tokens: number;
  output_tokens: number;
  cost_usd: string;
  cost_estimated: boolean;
  over_reservation: boolean;
  at: Date;
  error: string | null;
}

/** A run's calls, in the order they were recorded. */
export async function llmCallRows(db: Queryable, workflowId: string): Promise<LlmCallRow[]> {
  const { rows } = await db.query<LlmCallRow>(
    'SELECT id, attempt, repair, agent_role, model, outcome, cache_hit, http_status, input_tokens, output_tokens, cost_usd::text, cost_estimated, over_reservation, at, error FROM llm_calls WHERE workflow_id = $1 ORDER BY id',
    [workflowId],
  );
  return rows;
}

/** A row of `llm_calls` with what `breakwater eval capture` turns into a case: the prompt and the answer. */
export interface RecordedCallRow {
  id: string;
  run_id: string | null;
  activity_id: string | null;
  attempt: number;
  repair: number;
  agent_role: string;
  model: string;
  response_model: string | null;
  schema_name: string;
  outcome: string;
  request_messages: unknown;
  response_output: unknown;
  input_tokens: number;
  output_tokens: number;
  cost_usd: string;
  cost_estimated: boolean;
  latency_ms: number | null;
}

/** Every call of a run (optionally of one role), in the order recorded: accepted answers and the rounds before them. */
export async function recordedCalls(db: Queryable, workflowId: string, role?: string): Promise<RecordedCallRow[]> {
  const { rows } = await db.query<RecordedCallRow>(
    `SELECT id, run_id, activity_id, attempt, repair, agent_role, model, response_model, schema_name, outcome, request_messages, response_output,
            input_tokens, output_tokens, cost_usd::text, cost_estimated, latency_ms
       FROM llm_calls WHERE workflow_id = $1 AND ($2::text IS NULL OR agent_role = $2) ORDER BY id`,
    [workflowId, role ?? null],
  );
  return rows;
}
