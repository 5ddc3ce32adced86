/**
 * What the alert rules look at, read from the sources of truth: `llm_calls` (agent success, cost, slow
 * calls), `circuit_breaker_events` (trips) and, when a client is given, Temporal visibility (runs closed in
 * the window, by pipeline and status).
 */
import type { Client } from '@temporalio/client';
import type { PoolClient } from 'pg';
import type { FailureContext } from '../contracts/resolution';
import type { Db } from '../store/db';

export interface RuleSnapshot {
  successRates: { scope: 'agent' | 'pipeline'; name: string; total: number; ok: number }[];
  /** Spend in the window; baseline = average spend per window over the previous windows (undefined: no history). */
  cost: { windowUsd: number; baselineUsd: number | undefined };
  slowSteps: { step: string; workflowId?: string; ms: number; running: boolean }[];
  breakerTrips: { pipeline: string; step: string; at: string; workflowId?: string; firstFailure?: FailureContext }[];
}

export interface SnapshotSource {
  db: Db | PoolClient;
  client?: Client;
  now: Date;
  windowMs: number;
  baselineWindows: number;
  slowStepMs: number;
  /** Cap on closed runs read from visibility per evaluation. */
  maxRuns?: number;
}

export async function collectRuleSnapshot(s: SnapshotSource): Promise<RuleSnapshot> {
  const since = new Date(s.now.getTime() - s.windowMs);
  const baselineSince = new Date(since.getTime() - s.baselineWindows * s.windowMs);

  const agents = await s.db.query<{ role: string; total: string; ok: string }>(
    `SELECT agent_role AS role, count(*) AS total, count(*) FILTER (WHERE outcome IN ('ok', 'cache-hit')) AS ok
       FROM llm_calls WHERE at > $1 AND at <= $2 GROUP BY agent_role`,
    [since, s.now],
  );
  const cost = await s.db.query<{ win: string; base: string; history: boolean }>(
    `SELECT coalesce(sum(cost_usd) FILTER (WHERE at > $1), 0) AS win,
            coalesce(sum(cost_usd) FILTER (WHERE at <= $1), 0) AS base,
            count(*) FILTER (WHERE at <= $1) > 0 AS history
       FROM llm_calls WHERE at > $2 AND at <= $3`,
    [since, baselineSince, s.now],
  );
  const slow = await s.db.query<{ role: string; workflow_id: string | null; latency_ms: number }>(
    'SELECT agent_role AS role, workflow_id, latency_ms FROM llm_calls WHERE at > $1 AND at <= $2 AND latency_ms > $3 ORDER BY latency_ms DESC LIMIT 50',
    [since, s.now, s.slowStepMs],
  );
  const trips = await s.db.query<{ pipeline: string; step: string; at: Date; workflow_id: string | null; first_failure: FailureContext | null }>(
    `SELECT e.pipeline, e.step, e.at, e.workflow_id, b.first_failure
       FROM circuit_breaker_events e LEFT JOIN circuit_breakers b USING (pipeline, step)
      WHERE e.kind = 'opened' AND e.at > $1 AND e.at <= $2 ORDER BY e.at`,
    [since, s.now],
  );

  const c = cost.rows[0];
  return {
    successRates: [
      ...agents.rows.map((r) => ({ scope: 'agent' as const, name: r.role, total: Number(r.total), ok: Number(r.ok) })),
      ...(s.client ? await pipelineOutcomes(s.client, since, s.maxRuns ?? 2000) : []),
    ],
    cost: { windowUsd: Number(c?.win ?? 0), baselineUsd: c?.history ? Number(c.base) / s.baselineWindows : undefined },
    slowSteps: slow.rows.map((r) => ({ step: `callModel:${r.role}`, ...(r.workflow_id ? { workflowId: r.workflow_id } : {}), ms: r.latency_ms, running: false })),
    breakerTrips: trips.rows.map((r) => ({
      pipeline: r.pipeline,
      step: r.step,
      at: r.at.toISOString(),
      ...(r.workflow_id ? { workflowId: r.workflow_id } : {}),
      ...(r.first_failure ? { firstFailure: r.first_failure } : {}),
    })),
  };
}

/** Runs of Breakwater pipelines that closed in the window: Completed counts as success. */
async function pipelineOutcomes(client: Client, since: Date, maxRuns: number): Promise<RuleSnapshot['successRates']> {
  const by = new Map<string, { total: number; ok: number }>();
  let n = 0;
  for await (const wf of client.workflow.list({ query: `CloseTime > "${since.toISOString()}" AND BreakwaterPipeline IS NOT NULL` })) {
    const pipeline = String(wf.searchAttributes.BreakwaterPipeline?.[0] ?? wf.type);
    const row = by.get(pipeline) ?? { total: 0, ok: 0 };
    row.total++;
    if (wf.status.name === 'COMPLETED' && wf.searchAttributes.BreakwaterStatus?.[0] !== 'Failed') row.ok++;
    by.set(pipeline, row);
    if (++n >= maxRuns) break;
  }
  return [...by].map(([name, r]) => ({ scope: 'pipeline' as const, name, ...r }));
}
