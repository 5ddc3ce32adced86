/**
 * Circuit breakers in Postgres, one per pipeline + step, shared by every execution and every worker.
 * `threshold` (default 2) consecutive failed attempts open it; while open no execution calls the step; a
 * success while closed resets the count; only a person closes an open breaker (`breakwater breaker clear`,
 * or a resolution naming them), and the clearing records who, when and why (the breaker row, its events and
 * the audit log). It stops at two, not three, because the world changes between attempts: the breaker keeps
 * the FIRST failure's context as well as the latest, since the latest is rarely the root cause.
 */
import type { FailureContext } from '../contracts/resolution';
import { BreakwaterError, hasFailureCode } from '../errors';
import { Failure } from '../failures';
import { redactValue } from '../redact';
import { appendAudit } from './auditLog';
import { inTransaction, type Db, type Queryable } from './db';

export const DEFAULT_BREAKER_THRESHOLD = 2;

export interface BreakerState {
  pipeline: string;
  step: string;
  state: 'closed' | 'open';
  consecutiveFailures: number;
  threshold: number;
  firstFailure: FailureContext | null;
  latestFailure: FailureContext | null;
  openedAt: string | null;
  lastSuccessAt: string | null;
  clearedBy: string | null;
  clearedAt: string | null;
  clearReason: string | null;
}

/** The step's breaker is open: no execution may call it until a person clears it. */
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

interface Row {
  pipeline: string;
  step: string;
  state: 'closed' | 'open';
  consecutive_failures: number;
  threshold: number;
  first_failure: FailureContext | null;
  latest_failure: FailureContext | null;
  opened_at: Date | null;
  last_success_at: Date | null;
  cleared_by: string | null;
  cleared_at: Date | null;
  clear_reason: string | null;
}

const iso = (d: Date | null): string | null => (d ? d.toISOString() : null);
const toState = (r: Row): BreakerState => ({
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
});

