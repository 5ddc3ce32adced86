/**
 * Circuit breakers in Postgres, one per pipeline + step, shared by every execution and every worker.
 * `threshold` (default 2) consecutive failed attempts open it; while open no execution calls the step; a
 * success while closed resets the count. By default only a person closes an open breaker (`breakwater
 * breaker clear`, or a resolution naming them) — the design for irreversible effects — and the clearing
 * records who, when and why (the breaker row, its events and the audit log). A step whose call is safe to
 * try again (a read) may opt in to a half-open probe after a cool-down (`policy.halfOpenAfterMs`, see
 * src/store/breakerProbe.ts). It stops at two, not three, because the world changes between attempts: the
 * breaker keeps the FIRST failure's context as well as the latest, since the latest is rarely the root cause.
 */
import type { FailureContext } from '../contracts/resolution';
import { BreakwaterError, hasFailureCode } from '../errors';
import { Failure } from '../failures';
import { redactValue } from '../redact';
import { appendAudit } from './auditLog';
import { createBreakerProbes } from './breakerProbe';
import { breakerEvent, DEFAULT_BREAKER_THRESHOLD, NO_PROBE, PROBE_DUE, readBreaker, SELECT_BREAKER, toState, type BreakerRow, type BreakerState } from './circuitBreakerState';
import { inTransaction, type Db } from './db';

export { DEFAULT_BREAKER_THRESHOLD, HALF_OPEN_PROBE_ACTOR, type BreakerProbe, type BreakerState } from './circuitBreakerState';
export type { ProbeClaim } from './breakerProbe';

/** A step's breaker policy, recorded with each failure. */
export interface BreakerPolicy {
  /** Opt in to a half-open probe this long after the breaker opens. Omitted: only a person closes it. */
  halfOpenAfterMs?: number;
}

/** The step's breaker is open (or half-open, another caller probing): no execution may call it now. */
export class BreakerOpenError extends BreakwaterError {
  readonly code = Failure.BreakerOpen.type;
  constructor(readonly breaker: BreakerState) {
    super(`Circuit breaker ${breaker.pipeline}/${breaker.step} is open after ${breaker.consecutiveFailures} consecutive failures`);
  }
}

/** `breaker clear` named a breaker that does not exist. */
export class BreakerNotFoundError extends BreakwaterError {
  readonly code = Failure.BreakerNotFound.type;
  constructor(
    readonly pipeline: string,
    readonly step: string,
  ) {
    super(`No circuit breaker for pipeline '${pipeline}' step '${step}' (see: breakwater breaker list)`);
  }
}

export const isBreakerOpenError = (e: unknown): e is BreakerOpenError => hasFailureCode(e, Failure.BreakerOpen);
export const isBreakerNotFoundError = (e: unknown): e is BreakerNotFoundError => hasFailureCode(e, Failure.BreakerNotFound);

export interface ClearRequest {
  pipeline: string;
  step: string;
  by: string;
  reason?: string;
  /** Where the clearing came from, e.g. `cli` or `resolve:<workflowId>`. */
  via?: string;
}

export interface ClearResult {
  breaker: BreakerState;
  /** False when the breaker was already closed (the clearing is still recorded). */
  wasOpen: boolean;
}

