/**
 * The rate-limit broker for any named API: one account-wide limit per rolling window, shared by every
 * workflow and worker. Wrap each activity that calls the API with `broker.activity(fn)` and run them on the
 * API's own task queue (`createApiWorkers`, `proxyApi` in workflow code). One attempt of a wrapped activity
 * takes a slot from the Postgres bucket, sleeps until it (heartbeating, so a lost worker is noticed),
 * runs `fn`, and records the outcome. When `fn` reports a 429 (`apiRateLimited(...)`) the whole API pauses
 * for the Retry-After — every caller waits, not only this one.
 */
import { ApplicationFailure, Context } from '@temporalio/activity';
import { API_RATE_LIMITED } from '../../contracts/api';
import { Failure, isFailure, raise } from '../../failures';
import { createRollingBucket, type ApiLimit, type Caller, type Limiter, type Ticket } from '../../store/brokerBucket';
import type { Db } from '../../store/db';

/** What a wrapped activity learns about its admission. */
export interface BrokeredCall {
  api: string;
  /** The activity attempt (1 = first). */
  attempt: number;
  /** How long this attempt waited in the broker's queue. */
  queuedMs: number;
  ticket: Ticket;
}

export interface ApiBrokerOptions {
  db: Db;
  /** The API's name: its bucket row, its task queue suffix, its `breakwater broker status` line. */
  api: string;
  limit: ApiLimit;
  /** 'rolling-window' (default): the shared bucket. 'off': direct calls, still recorded (benchmarks). */
  limiter?: Limiter;
  /** How often a queued call heartbeats while it waits for its slot. Default 5 s. */
  heartbeatEveryMs?: number;
}

export { API_RATE_LIMITED };

/**
 * A 429 from the API: retryable after `delayMs` (at least the Retry-After, with jitter), and — when the
 * API said how long — a pause of the whole API for `retryAfterMs`.
 */
export function apiRateLimited(o: { message: string; delayMs: number; retryAfterMs?: number; details?: Record<string, unknown> }): ApplicationFailure {
  return raise(Failure.RateLimited, o.message, { nextRetryDelay: Math.max(1, o.delayMs), details: [{ ...o.details, httpStatus: 429, retryAfterMs: o.retryAfterMs }] });
}

const detailsOf = (e: unknown): { httpStatus?: number; status?: number; retryAfterMs?: number } =>
  (e instanceof ApplicationFailure ? (e.details?.[0] as object | undefined) : undefined) ?? {};

export function createApiBroker(o: ApiBrokerOptions) {
  const bucket = createRollingBucket(o.db);
  const limiter = o.limiter ?? 'rolling-window';
  const heartbeatEveryMs = o.heartbeatEveryMs ?? 5000;

  /**
   * Takes a ticket and sleeps until its slot. A caller that wakes later than half the margin after its
   * slot (event-loop stall, GC, suspended VM) gives the slot back and queues again rather than send a
   * request the provider may count in the next window.
   */
  async function admit(ctx: Context, caller: Caller): Promise<Ticket> {
    if (limiter === 'off') return bucket.recordUnlimited(o.api, caller);
    for (let requeues = 0; ; requeues += 1) {
      const ticket = await bucket.reserve(o.api, o.limit, caller);
      const slotLocal = Date.now() + ticket.waitMs;
      for (let remaining = ticket.waitMs; remaining > 0; remaining = slotLocal - Date.now()) {
        ctx.heartbeat({ phase: 'queued', slotAt: ticket.slotAt.toISOString() });
        await ctx.sleep(Math.min(remaining, heartbeatEveryMs));
      }
      if (Date.now() - slotLocal <= o.limit.marginMs / 2 || requeues >= 3) return ticket;
      await bucket.release(ticket.id);
    }
  }

  return {
    api: o.api,
    limit: o.limit,
    /** Wraps an activity that calls the API: admission first, then `fn`, then its outcome in the ledger. */
    activity<A extends unknown[], R>(fn: (call: BrokeredCall, ...args: A) => Promise<R>): (...args: A) => Promise<R> {
      return async (...args: A): Promise<R> => {
        const ctx = Context.current();
        const { attempt, activityId, workflowExecution } = ctx.info;
        const ticket = await admit(ctx, { workflowId: workflowExecution?.workflowId, activityId, attempt });
        let result: R;
        try {
          result = await fn({ api: o.api, attempt, queuedMs: ticket.queuedMs, ticket }, ...args);
        } catch (e) {
          const d = detailsOf(e);
          const rateLimited = isFailure(e, Failure.RateLimited) || d.httpStatus === 429;
          await bucket.complete(ticket.id, { outcome: rateLimited ? 'rate-limited' : 'error', httpStatus: d.httpStatus ?? d.status, retryAfterMs: d.retryAfterMs });
          // The provider has just said the account is over: everyone waits, not only this caller.
          if (rateLimited && limiter !== 'off' && d.retryAfterMs !== undefined) await bucket.pause(o.api, d.retryAfterMs);
          throw e;
        }
        await bucket.complete(ticket.id, { outcome: 'ok', httpStatus: 200 });
        return result;
      };
    },
  };
}

export type ApiBroker = ReturnType<typeof createApiBroker>;
