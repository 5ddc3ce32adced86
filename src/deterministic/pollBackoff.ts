/**
 * When to look again while waiting for a record to become visible: exponential backoff, capped, and never
 * past the deadline — so the last look happens exactly at the deadline rather than some time before it.
 * Pure and deterministic (no jitter): the workflow's timer schedule must replay identically.
 */
export interface PollBackoffSpec {
  /** First wait, ms. */
  initial: number;
  /** Growth per look (1 = constant). */
  factor: number;
  /** Cap on one wait, ms. */
  max: number;
}

/** The wait before look number `attempt + 1` (attempt 0 = the wait after the first look). */
export function pollDelay(attempt: number, spec: PollBackoffSpec): number {
  const raw = spec.initial * Math.pow(spec.factor, Math.max(0, attempt));
  return Math.max(0, Math.min(spec.max, Math.round(raw)));
}

/**
 * The wait before the next look, or undefined when the deadline has passed (no more looks).
 * `remainingMs` is the time left until the deadline.
 */
export function nextPollWait(attempt: number, spec: PollBackoffSpec, remainingMs: number): number | undefined {
  if (remainingMs <= 0) return undefined;
  return Math.min(pollDelay(attempt, spec), remainingMs);
}

/** Offsets (ms after the first look) of every look a full wait would make; for docs, tests and planning. */
export function pollSchedule(spec: PollBackoffSpec, budgetMs: number): number[] {
  const offsets = [0];
  let t = 0;
  for (let attempt = 0; ; attempt++) {
    const wait = nextPollWait(attempt, spec, budgetMs - t);
    if (wait === undefined || wait <= 0) return offsets;
    t += wait;
    offsets.push(t);
    if (offsets.length > 10_000) return offsets; // factor 1 with a tiny initial: stop, it is only a plan
  }
}
