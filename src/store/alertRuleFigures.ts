/**
 * What the alert rules read from Postgres over a window: agent success and cost from `llm_calls`, slow
 * agent calls, and breaker trips from `circuit_breaker_events`; and the advisory lock that makes one replica
 * evaluate the shared rules per tick. The rules themselves are src/observability/alertRules.ts.
 */
import type { PoolClient } from 'pg';
import type { FailureContext } from '../contracts/resolution';
import { inTransaction, type Db, type Queryable } from './db';

export interface RuleWindow {
  /** The window is (since, now]; the cost baseline is the `baselineWindows` windows before it. */
  since: Date;
  now: Date;
  baselineSince: Date;
  baselineWindows: number;
  slowStepMs: number;
}

export interface AlertRuleFigures {
  agentOutcomes: { role: string; total: number; ok: number }[];
  /** Spend in the window; baseline = average spend per window over the previous windows (undefined: no history). */
  cost: { windowUsd: number; baselineUsd: number | undefined };
  slowCalls: { role: string; workflowId?: string; ms: number }[];
  breakerTrips: { pipeline: string; step: string; at: string; workflowId?: string; firstFailure?: FailureContext }[];
}

export async function readAlertRuleFigures(db: Queryable, w: RuleWindow): Promise<AlertRuleFigures> {
  const agents = await db.query<{ role: string; total: string; ok: string }>(
    `SELECT agent_role AS role, count(*) AS total, count(*) FILTER (WHERE outcome IN ('ok', 'cache-hit')) AS ok
       FROM llm_calls WHERE at > $1 AND at <= $2 GROUP BY agent_role`,
    [w.since, w.now],
  );
  const cost = await db.query<{ win: string; base: string; history: boolean }>(
    `SELECT coalesce(sum(cost_usd) FILTER (WHERE at > $1), 0) AS win,
            coalesce(sum(cost_usd) FILTER (WHERE at <= $1), 0) AS base,
            count(*) FILTER (WHERE at <= $1) > 0 AS history
       FROM llm_calls WHERE at > $2 AND at <= $3`,
    [w.since, w.baselineSince, w.now],
  );
  const slow = await db.query<{ role: string; workflow_id: string | null; latency_ms: number }>(
    'SELECT agent_role AS role, workflow_id, latency_ms FROM llm_calls WHERE at > $1 AND at <= $2 AND latency_ms > $3 ORDER BY latency_ms DESC LIMIT 50',
    [w.since, w.now, w.slowStepMs],
  );
  const trips = await db.query<{ pipeline: string; step: string; at: Date; workflow_id: string | null; first_failure: FailureContext | null }>(
    `SELECT e.pipeline, e.step, e.at, e.workflow_id, b.first_failure
       FROM circuit_breaker_events e LEFT JOIN circuit_breakers b USING (pipeline, step)
      WHERE e.kind = 'opened' AND e.at > $1 AND e.at <= $2 ORDER BY e.at`,
    [w.since, w.now],
  );

  const c = cost.rows[0];
  return {
    agentOutcomes: agents.rows.map((r) => ({ role: r.role, total: Number(r.total), ok: Number(r.ok) })),
    cost: { windowUsd: Number(c?.win ?? 0), baselineUsd: c?.history ? Number(c.base) / w.baselineWindows : undefined },
    slowCalls: slow.rows.map((r) => ({ role: r.role, ...(r.workflow_id ? { workflowId: r.workflow_id } : {}), ms: r.latency_ms })),
    breakerTrips: trips.rows.map((r) => ({
      pipeline: r.pipeline,
      step: r.step,
      at: r.at.toISOString(),
      ...(r.workflow_id ? { workflowId: r.workflow_id } : {}),
      ...(r.first_failure ? { firstFailure: r.first_failure } : {}),
    })),
  };
}

/**
 * Runs `fn` in a transaction holding the alert rules' advisory lock, or returns undefined at once when
 * another replica holds it (it evaluates this tick). The lock ends with the transaction.
 */
export async function withAlertRuleLock<T>(db: Db, fn: (tx: PoolClient) => Promise<T>): Promise<T | undefined> {
  return inTransaction(db, async (tx) => {
    const { rows } = await tx.query<{ locked: boolean }>("SELECT pg_try_advisory_xact_lock(hashtext('breakwater.alert-rules')) AS locked");
    if (!rows[0]?.locked) return undefined;
    return fn(tx);
  });
}
