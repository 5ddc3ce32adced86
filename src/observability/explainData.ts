/**
 * Gathers what `explain` reads: the run's Temporal history, its `escalation` query (when a worker answers),
 * and its rows in Postgres — llm_calls, fingerprints it created, breaker events it caused or that fell in
 * its lifetime for the steps it used, alerts, and the audit log of people acting on it.
 */
import type { Client } from '@temporalio/client';
import type { Db } from '../store/db';
import { explainRun, noRecords, type ExplainRecords, type Explanation } from './explain';
import { readTimeline, type Timeline } from './explainHistory';
import { escalationQuery } from '../contracts/messages';

const isoOf = (d: Date | string | null) => (d instanceof Date ? d.toISOString() : d);

export async function loadRecords(db: Db, workflowId: string, t: Timeline): Promise<ExplainRecords> {
  const records = noRecords();
  const from = new Date(t.startedAt - 1000);
  const to = new Date((t.closedAt ?? Date.now()) + 1000);
  const fingerprintKeys = t.steps.flatMap((s) => (s.kind === 'activity' ? [(s.result as { fingerprint?: unknown } | undefined)?.fingerprint] : [])).filter((k): k is string => typeof k === 'string');

  const llm = await db.query(
    `SELECT at, activity_id, attempt, repair, agent_role, model, outcome, input_tokens, output_tokens, cost_usd::float8 AS cost, latency_ms, error
       FROM llm_calls WHERE workflow_id = $1 ORDER BY id`,
    [workflowId],
  );
  records.llmCalls = llm.rows.map((r) => ({
    at: isoOf(r.at)!, activityId: r.activity_id, attempt: r.attempt, repair: r.repair, role: r.agent_role, model: r.model, outcome: r.outcome,
    inputTokens: r.input_tokens, outputTokens: r.output_tokens, costUsd: Number(r.cost), latencyMs: r.latency_ms, error: r.error,
  }));
  const fp = await db.query(
    'SELECT key, status, confirmation, received_at, submitted_at, post_count, last_error FROM fingerprints WHERE created_by = $1 OR key = ANY($2::text[]) ORDER BY created_at',
    [workflowId, fingerprintKeys],
  );
  records.fingerprints = fp.rows.map((r) => ({
    key: r.key, status: r.status, confirmation: r.confirmation, portalReceivedAt: isoOf(r.received_at), submittedAt: isoOf(r.submitted_at), postCount: r.post_count, lastError: r.last_error,
  }));
  // Events this run caused, and openings/clearings of the same breakers during its lifetime (another run may have tripped it).
  const ev = await db.query(
    `SELECT at, pipeline, step, kind, actor, workflow_id, detail FROM circuit_breaker_events
      WHERE workflow_id = $1
         OR (kind IN ('opened', 'cleared') AND at BETWEEN $2 AND $3
             AND (pipeline, step) IN (SELECT pipeline, step FROM circuit_breaker_events WHERE workflow_id = $1))
      ORDER BY at, id`,
    [workflowId, from, to],
  );
  records.breakerEvents = ev.rows.map((r) => ({ at: isoOf(r.at)!, pipeline: r.pipeline, step: r.step, kind: r.kind, actor: r.actor, workflowId: r.workflow_id, detail: r.detail ?? {} }));
  const al = await db.query('SELECT at, title, suppressed FROM alerts WHERE workflow_id = $1 ORDER BY at', [workflowId]);
  records.alerts = al.rows.map((r) => ({ at: isoOf(r.at)!, title: r.title, suppressed: r.suppressed }));
  const au = await db.query('SELECT at, actor, action, accepted, detail FROM audit_log WHERE target = $1 ORDER BY at', [workflowId]);
  records.audit = au.rows.map((r) => ({ at: isoOf(r.at)!, actor: r.actor, action: r.action, accepted: r.accepted, detail: r.detail ?? {} }));
  return records;
}

export interface ExplainSources {
  client: Client;
  db?: Db;
  link?: (workflowId: string, runId?: string) => string;
  queryTimeoutMs?: number;
}

export async function explainWorkflow(s: ExplainSources, workflowId: string, runId?: string): Promise<Explanation> {
  const handle = s.client.workflow.getHandle(workflowId, runId);
  const history = await handle.fetchHistory();
  const timeline = readTimeline(history);
  const escalation = await s.client.connection
    .withDeadline(Date.now() + (s.queryTimeoutMs ?? 5000), () => handle.query(escalationQuery))
    .catch(() => undefined);
  const records = s.db ? await loadRecords(s.db, workflowId, timeline) : noRecords();
  return explainRun({ workflowId, runId, timeline, records, escalation, link: s.link?.(workflowId, runId) });
}
