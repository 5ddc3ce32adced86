/**
 * What the run viewer reads beyond `explain`'s records: each LLM call's messages and validated output, and
 * the cost figures (spend per pipeline per day, top runs, the daily cap's headroom). Read-only.
 */
import type { Queryable } from './db';
import type { RunLlmCall } from './runRecords';

/** A run's LLM call as `explain` reads it, with what the viewer shows besides. */
export interface LlmCallDetail extends RunLlmCall {
  id: string;
  schema: string;
  /** As stored: redacted before the row was written. */
  messages: unknown;
  output: unknown;
}

export async function llmCallDetails(db: Queryable, workflowId: string): Promise<LlmCallDetail[]> {
  const { rows } = await db.query(
    `SELECT id::text, at, activity_id, attempt, repair, agent_role, model, schema_name, outcome, input_tokens, output_tokens, cost_usd::float8 AS cost,
            latency_ms, error, request_messages, response_output
       FROM llm_calls WHERE workflow_id = $1 ORDER BY id LIMIT 500`,
    [workflowId],
  );
  return rows.map((r) => ({
    id: r.id, at: (r.at as Date).toISOString(), activityId: r.activity_id, attempt: r.attempt, repair: r.repair, role: r.agent_role, model: r.model, schema: r.schema_name,
    outcome: r.outcome, inputTokens: r.input_tokens, outputTokens: r.output_tokens, costUsd: Number(r.cost), latencyMs: r.latency_ms, error: r.error, messages: r.request_messages, output: r.response_output,
  }));
}

export interface CostFigures {
  /** Spend per pipeline (the workflow id's prefix is not a pipeline: grouped by the calls' workflow type where known) per UTC day. */
  perDay: { day: string; pipeline: string; calls: number; tokens: number; costUsd: number }[];
  topRuns: { workflowId: string; pipeline: string; calls: number; costUsd: number }[];
  days: { day: string; spentUsd: number; reservedUsd: number; capUsd: number | null; refusals: number }[];
}

/** `pipelineOf`: run_escalations and llm_calls carry no pipeline column for every run; the caller maps ids. */
export async function costFigures(db: Queryable, sinceDays: number): Promise<CostFigures> {
  const since = new Date(Date.now() - sinceDays * 86_400_000);
  const pipelineExpr = `COALESCE((SELECT e.pipeline FROM run_escalations e WHERE e.workflow_id = c.workflow_id AND e.pipeline IS NOT NULL LIMIT 1), regexp_replace(COALESCE(c.workflow_id, '?'), '-[^-]*$', ''))`;
  const perDay = await db.query(
    `SELECT to_char(date_trunc('day', c.at AT TIME ZONE 'UTC'), 'YYYY-MM-DD') AS day, ${pipelineExpr} AS pipeline, count(*)::int AS calls,
            sum(c.input_tokens + c.output_tokens)::int AS tokens, sum(c.cost_usd)::float8 AS cost
       FROM llm_calls c WHERE c.at >= $1 GROUP BY 1, 2 ORDER BY 1 DESC, cost DESC LIMIT 200`,
    [since],
  );
  const top = await db.query(
    `SELECT c.workflow_id, ${pipelineExpr} AS pipeline, count(*)::int AS calls, sum(c.cost_usd)::float8 AS cost
       FROM llm_calls c WHERE c.at >= $1 AND c.workflow_id IS NOT NULL GROUP BY c.workflow_id ORDER BY cost DESC LIMIT 20`,
    [since],
  );
  const days = await db.query(
    `SELECT to_char(day, 'YYYY-MM-DD') AS day, spent_usd::float8 AS spent, reserved_usd::float8 AS reserved, cap_usd::float8 AS cap, refusals
       FROM llm_daily_spend WHERE day >= $1::date ORDER BY day DESC`,
    [since],
  );
  return {
    perDay: perDay.rows.map((r) => ({ day: r.day, pipeline: r.pipeline, calls: r.calls, tokens: r.tokens ?? 0, costUsd: Number(r.cost) })),
    topRuns: top.rows.map((r) => ({ workflowId: r.workflow_id, pipeline: r.pipeline, calls: r.calls, costUsd: Number(r.cost) })),
    days: days.rows.map((r) => ({ day: r.day, spentUsd: Number(r.spent), reservedUsd: Number(r.reserved), capUsd: r.cap === null ? null : Number(r.cap), refusals: r.refusals })),
  };
}
