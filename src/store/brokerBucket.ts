/**
 * The broker's shared limiter: a rolling-window token bucket in Postgres, one row per external API.
 *
 * Every call asks for a slot. Under the bucket row's lock, the slot is the earliest time at which one more
 * request keeps every rolling window at or under the limit — max(now, s_L + window + margin, paused_until)
 * where s_L is the limit-th latest slot granted (see src/deterministic/rollingWindow.ts). Slots are firm
 * reservations, so callers queue (sleep until their slot) instead of failing, in the order they asked,
 * whichever worker they run on. Times come from the database clock only, so workers' clocks do not matter.
 *
 * The margin absorbs the lag between a slot and the request reaching the provider (timer wake-up, HTTP);
 * a 429 that still gets through pauses the API for everyone until its Retry-After.
 */
import { hostname } from 'node:os';
import { BreakwaterError, hasFailureCode } from '../errors';
import { Failure } from '../failures';
import { inTransaction, type Db } from './db';

export interface ApiLimit {
  /** Requests allowed per rolling window (the provider's account-wide quota). */
  limit: number;
  windowMs: number;
  /** Safety margin added to the window when scheduling. */
  marginMs: number;
}

/** Who is asking: kept in the ledger so every call to an external API can be traced to its workflow. */
export interface Caller {
  workflowId?: string;
  activityId?: string;
  attempt?: number;
  /** The worker process making the call (default host:pid). */
  worker?: string;
}

export type Limiter = 'rolling-window' | 'off';

export interface Ticket {
  id: number;
  api: string;
  limiter: Limiter;
  slotAt: Date;
  /** How long the caller must still wait for its slot (database clock), ≥ 0. */
  waitMs: number;
  /** How long the call is queued in total (slot − request time). */
  queuedMs: number;
}

export type CallOutcome = 'ok' | 'rate-limited' | 'error';

export interface CallResult {
  outcome: CallOutcome;
  httpStatus?: number;
  retryAfterMs?: number;
}

/** The broker's own state is unusable (bad limit, database refused the reservation). */
export class BrokerError extends BreakwaterError {
  readonly code = Failure.BrokerFailed.type;
}
export const isBrokerError = (e: unknown): e is BrokerError => hasFailureCode(e, Failure.BrokerFailed);

/** One ledger row in 1 of this many reservations also prunes rows older than the retention. */
const PRUNE_EVERY = 200;
const RETENTION = '1 day';
const thisWorker = `${hostname()}:${process.pid}`;

export interface RollingBucket {
  /** Grants the next slot for `api` under `limit`. Never refuses: a full bucket means a later slot. */
  reserve(api: string, limit: ApiLimit, caller?: Caller): Promise<Ticket>;
  /** Records a call made without the limiter (broker off), so the ledger still sees every call. */
  recordUnlimited(api: string, caller?: Caller): Promise<Ticket>;
  /** Gives a slot back unused (the caller woke too late to use it safely); nothing was sent on it. */
  release(ticketId: number): Promise<void>;
  /** Records what the API answered. */
  complete(ticketId: number, result: CallResult): Promise<void>;
  /** No slot for `api` before now + ms, for any caller (a 429's Retry-After). */
  pause(api: string, ms: number): Promise<void>;
}

