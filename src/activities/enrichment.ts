/**
 * The enrichment API client (`GET /enrich?sku=`), called only through the broker.
 *
 * One activity attempt = one ticket from the shared bucket, a wait for its slot (heartbeating, so a dead
 * worker is noticed), one HTTP request, and a zod-checked answer. Failures carry their own retry delay
 * (ApplicationFailure.nextRetryDelay): a 429 waits at least its Retry-After, plus full jitter, and pauses
 * the API for every caller; other transient failures use full-jitter exponential backoff. After
 * `retryBudget` attempts the call fails non-retryably with BW_RETRY_BUDGET_EXHAUSTED, and the workflow
 * escalates that step.
 */
import { ApplicationFailure, Context } from '@temporalio/activity';
import { z } from 'zod';
import { requireSetting, type BreakwaterConfig } from '../config';
import { defaultBackoff, fullJitterDelayMs, parseRetryAfterMs, retryAfterDelayMs, type BackoffOptions } from '../deterministic/backoff';
import type { Db } from '../store/db';
import { createRollingBucket, type ApiLimit, type Caller, type Limiter, type Ticket } from './broker/rollingBucket';

export const ENRICHMENT_API = 'enrichment';

/** Stable failure types of the enrichment call (ApplicationFailure.type). */
export const enrichmentFailures = {
  rateLimited: 'BW_RATE_LIMITED',
  unavailable: 'BW_ENRICHMENT_UNAVAILABLE',
  rejected: 'BW_ENRICHMENT_REJECTED',
  badResponse: 'BW_ENRICHMENT_BAD_RESPONSE',
  budgetExhausted: 'BW_RETRY_BUDGET_EXHAUSTED',
  invalidInput: 'BW_INVALID_INPUT',
  config: 'BW_CONFIG_INVALID',
} as const;

export const enrichSkuInputSchema = z.strictObject({
  sku: z.string().trim().min(1).max(200),
  /** Attempts allowed for this call (the first one included) before the step escalates. */
  retryBudget: z.number().int().min(1).max(50).default(5),
});
export type EnrichSkuInput = z.input<typeof enrichSkuInputSchema>;

export const enrichmentResponseSchema = z.object({
  sku: z.string().min(1),
  attributes: z.object({
    category: z.string(),
    brand: z.string(),
    color: z.string(),
    weightGrams: z.number().nonnegative(),
    dimensionsCm: z.object({ length: z.number().nonnegative(), width: z.number().nonnegative(), height: z.number().nonnegative() }),
    countryOfOrigin: z.string(),
    hazardous: z.boolean(),
  }),
});
export type EnrichmentPayload = z.output<typeof enrichmentResponseSchema>;

export interface EnrichedSku extends EnrichmentPayload {
  attempt: number;
  /** Time this attempt waited in the broker's queue. */
  queuedMs: number;
}

export interface EnrichmentActivityDeps {
  db: Db;
  config: BreakwaterConfig;
  /** 'rolling-window' (default): the shared Postgres bucket. 'off': direct calls, still recorded (benchmarks). */
  limiter?: Limiter;
  /** Overrides of the quota from config (tests use a scaled window). */
  limit?: Partial<ApiLimit>;
  backoff?: BackoffOptions;
  requestTimeoutMs?: number;
  /** How often a queued call heartbeats while it waits for its slot. */
  heartbeatEveryMs?: number;
}

/** The enrichment quota from config: N per rolling minute, with a 1 s margin for slot-to-arrival lag. */
export function enrichmentLimit(config: BreakwaterConfig, override: Partial<ApiLimit> = {}): ApiLimit {
  return { limit: config.enrichmentRateLimitPerMinute, windowMs: 60_000, marginMs: 1000, ...override };
}

