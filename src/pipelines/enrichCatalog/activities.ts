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
import { Context, type ApplicationFailure } from '@temporalio/activity';
import { z } from 'zod';
import { requireSetting } from '../../config';
import { defaultBackoff, fullJitterDelayMs, parseRetryAfterMs, retryAfterDelayMs, type BackoffOptions } from '../../deterministic/backoff';
import { Failure, raise, type FailureSpec } from '../../failures';
import type { Db } from '../../store/db';
import { apiRateLimited, createApiBroker } from '../../activities/broker/apiBroker';
import type { ApiLimit, Limiter } from '../../store/brokerBucket';
import type { ReferenceConfig } from '../config';
import { ENRICHMENT_API, EnrichmentFailure, enrichmentResponseSchema, enrichSkuInputSchema, type EnrichedSku, type EnrichSkuInput } from './contract';

export interface EnrichmentActivityDeps {
  db: Db;
  reference: Pick<ReferenceConfig, 'enrichmentUrl' | 'enrichmentRateLimitPerMinute'>;
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
export function enrichmentLimit(reference: Pick<ReferenceConfig, 'enrichmentRateLimitPerMinute'>, override: Partial<ApiLimit> = {}): ApiLimit {
  return { limit: reference.enrichmentRateLimitPerMinute, windowMs: 60_000, marginMs: 1000, ...override };
}

export function createEnrichmentActivities(deps: EnrichmentActivityDeps) {
  const broker = createApiBroker({ db: deps.db, api: ENRICHMENT_API, limit: enrichmentLimit(deps.reference, deps.limit), limiter: deps.limiter, heartbeatEveryMs: deps.heartbeatEveryMs });
  const backoff = deps.backoff ?? defaultBackoff;
  const timeoutMs = deps.requestTimeoutMs ?? 10_000;

  return {
    /** Enriches one SKU through the broker. Retryable failures carry their delay; see the file comment. */
    enrichSku: broker.activity(async ({ attempt, queuedMs }, rawInput: EnrichSkuInput): Promise<EnrichedSku> => {
      const parsed = enrichSkuInputSchema.safeParse(rawInput);
      if (!parsed.success) {
        throw raise(Failure.InvalidInput, `enrichSku: ${z.prettifyError(parsed.error)}`);
      }
      const input = parsed.data;
      let baseUrl: string;
      try {
        baseUrl = requireSetting(deps.reference.enrichmentUrl, 'ENRICHMENT_URL', 'point it at the enrichment API');
      } catch (e) {
        throw raise(Failure.ConfigInvalid, (e as Error).message);
      }
      const ctx = Context.current();

      // 1. The request itself (the broker has admitted it).
      const url = `${baseUrl.replace(/\/$/, '')}/enrich?sku=${encodeURIComponent(input.sku)}`;
      let res: Response;
      let text: string;
      try {
        res = await fetch(url, { signal: AbortSignal.any([ctx.cancellationSignal, AbortSignal.timeout(timeoutMs)]) });
        text = await res.text();
      } catch (e) {
        throw retryable(input, attempt, EnrichmentFailure.Unavailable, `enrichment request failed: ${(e as Error).message}`, fullJitterDelayMs(attempt, Math.random, backoff));
      }

      // 2. What the API answered.
      if (res.status === 429) {
        const retryAfterMs = parseRetryAfterMs(res.headers.get('retry-after'), Date.now());
        const delay = retryAfterMs === undefined ? fullJitterDelayMs(attempt, Math.random, backoff) : retryAfterDelayMs(retryAfterMs, attempt, Math.random, backoff);
        throw retryable(input, attempt, Failure.RateLimited, `enrichment API answered 429 (Retry-After ${res.headers.get('retry-after') ?? 'absent'})`, delay, { httpStatus: 429, retryAfterMs });
      }
      if (res.status >= 500 || res.status === 408) {
        throw retryable(input, attempt, EnrichmentFailure.Unavailable, `enrichment API answered ${res.status}`, fullJitterDelayMs(attempt, Math.random, backoff), { httpStatus: res.status });
      }
      if (res.status !== 200) {
        throw raise(EnrichmentFailure.Rejected, `enrichment API refused sku '${input.sku}': HTTP ${res.status} ${text.slice(0, 200)}`, {
          details: [{ sku: input.sku, status: res.status }],
        });
      }
      const body = parseJson(text);
      const payload = enrichmentResponseSchema.safeParse(body);
      if (!payload.success || payload.data.sku !== input.sku) {
        const why = payload.success ? `answered for sku '${payload.data.sku}'` : z.prettifyError(payload.error);
        throw raise(EnrichmentFailure.BadResponse, `enrichment API sent an invalid response for '${input.sku}': ${why}`, {
          details: [{ sku: input.sku, body: text.slice(0, 500), status: res.status }],
        });
      }
      return { ...payload.data, attempt, queuedMs };
    }),
  };
}

/** A retryable failure with its own delay, or — once the call's budget is spent — the escalation failure. */
function retryable(input: { sku: string; retryBudget: number }, attempt: number, failure: FailureSpec, message: string, delayMs: number, http: { httpStatus?: number; retryAfterMs?: number } = {}): ApplicationFailure {
  if (attempt >= input.retryBudget) {
    return raise(Failure.RetryBudgetExhausted, `retry budget of ${input.retryBudget} attempts spent on sku '${input.sku}'; last: ${message}`, {
      details: [{ sku: input.sku, attempts: attempt, lastType: failure.type, lastError: message, ...http }],
    });
  }
  if (failure === Failure.RateLimited) return apiRateLimited({ message, delayMs, retryAfterMs: http.retryAfterMs, details: { sku: input.sku, attempt } });
  return raise(failure, message, { nextRetryDelay: Math.max(1, delayMs), details: [{ sku: input.sku, attempt, ...http }] });
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}
