/**
 * Retry delays for calls to external APIs. Pure (no clock, no Math.random): the caller passes the random
 * source, so workflows can use Temporal's deterministic random and tests can pin the sequence.
 *
 * Why full jitter: when many workflows fail together (a 429 wave), equal backoff makes them retry together
 * and hit the next window together — the oscillating "retry storm". Full jitter (a uniform pick in
 * [0, min(cap, base·2^attempt))) spreads them over the whole interval.
 */
export interface BackoffOptions {
  /** Delay scale of the first retry. */
  baseMs: number;
  /** Upper bound of any jittered delay. */
  capMs: number;
}

export const defaultBackoff: BackoffOptions = { baseMs: 500, capMs: 30_000 };

/** The exponential ceiling for a given attempt (1 = the first failure): min(cap, base·2^(attempt-1)). */
export function backoffCeilingMs(attempt: number, options: BackoffOptions = defaultBackoff): number {
  const exponent = Math.max(0, Math.min(30, Math.floor(attempt) - 1));
  return Math.min(options.capMs, options.baseMs * 2 ** exponent);
}

/** Full jitter: uniform in [0, ceiling). `random` returns [0, 1). */
export function fullJitterDelayMs(attempt: number, random: () => number, options: BackoffOptions = defaultBackoff): number {
  return Math.floor(clamp01(random()) * backoffCeilingMs(attempt, options));
}

/**
 * Delay after a 429. Retry-After is a floor — retrying earlier is refused for sure and is what providers
 * complain about — and full jitter on top keeps the callers that got the same Retry-After apart.
 */
export function retryAfterDelayMs(
  retryAfterMs: number,
  attempt: number,
  random: () => number,
  options: BackoffOptions = defaultBackoff,
): number {
  return Math.max(0, Math.ceil(retryAfterMs)) + fullJitterDelayMs(attempt, random, options);
}

/**
 * Parses an HTTP Retry-After header value: delta-seconds or an HTTP date. Undefined when absent or
 * unparseable (the caller then falls back to plain backoff).
 */
export function parseRetryAfterMs(value: string | null | undefined, nowMs: number): number | undefined {
  if (value === null || value === undefined) return undefined;
  const text = value.trim();
  if (/^\d+$/.test(text)) return Number(text) * 1000;
  // An HTTP date always has letters (day and month names, GMT); anything else is garbage, not a date.
  if (!/[a-z]/i.test(text)) return undefined;
  const date = Date.parse(text);
  if (Number.isNaN(date)) return undefined;
  return Math.max(0, date - nowMs);
}

function clamp01(x: number): number {
  if (!Number.isFinite(x) || x < 0) return 0;
  return x >= 1 ? 1 - Number.EPSILON : x;
}