export function createRollingBucket(db: Db): RollingBucket {
  return {
    async reserve(api, limit, caller = {}) {
      validateLimit(api, limit);
      return inTransaction(db, async (tx) => {
        // 1. The bucket row is the lock: reservations for one API are serialized, across all workers.
        const bucket = await tx.query<{ paused_until: Date | null }>(
          `INSERT INTO broker_buckets (api, limit_per_window, window_ms, margin_ms) VALUES ($1, $2, $3, $4)
           ON CONFLICT (api) DO UPDATE SET limit_per_window = EXCLUDED.limit_per_window, window_ms = EXCLUDED.window_ms,
             margin_ms = EXCLUDED.margin_ms, updated_at = now()
           RETURNING paused_until`,
          [api, limit.limit, limit.windowMs, limit.marginMs],
        );
        // 2. clock_timestamp(), not now(): now() is the transaction start, before the lock wait, and a slot
        //    recorded earlier than it really is would let the next window open early.
        const { rows } = await tx.query<{ id: string; slot_at: Date; wait_ms: number; queued_ms: number }>(
          `WITH clock AS (SELECT clock_timestamp() AS now),
                lth AS (SELECT slot_at FROM broker_calls WHERE api = $1 ORDER BY slot_at DESC OFFSET $2 LIMIT 1),
                slot AS (
                  SELECT GREATEST(clock.now,
                           COALESCE((SELECT slot_at FROM lth) + make_interval(secs => $3::float8 / 1000), clock.now),
                           COALESCE($4::timestamptz, clock.now)) AS at, clock.now
                  FROM clock)
           INSERT INTO broker_calls (api, limiter, requested_at, slot_at, queued_ms, workflow_id, activity_id, attempt, worker)
           SELECT $1, 'rolling-window', slot.now, slot.at, CEIL(EXTRACT(EPOCH FROM slot.at - slot.now) * 1000)::int, $5, $6, $7, $8 FROM slot
           RETURNING id, slot_at, queued_ms,
             GREATEST(0, CEIL(EXTRACT(EPOCH FROM slot_at - clock_timestamp()) * 1000))::float8 AS wait_ms`,
          [api, limit.limit - 1, limit.windowMs + limit.marginMs, bucket.rows[0]?.paused_until ?? null, caller.workflowId ?? null, caller.activityId ?? null, caller.attempt ?? null, caller.worker ?? thisWorker],
        );
        const row = rows[0];
        if (!row) throw new BrokerError(`broker: no slot row returned for ${api}`);
        const id = Number(row.id);
        if (id % PRUNE_EVERY === 0) {
          await tx.query(`DELETE FROM broker_calls WHERE api = $1 AND slot_at < clock_timestamp() - interval '${RETENTION}'`, [api]);
        }
        return { id, api, limiter: 'rolling-window' as const, slotAt: row.slot_at, waitMs: Number(row.wait_ms), queuedMs: row.queued_ms };
      });
    },

    async recordUnlimited(api, caller = {}) {
      const { rows } = await db.query<{ id: string; slot_at: Date }>(
        `INSERT INTO broker_calls (api, limiter, requested_at, slot_at, queued_ms, workflow_id, activity_id, attempt, worker)
         VALUES ($1, 'off', clock_timestamp(), clock_timestamp(), 0, $2, $3, $4, $5) RETURNING id, slot_at`,
        [api, caller.workflowId ?? null, caller.activityId ?? null, caller.attempt ?? null, caller.worker ?? thisWorker],
      );
      const row = rows[0]!;
      return { id: Number(row.id), api, limiter: 'off', slotAt: row.slot_at, waitMs: 0, queuedMs: 0 };
    },

    async release(ticketId) {
      await db.query(`DELETE FROM broker_calls WHERE id = $1 AND outcome = 'pending'`, [ticketId]);
    },

    async complete(ticketId, result) {
      await db.query(
        `UPDATE broker_calls SET finished_at = clock_timestamp(), outcome = $2, http_status = $3, retry_after_ms = $4 WHERE id = $1`,
        [ticketId, result.outcome, result.httpStatus ?? null, result.retryAfterMs ?? null],
      );
    },

    async pause(api, ms) {
      await db.query(
        `UPDATE broker_buckets SET paused_until = GREATEST(COALESCE(paused_until, clock_timestamp()),
           clock_timestamp() + make_interval(secs => $2::float8 / 1000)), updated_at = now() WHERE api = $1`,
        [api, Math.max(0, ms)],
      );
    },
  };
}

function validateLimit(api: string, l: ApiLimit): void {
  const ok = Number.isInteger(l.limit) && l.limit > 0 && Number.isInteger(l.windowMs) && l.windowMs > 0 && Number.isInteger(l.marginMs) && l.marginMs >= 0;
  if (!ok || api.trim() === '') throw new BrokerError(`broker: invalid limit for '${api}': ${JSON.stringify(l)}`);
}