const closed = (pipeline: string, step: string): BreakerState => ({
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
});

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
  const event = (q: Queryable, e: { pipeline: string; step: string; kind: string; actor?: string; workflowId?: string; detail?: unknown }) =>
    q.query('INSERT INTO circuit_breaker_events (pipeline, step, kind, actor, workflow_id, detail) VALUES ($1,$2,$3,$4,$5,$6)', [
      e.pipeline,
      e.step,
      e.kind,
      e.actor ?? null,
      e.workflowId ?? null,
      JSON.stringify(redactValue(e.detail ?? {})),
    ]);

  return {
    /** The breaker's state; a step that never failed has a closed breaker. */
    async get(pipeline: string, step: string): Promise<BreakerState> {
      const { rows } = await db.query<Row>('SELECT * FROM circuit_breakers WHERE pipeline = $1 AND step = $2', [pipeline, step]);
      return rows[0] ? toState(rows[0]) : closed(pipeline, step);
    },

    async list(): Promise<BreakerState[]> {
      const { rows } = await db.query<Row>('SELECT * FROM circuit_breakers ORDER BY pipeline, step');
      return rows.map(toState);
    },

    /** Throws BreakerOpenError when the step may not be called. */
    async assertClosed(pipeline: string, step: string): Promise<void> {
      const b = await this.get(pipeline, step);
      if (b.state === 'open') throw new BreakerOpenError(b);
    },

    /** One failed attempt. Returns the new state; `opened` is true for the failure that opened it. */
    async recordFailure(pipeline: string, step: string, failure: FailureContext, workflowId?: string): Promise<{ breaker: BreakerState; opened: boolean }> {
      const ctx = JSON.stringify(redactValue(failure));
      return inTransaction(db, async (tx) => {
        const { rows } = await tx.query<Row & { was_open: boolean }>(
          `INSERT INTO circuit_breakers AS b (pipeline, step, consecutive_failures, first_failure, latest_failure, state, opened_at)
             VALUES ($1, $2, 1, $3, $3, CASE WHEN $4::int <= 1 THEN 'open' ELSE 'closed' END, CASE WHEN $4::int <= 1 THEN now() END)
           ON CONFLICT (pipeline, step) DO UPDATE SET
             consecutive_failures = b.consecutive_failures + 1,
             first_failure = CASE WHEN b.consecutive_failures = 0 THEN EXCLUDED.first_failure ELSE b.first_failure END,
             latest_failure = EXCLUDED.latest_failure,
             state = CASE WHEN b.consecutive_failures + 1 >= b.threshold THEN 'open' ELSE b.state END,
             opened_at = CASE WHEN b.state = 'closed' AND b.consecutive_failures + 1 >= b.threshold THEN now() ELSE b.opened_at END,
             updated_at = now()
           RETURNING b.*, (SELECT state = 'open' FROM circuit_breakers WHERE pipeline = $1 AND step = $2) AS was_open`,
          [pipeline, step, ctx, DEFAULT_BREAKER_THRESHOLD],
        );
        const row = rows[0]!;
        const breaker = toState(row);
        // `was_open` reads the pre-statement snapshot: the row as it was before this failure.
        const opened = breaker.state === 'open' && !row.was_open;
        await event(tx, { pipeline, step, kind: 'failure', workflowId, detail: failure });
        if (opened) await event(tx, { pipeline, step, kind: 'opened', workflowId, detail: { firstFailure: breaker.firstFailure, latestFailure: breaker.latestFailure } });
        return { breaker, opened };
      });
    },

    /**
     * One successful attempt: resets the count of a closed breaker. An open breaker stays open (a person
     * decides). A healthy breaker's row is not written at all, so concurrent successes never queue on it.
     */
    async recordSuccess(pipeline: string, step: string, workflowId?: string): Promise<void> {
      const { rows } = await db.query<{ reset: boolean; while_open: boolean }>(
        `UPDATE circuit_breakers SET
           consecutive_failures = CASE WHEN state = 'closed' THEN 0 ELSE consecutive_failures END,
           first_failure = CASE WHEN state = 'closed' THEN NULL ELSE first_failure END,
           latest_failure = CASE WHEN state = 'closed' THEN NULL ELSE latest_failure END,
           last_success_at = now(), updated_at = now()
         WHERE pipeline = $1 AND step = $2 AND (consecutive_failures > 0 OR state = 'open')
         RETURNING (SELECT state = 'closed' AND consecutive_failures > 0 FROM circuit_breakers WHERE pipeline = $1 AND step = $2) AS reset,
                   (SELECT state = 'open' FROM circuit_breakers WHERE pipeline = $1 AND step = $2) AS while_open`,
        [pipeline, step],
      );
      // Every failure is an event; of successes only those that change something or arrive while open.
      if (rows[0]?.reset) await event(db, { pipeline, step, kind: 'reset', workflowId });
      else if (rows[0]?.while_open) await event(db, { pipeline, step, kind: 'success', workflowId, detail: { note: 'succeeded while open; stays open until cleared' } });
    },

    /** A person closes the breaker. Recorded in the breaker row, its events and the audit log. */
    async clear(req: ClearRequest): Promise<ClearResult> {
      return inTransaction(db, async (tx) => {
        const { rows: before } = await tx.query<Row>('SELECT * FROM circuit_breakers WHERE pipeline = $1 AND step = $2 FOR UPDATE', [req.pipeline, req.step]);
        const prior = before[0];
        if (!prior) throw new BreakerNotFoundError(req.pipeline, req.step);
        const { rows } = await tx.query<Row>(
          `UPDATE circuit_breakers SET state = 'closed', consecutive_failures = 0, first_failure = NULL, latest_failure = NULL,
             cleared_by = $3, cleared_at = now(), clear_reason = $4, updated_at = now()
           WHERE pipeline = $1 AND step = $2 RETURNING *`,
          [req.pipeline, req.step, req.by, req.reason ?? null],
        );
        const detail = { wasOpen: prior.state === 'open', via: req.via ?? 'cli', reason: req.reason, firstFailure: prior.first_failure, latestFailure: prior.latest_failure };
        await event(tx, { pipeline: req.pipeline, step: req.step, kind: 'cleared', actor: req.by, detail });
        await appendAudit(tx, { actor: req.by, action: 'breaker.clear', target: `breaker:${req.pipeline}/${req.step}`, accepted: true, detail: redactValue(detail) });
        return { breaker: toState(rows[0]!), wasOpen: prior.state === 'open' };
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
  };
}

export type CircuitBreakerStore = ReturnType<typeof createCircuitBreakerStore>;
