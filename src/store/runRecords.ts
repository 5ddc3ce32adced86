/**
 * What Postgres holds about one run, for `breakwater explain`: its llm_calls, the fingerprints it created or
 * whose keys its steps returned, the breaker events it caused or that fell in its lifetime for the steps it
 * used, its alerts, and the audit log of people acting on it.
 */
import { loadActivityFailures, type ActivityFailure } from './activityFailures';
import type { Queryable } from './db';
import { listRunEscalations, type RunEscalation } from './runEscalations';

export interface RunLlmCall {
  at: string;
  activityId: string | null;
  attempt: number;
  repair: number;
  role: string;
  model: string;
  outcome: string;
  inputTokens: number;
  outputTokens: number;
  costUsd: number;
  latencyMs: number | null;
  error: string | null;
}

export interface RunToolCall {
  at: string;
  activityId: string | null;
  attempt: number;
  role: string;
  turn: number;
  tool: string;
  effect: string | null;
  status: string;
  reason: string | null;
  latencyMs: number | null;
  resultBytes: number | null;
  approvedBy: string | null;
  error: string | null;
}

export interface RunFingerprint {
  key: string;
  status: string;
  confirmation: string | null;
  portalReceivedAt: string | null;
  submittedAt: string | null;
  postCount: number;
  lastError: string | null;
}

export interface RunBreakerEvent {
  at: string;
  pipeline: string;
  step: string;
  kind: string;
  actor: string | null;
  workflowId: string | null;
  detail: Record<string, unknown>;
}

export interface RunRecords {
  llmCalls: RunLlmCall[];
  fingerprints: RunFingerprint[];
  breakerEvents: RunBreakerEvent[];
  alerts: { at: string; title: string; suppressed: boolean }[];
  audit: { at: string; actor: string; action: string; accepted: boolean; detail: Record<string, unknown> }[];
  /** Every failed activity attempt, in order (the interceptor's record: the true first error of a step). */
  attemptFailures: ActivityFailure[];
  /** Broker tickets of the run's rate-limited calls: how long each attempt queued for its slot, by design. */
  /** The run's escalations as the human gate recorded them (runs started before that record have none). */
  escalations: RunEscalation[];
  /** Agents' tool calls in order: run, cached (a write's fingerprint) or refused, with why. */
  toolCalls: RunToolCall[];
  brokerCalls: { activityId: string | null; attempt: number | null; api: string; queuedMs: number; outcome: string }[];
}

export interface RunScope {
  workflowId: string;
  /** The run's lifetime (with a margin): breaker openings and clearings in it are the run's story too. */
  from: Date;
  to: Date;
  /** Fingerprint keys the run's steps returned (a fingerprint another run created may be this run's too). */
  fingerprintKeys: string[];
}

const isoOf = (d: Date | string | null) => (d instanceof Date ? d.toISOString() : d);

export async function loadRunRecords(db: Queryable, run: RunScope): Promise<RunRecords> {
  const { workflowId, from, to, fingerprintKeys } = run;
  const llm = await db.query(
    `SELECT at, activity_id, attempt, repair, agent_role, model, outcome, input_tokens, output_tokens, cost_usd::float8 AS cost, latency_ms, error
       FROM llm_calls WHERE workflow_id = $1 ORDER BY id`,
    [workflowId],
  );
  const llmCalls = llm.rows.map((r) => ({
    at: isoOf(r.at)!, activityId: r.activity_id, attempt: r.attempt, repair: r.repair, role: r.agent_role, model: r.model, outcome: r.outcome,
    inputTokens: r.input_tokens, outputTokens: r.output_tokens, costUsd: Number(r.cost), latencyMs: r.latency_ms, error: r.error,
  }));
  const fp = await db.query(
    'SELECT key, status, confirmation, received_at, submitted_at, post_count, last_error FROM fingerprints WHERE created_by = $1 OR key = ANY($2::text[]) ORDER BY created_at',
    [workflowId, fingerprintKeys],
  );
  const fingerprints = fp.rows.map((r) => ({
    key: r.key, status: r.status, confirmation: r.confirmation, portalReceivedAt: isoOf(r.received_at), submittedAt: isoOf(r.submitted_at), postCount: r.post_count, lastError: r.last_error,
  }));
  // Events this run caused, and openings/clearings of the same breakers during its lifetime (another run may have tripped it).
  const ev = await db.query(
    `SELECT at, pipeline, step, kind, actor, workflow_id, detail FROM circuit_breaker_events
      WHERE workflow_id = $1
         OR (kind IN ('opened', 'reopened', 'cleared') AND at BETWEEN $2 AND $3
             AND (pipeline, step) IN (SELECT pipeline, step FROM circuit_breaker_events WHERE workflow_id = $1))
      ORDER BY at, id`,
    [workflowId, from, to],
  );
  const breakerEvents = ev.rows.map((r) => ({ at: isoOf(r.at)!, pipeline: r.pipeline, step: r.step, kind: r.kind, actor: r.actor, workflowId: r.workflow_id, detail: r.detail ?? {} }));
  const al = await db.query('SELECT at, title, suppressed FROM alerts WHERE workflow_id = $1 ORDER BY at', [workflowId]);
  const alerts = al.rows.map((r) => ({ at: isoOf(r.at)!, title: r.title, suppressed: r.suppressed }));
  const au = await db.query('SELECT at, actor, action, accepted, detail FROM audit_log WHERE target = $1 ORDER BY at', [workflowId]);
  const audit = au.rows.map((r) => ({ at: isoOf(r.at)!, actor: r.actor, action: r.action, accepted: r.accepted, detail: r.detail ?? {} }));
  const attemptFailures = await loadActivityFailures(db, workflowId, from, to);
  const bc = await db.query('SELECT activity_id, attempt, api, queued_ms, outcome FROM broker_calls WHERE workflow_id = $1 AND requested_at BETWEEN $2 AND $3 ORDER BY id', [workflowId, from, to]);
  const brokerCalls = bc.rows.map((r) => ({ activityId: r.activity_id, attempt: r.attempt, api: r.api, queuedMs: r.queued_ms, outcome: r.outcome }));
  const escalations = (await listRunEscalations(db, { workflowIds: [workflowId], since: from })).filter((e) => Date.parse(e.openedAt) <= to.getTime());
  const tc = await db.query('SELECT at, activity_id, attempt, agent_role, turn, tool, effect, status, reason, latency_ms, result_bytes, approved_by, error FROM tool_calls WHERE workflow_id = $1 ORDER BY id', [workflowId]);
  const toolCalls = tc.rows.map((r) => ({
    at: isoOf(r.at)!, activityId: r.activity_id, attempt: r.attempt, role: r.agent_role, turn: r.turn, tool: r.tool, effect: r.effect, status: r.status, reason: r.reason,
    latencyMs: r.latency_ms, resultBytes: r.result_bytes, approvedBy: r.approved_by, error: r.error,
  }));
  return { llmCalls, fingerprints, breakerEvents, alerts, audit, attemptFailures, brokerCalls, escalations, toolCalls };
}
