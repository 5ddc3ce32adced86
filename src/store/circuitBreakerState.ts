/**
 * A circuit breaker's row as callers see it (`BreakerState`), and the SQL pieces that read it and record its
 * events — shared by the breaker store (src/store/circuitBreakers.ts) and its half-open probe
 * (src/store/breakerProbe.ts).
 */
import type { FailureContext } from '../contracts/resolution';
import { redactValue } from '../redact';
import type { Queryable } from './db';

export const DEFAULT_BREAKER_THRESHOLD = 2;

/** Who closes a breaker when its half-open probe succeeds: recorded as `cleared_by` and the event's actor. */
export const HALF_OPEN_PROBE_ACTOR = 'half-open-probe';

/** The call admitted to try the outside system while the breaker is half-open. */
export interface BreakerProbe {
  /** The attempt that probes: `workflowId/runId/activityId#attempt`. */
  owner: string;
  workflowId: string | null;
  startedAt: string;
  /** Past this, the probe is presumed dead (its worker crashed) and another caller may probe. */
  leaseUntil: string;
}

export interface BreakerState {
  pipeline: string;
  step: string;
  /** `half-open`: one call (the probe) is trying the outside system; every other caller is still refused. */
  state: 'closed' | 'open' | 'half-open';
  consecutiveFailures: number;
  threshold: number;
  firstFailure: FailureContext | null;
  latestFailure: FailureContext | null;
  /** When it opened, or re-opened after a failed probe: the cool-down counts from here. */
  openedAt: string | null;
  lastSuccessAt: string | null;
  clearedBy: string | null;
  clearedAt: string | null;
  clearReason: string | null;
  /** The step's opt-in: after this long open, one caller may probe. Null (the default): only a person closes it. */
  halfOpenAfterMs: number | null;
  /** When a probe is next admitted (end of the cool-down, or of the running probe's lease); null without the opt-in. */
  probeDueAt: string | null;
  /** A probe may be claimed now (by the database's clock): a run waiting on the breaker retries the step. */
  probeDue: boolean;
  /** The probe running while half-open. */
  probe: BreakerProbe | null;
}

export interface BreakerRow {
  pipeline: string;
  step: string;
  state: BreakerState['state'];
  consecutive_failures: number;
  threshold: number;
  first_failure: FailureContext | null;
  latest_failure: FailureContext | null;
  opened_at: Date | null;
  last_success_at: Date | null;
  cleared_by: string | null;
  cleared_at: Date | null;
  clear_reason: string | null;
  half_open_after_ms: string | number | null; // BIGINT arrives as text
  probe_owner: string | null;
  probe_workflow_id: string | null;
  probe_started_at: Date | null;
  probe_lease_until: Date | null;
  /** Computed by PROBE_DUE where a statement selects it. */
  probe_due?: boolean;
}

/**
 * Whether a probe may be claimed now, over the row's own columns: the step opted in, and either the
 * cool-down since opening has passed or the running probe's lease lapsed. The claim's WHERE is this same
 * expression, so what waiting runs are told and what the claim admits cannot disagree.
 */
export const PROBE_DUE = `(half_open_after_ms IS NOT NULL AND (
    (state = 'open' AND now() >= opened_at + half_open_after_ms * interval '1 millisecond')
    OR (state = 'half-open' AND probe_lease_until <= now())))`;

/** Every column of the row, plus whether a probe is due. */
export const SELECT_BREAKER = `SELECT *, ${PROBE_DUE} AS probe_due FROM circuit_breakers`;

/** Clears the probe columns: in every state but half-open there is no probe. */
export const NO_PROBE = 'probe_owner = NULL, probe_workflow_id = NULL, probe_started_at = NULL, probe_lease_until = NULL';

const iso = (d: Date | null): string | null => (d ? d.toISOString() : null);

export function toState(r: BreakerRow): BreakerState {
  const halfOpenAfterMs = r.half_open_after_ms === null ? null : Number(r.half_open_after_ms);
  const probe =
    r.state === 'half-open' && r.probe_owner && r.probe_started_at && r.probe_lease_until
      ? { owner: r.probe_owner, workflowId: r.probe_workflow_id, startedAt: r.probe_started_at.toISOString(), leaseUntil: r.probe_lease_until.toISOString() }
      : null;
  const probeDueAt =
    halfOpenAfterMs === null ? null : probe ? probe.leaseUntil : r.state === 'open' && r.opened_at ? new Date(r.opened_at.getTime() + halfOpenAfterMs).toISOString() : null;
  return {
    pipeline: r.pipeline,
    step: r.step,
    state: r.state,
    consecutiveFailures: r.consecutive_failures,
    threshold: r.threshold,
    firstFailure: r.first_failure,
    latestFailure: r.latest_failure,
    openedAt: iso(r.opened_at),
    lastSuccessAt: iso(r.last_success_at),
    clearedBy: r.cleared_by,
    clearedAt: iso(r.cleared_at),
    clearReason: r.clear_reason,
    halfOpenAfterMs,
    probeDueAt,
    probeDue: r.probe_due ?? false,
    probe,
  };
}

/** The breaker of a step that never failed. */
export const closedBreaker = (pipeline: string, step: string): BreakerState => ({
  pipeline,
  step,
  state: 'closed',
  consecutiveFailures: 0,
  threshold: DEFAULT_BREAKER_THRESHOLD,
  firstFailure: null,
  latestFailure: null,
  openedAt: null,
  lastSuccessAt: null,
  clearedBy: null,
  clearedAt: null,
  clearReason: null,
  halfOpenAfterMs: null,
  probeDueAt: null,
  probeDue: false,
  probe: null,
});

export async function readBreaker(q: Queryable, pipeline: string, step: string): Promise<BreakerState> {
  const { rows } = await q.query<BreakerRow>(`${SELECT_BREAKER} WHERE pipeline = $1 AND step = $2`, [pipeline, step]);
  return rows[0] ? toState(rows[0]) : closedBreaker(pipeline, step);
}

export interface BreakerEvent {
  pipeline: string;
  step: string;
  kind: 'failure' | 'opened' | 'success' | 'reset' | 'cleared' | 'probe' | 'probe-released' | 'reopened';
  actor?: string;
  workflowId?: string;
  detail?: unknown;
}

/** One entry of the breaker's history (circuit_breaker_events); its detail is redacted like every failure context. */
export const breakerEvent = (q: Queryable, e: BreakerEvent) =>
  q.query('INSERT INTO circuit_breaker_events (pipeline, step, kind, actor, workflow_id, detail) VALUES ($1,$2,$3,$4,$5,$6)', [
    e.pipeline,
    e.step,
    e.kind,
    e.actor ?? null,
    e.workflowId ?? null,
    JSON.stringify(redactValue(e.detail ?? {})),
  ]);
