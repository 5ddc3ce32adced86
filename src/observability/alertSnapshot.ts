/**
 * What the alert rules look at, read from the sources of truth: `llm_calls` (agent success, cost, slow
 * calls) and `circuit_breaker_events` (trips), through src/store/alertRuleFigures.ts, and, when a client is
 * given, Temporal visibility (runs closed in the window, by pipeline and status).
 */
import type { Client } from '@temporalio/client';
import type { PoolClient } from 'pg';
import { readAlertRuleFigures, type AlertRuleFigures } from '../store/alertRuleFigures';
import type { Db } from '../store/db';

export interface RuleSnapshot {
  successRates: { scope: 'agent' | 'pipeline'; name: string; total: number; ok: number }[];
  /** Spend in the window; baseline = average spend per window over the previous windows (undefined: no history). */
  cost: AlertRuleFigures['cost'];
  slowSteps: { step: string; workflowId?: string; ms: number; running: boolean }[];
  breakerTrips: AlertRuleFigures['breakerTrips'];
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
  const f = await readAlertRuleFigures(s.db, { since, now: s.now, baselineSince, baselineWindows: s.baselineWindows, slowStepMs: s.slowStepMs });
  return {
    successRates: [
      ...f.agentOutcomes.map((r) => ({ scope: 'agent' as const, name: r.role, total: r.total, ok: r.ok })),
      ...(s.client ? await pipelineOutcomes(s.client, since, s.maxRuns ?? 2000) : []),
    ],
    cost: f.cost,
    slowSteps: f.slowCalls.map((r) => ({ step: `callModel:${r.role}`, ...(r.workflowId ? { workflowId: r.workflowId } : {}), ms: r.ms, running: false })),
    breakerTrips: f.breakerTrips,
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