export function createCircuitBreakerStore(db: Db) {
  const event = breakerEvent;

  return {
    /** The breaker's state; a step that never failed has a closed breaker. */
    async get(pipeline: string, step: string): Promise<BreakerState> {
      return readBreaker(db, pipeline, step);
    },

    async list(): Promise<BreakerState[]> {
      const { rows } = await db.query<BreakerRow>(`${SELECT_BREAKER} ORDER BY pipeline, step`);
      return rows.map(toState);
    },

    /** Throws BreakerOpenError when the step may not be called (open, or half-open with another caller probing). */
    async assertClosed(pipeline: string, step: string): Promise<void> {
      const b = await this.get(pipeline, step);
      if (b.state !== 'closed') throw new BreakerOpenError(b);
    },

    /**
     * One failed attempt. Returns the new state; `opened` is true for the failure that opened it. A failure
     * while half-open (the probe's, or a straggler's) re-opens it with a fresh cool-down. `policy` is the
     * step's: the latest failure's is what the breaker follows.
     */
    async recordFailure(
      pipeline: string,
      step: string,
      failure: FailureContext,
      workflowId?: string,
      policy: BreakerPolicy = {},
    ): Promise<{ breaker: BreakerState; opened: boolean; reopened: boolean }> {
      const ctx = JSON.stringify(redactValue(failure));
      return inTransaction(db, async (tx) => {
        const { rows } = await tx.query<BreakerRow & { prior_state: BreakerState['state'] | null; prior_probe: string | null }>(
          `INSERT INTO circuit_breakers AS b (pipeline, step, consecutive_failures, first_failure, latest_failure, state, opened_at, half_open_after_ms)
             VALUES ($1, $2, 1, $3, $3, CASE WHEN $4::int <= 1 THEN 'open' ELSE 'closed' END, CASE WHEN $4::int <= 1 THEN now() END, $5)
           ON CONFLICT (pipeline, step) DO UPDATE SET
             consecutive_failures = b.consecutive_failures + 1,
             first_failure = CASE WHEN b.consecutive_failures = 0 THEN EXCLUDED.first_failure ELSE b.first_failure END,
             latest_failure = EXCLUDED.latest_failure,
             state = CASE WHEN b.state = 'half-open' OR b.consecutive_failures + 1 >= b.threshold THEN 'open' ELSE b.state END,
             opened_at = CASE WHEN b.state = 'half-open' OR (b.state = 'closed' AND b.consecutive_failures + 1 >= b.threshold) THEN now() ELSE b.opened_at END,
             half_open_after_ms = EXCLUDED.half_open_after_ms,
             ${NO_PROBE},
             updated_at = now()
           RETURNING b.*, ${PROBE_DUE} AS probe_due,
             (SELECT state FROM circuit_breakers WHERE pipeline = $1 AND step = $2) AS prior_state,
             (SELECT probe_owner FROM circuit_breakers WHERE pipeline = $1 AND step = $2) AS prior_probe`,
          [pipeline, step, ctx, DEFAULT_BREAKER_THRESHOLD, policy.halfOpenAfterMs ?? null],
        );
        const row = rows[0]!;
        const breaker = toState(row);
        // `prior_*` read the pre-statement snapshot: the row as it was before this failure.
        const opened = breaker.state === 'open' && (row.prior_state === null || row.prior_state === 'closed');
        const reopened = row.prior_state === 'half-open';
        await event(tx, { pipeline, step, kind: 'failure', workflowId, detail: failure });
        if (opened) await event(tx, { pipeline, step, kind: 'opened', workflowId, detail: { firstFailure: breaker.firstFailure, latestFailure: breaker.latestFailure } });
        if (reopened) await event(tx, { pipeline, step, kind: 'reopened', workflowId, detail: { probe: row.prior_probe, halfOpenAfterMs: breaker.halfOpenAfterMs, latestFailure: breaker.latestFailure } });
        return { breaker, opened, reopened };
      });
    },

    /**
     * One successful attempt: resets the count of a closed breaker. An open breaker stays open (a person
     * decides, or, opted in, the probe: `recordProbeSuccess`). A healthy breaker's row is not written at
     * all, so concurrent successes never queue on it.
     */
    async recordSuccess(pipeline: string, step: string, workflowId?: string): Promise<void> {
      const { rows } = await db.query<{ reset: boolean; while_open: boolean }>(
        `UPDATE circuit_breakers SET
           consecutive_failures = CASE WHEN state = 'closed' THEN 0 ELSE consecutive_failures END,
           first_failure = CASE WHEN state = 'closed' THEN NULL ELSE first_failure END,
           latest_failure = CASE WHEN state = 'closed' THEN NULL ELSE latest_failure END,
           last_success_at = now(), updated_at = now()
         WHERE pipeline = $1 AND step = $2 AND (consecutive_failures > 0 OR state <> 'closed')
         RETURNING (SELECT state = 'closed' AND consecutive_failures > 0 FROM circuit_breakers WHERE pipeline = $1 AND step = $2) AS reset,
                   (SELECT state <> 'closed' FROM circuit_breakers WHERE pipeline = $1 AND step = $2) AS while_open`,
        [pipeline, step],
      );
      // Every failure is an event; of successes only those that change something or arrive while open.
      if (rows[0]?.reset) await event(db, { pipeline, step, kind: 'reset', workflowId });
      else if (rows[0]?.while_open) await event(db, { pipeline, step, kind: 'success', workflowId, detail: { note: 'succeeded while open; stays open until cleared' } });
    },

    /** A person closes the breaker. Recorded in the breaker row, its events and the audit log. */
    async clear(req: ClearRequest): Promise<ClearResult> {
      return inTransaction(db, async (tx) => {
        const { rows: before } = await tx.query<BreakerRow>('SELECT * FROM circuit_breakers WHERE pipeline = $1 AND step = $2 FOR UPDATE', [req.pipeline, req.step]);
        const prior = before[0];
        if (!prior) throw new BreakerNotFoundError(req.pipeline, req.step);
        const { rows } = await tx.query<BreakerRow>(
          `UPDATE circuit_breakers SET state = 'closed', consecutive_failures = 0, first_failure = NULL, latest_failure = NULL,
             cleared_by = $3, cleared_at = now(), clear_reason = $4, ${NO_PROBE}, updated_at = now()
           WHERE pipeline = $1 AND step = $2 RETURNING *`,
          [req.pipeline, req.step, req.by, req.reason ?? null],
        );
        const detail = { wasOpen: prior.state !== 'closed', via: req.via ?? 'cli', reason: req.reason, firstFailure: prior.first_failure, latestFailure: prior.latest_failure };
        await event(tx, { pipeline: req.pipeline, step: req.step, kind: 'cleared', actor: req.by, detail });
        await appendAudit(tx, { actor: req.by, action: 'breaker.clear', target: `breaker:${req.pipeline}/${req.step}`, accepted: true, detail: redactValue(detail) });
        return { breaker: toState(rows[0]!), wasOpen: prior.state !== 'closed' };
      });
    },

    /** The breaker's history, newest first. */
    async events(pipeline: string, step: string, limit = 50) {
      const { rows } = await db.query<{ at: Date; kind: string; actor: string | null; workflow_id: string | null; detail: unknown }>(
        'SELECT at, kind, actor, workflow_id, detail FROM circuit_breaker_events WHERE pipeline = $1 AND step = $2 ORDER BY id DESC LIMIT $3',
        [pipeline, step, limit],
      );
      return rows.map((r) => ({ at: r.at.toISOString(), kind: r.kind, actor: r.actor, workflowId: r.workflow_id, detail: r.detail }));
    },

    ...createBreakerProbes(db),
  };
}

export type CircuitBreakerStore = ReturnType<typeof createCircuitBreakerStore>;