export function createEnrichmentActivities(deps: EnrichmentActivityDeps) {
  const bucket = createRollingBucket(deps.db);
  const limiter = deps.limiter ?? 'rolling-window';
  const backoff = deps.backoff ?? defaultBackoff;
  const timeoutMs = deps.requestTimeoutMs ?? 10_000;
  const heartbeatEveryMs = deps.heartbeatEveryMs ?? 5000;

  /**
   * Takes a ticket and sleeps until its slot. A caller that wakes later than half the margin after its
   * slot (event-loop stall, GC, suspended VM) gives the slot back and queues again rather than send a
   * request the provider may count in the next window.
   */
  async function admit(ctx: Context, caller: Caller): Promise<Ticket> {
    if (limiter === 'off') return bucket.recordUnlimited(ENRICHMENT_API, caller);
    const limit = enrichmentLimit(deps.config, deps.limit);
    for (let requeues = 0; ; requeues += 1) {
      const ticket = await bucket.reserve(ENRICHMENT_API, limit, caller);
      const slotLocal = Date.now() + ticket.waitMs;
      for (let remaining = ticket.waitMs; remaining > 0; remaining = slotLocal - Date.now()) {
        ctx.heartbeat({ phase: 'queued', slotAt: ticket.slotAt.toISOString() });
        await ctx.sleep(Math.min(remaining, heartbeatEveryMs));
      }
      if (Date.now() - slotLocal <= limit.marginMs / 2 || requeues >= 3) return ticket;
      await bucket.release(ticket.id);
    }
  }

  return {
    /** Enriches one SKU through the broker. Retryable failures carry their delay; see the file comment. */
    async enrichSku(rawInput: EnrichSkuInput): Promise<EnrichedSku> {
      const parsed = enrichSkuInputSchema.safeParse(rawInput);
      if (!parsed.success) {
        throw ApplicationFailure.create({ type: enrichmentFailures.invalidInput, message: `enrichSku: ${z.prettifyError(parsed.error)}`, nonRetryable: true });
      }
      const input = parsed.data;
      let baseUrl: string;
      try {
        baseUrl = requireSetting(deps.config.enrichmentUrl, 'ENRICHMENT_URL', 'point it at the enrichment API');
      } catch (e) {
        throw ApplicationFailure.create({ type: enrichmentFailures.config, message: (e as Error).message, nonRetryable: true });
      }
      const ctx = Context.current();
      const { attempt, activityId, workflowExecution } = ctx.info;
      const caller = { workflowId: workflowExecution?.workflowId, activityId, attempt };

      // 1. A ticket from the shared bucket; queue (sleep) until its slot.
      const ticket = await admit(ctx, caller);

      // 2. The request itself.
      const url = `${baseUrl.replace(/\/$/, '')}/enrich?sku=${encodeURIComponent(input.sku)}`;
      let res: Response;
      let text: string;
      try {
        res = await fetch(url, { signal: AbortSignal.any([ctx.cancellationSignal, AbortSignal.timeout(timeoutMs)]) });
        text = await res.text();
      } catch (e) {
        await bucket.complete(ticket.id, { outcome: 'error' });
        throw retryable(input, attempt, enrichmentFailures.unavailable, `enrichment request failed: ${(e as Error).message}`, fullJitterDelayMs(attempt, Math.random, backoff));
      }

      // 3. What the API answered.
      if (res.status === 429) {
        const retryAfterMs = parseRetryAfterMs(res.headers.get('retry-after'), Date.now());
        await bucket.complete(ticket.id, { outcome: 'rate-limited', httpStatus: 429, retryAfterMs });
        // Everyone waits, not only this caller: the provider has just told us the account is over.
        if (limiter !== 'off' && retryAfterMs !== undefined) await bucket.pause(ENRICHMENT_API, retryAfterMs);
        const delay = retryAfterMs === undefined ? fullJitterDelayMs(attempt, Math.random, backoff) : retryAfterDelayMs(retryAfterMs, attempt, Math.random, backoff);
        throw retryable(input, attempt, enrichmentFailures.rateLimited, `enrichment API answered 429 (Retry-After ${res.headers.get('retry-after') ?? 'absent'})`, delay);
      }
      if (res.status >= 500 || res.status === 408) {
        await bucket.complete(ticket.id, { outcome: 'error', httpStatus: res.status });
        throw retryable(input, attempt, enrichmentFailures.unavailable, `enrichment API answered ${res.status}`, fullJitterDelayMs(attempt, Math.random, backoff));
      }
      if (res.status !== 200) {
        await bucket.complete(ticket.id, { outcome: 'error', httpStatus: res.status });
        throw ApplicationFailure.create({
          type: enrichmentFailures.rejected,
          message: `enrichment API refused sku '${input.sku}': HTTP ${res.status} ${text.slice(0, 200)}`,
          nonRetryable: true,
          details: [{ sku: input.sku, status: res.status }],
        });
      }
      const body = parseJson(text);
      const payload = enrichmentResponseSchema.safeParse(body);
      if (!payload.success || payload.data.sku !== input.sku) {
        await bucket.complete(ticket.id, { outcome: 'error', httpStatus: res.status });
        const why = payload.success ? `answered for sku '${payload.data.sku}'` : z.prettifyError(payload.error);
        throw ApplicationFailure.create({
          type: enrichmentFailures.badResponse,
          message: `enrichment API sent an invalid response for '${input.sku}': ${why}`,
          nonRetryable: true,
          details: [{ sku: input.sku, body: text.slice(0, 500) }],
        });
      }
      await bucket.complete(ticket.id, { outcome: 'ok', httpStatus: 200 });
      return { ...payload.data, attempt, queuedMs: ticket.queuedMs };
    },
  };
}

/** A retryable failure with its own delay, or — once the call's budget is spent — the escalation failure. */
function retryable(input: { sku: string; retryBudget: number }, attempt: number, type: string, message: string, delayMs: number): ApplicationFailure {
  if (attempt >= input.retryBudget) {
    return ApplicationFailure.create({
      type: enrichmentFailures.budgetExhausted,
      message: `retry budget of ${input.retryBudget} attempts spent on sku '${input.sku}'; last: ${message}`,
      nonRetryable: true,
      details: [{ sku: input.sku, attempts: attempt, lastType: type, lastError: message }],
    });
  }
  return ApplicationFailure.create({ type, message, nextRetryDelay: Math.max(1, delayMs), details: [{ sku: input.sku, attempt }] });
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}
