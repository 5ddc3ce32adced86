/**
 * Rolling-window arithmetic for the shared resource broker. Pure.
 *
 * A provider's "N requests per minute" is usually a rolling window: at most `limit` requests in any
 * interval (t - window, t]. A classic token bucket with capacity C refilled at r/window lets C + r requests
 * through in one window (a full burst, then the refill), so with C = r = limit it admits up to 2×limit in
 * 60 s. The broker therefore schedules by the window itself: each admission's token comes back exactly one
 * window (plus a safety margin) after it was used — a token bucket whose refill is "one window later".
 */
export interface WindowLimit {
  limit: number;
  windowMs: number;
  /** Added to the window when scheduling, to absorb the lag between a slot and the request's arrival. */
  marginMs?: number;
}

/**
 * The earliest time ≥ now at which one more request may be sent, given every slot already granted
 * (past and future). It is max(now, s_L + window + margin) where s_L is the limit-th latest slot: every
 * other slot is at or before s_L, so none of them can share a window with the new one.
 */
export function nextSlotMs(slotsMs: readonly number[], nowMs: number, w: WindowLimit): number {
  if (slotsMs.length < w.limit) return nowMs;
  const sorted = [...slotsMs].sort((a, b) => b - a);
  const limitThLatest = sorted[w.limit - 1] as number;
  return Math.max(nowMs, limitThLatest + w.windowMs + (w.marginMs ?? 0));
}

/** Schedules `count` requests that all ask at `nowMs`, one after the other (the broker's behaviour). */
export function scheduleSlots(count: number, nowMs: number, w: WindowLimit, existing: readonly number[] = []): number[] {
  const slots = [...existing];
  const granted: number[] = [];
  for (let i = 0; i < count; i += 1) {
    const slot = nextSlotMs(slots, nowMs, w);
    slots.push(slot);
    granted.push(slot);
  }
  return granted;
}

/** The largest number of timestamps inside any window (t - windowMs, t] — the provider's view. */
export function maxInAnyWindow(timestampsMs: readonly number[], windowMs: number): number {
  const sorted = [...timestampsMs].sort((a, b) => a - b);
  let best = 0;
  let start = 0;
  for (let end = 0; end < sorted.length; end += 1) {
    const t = sorted[end] as number;
    while ((sorted[start] as number) <= t - windowMs) start += 1;
    best = Math.max(best, end - start + 1);
  }
  return best;
}

/**
 * The least possible time to send `calls` requests under a rolling limit when they are all ready at 0:
 * bursts of `limit` one window apart, so the last burst starts at floor((calls-1)/limit)·window.
 * 160 calls at 100/min: the first 100 at 0 s, the last 60 at 60 s → ideal 60 s (not 96 s, which is the
 * figure for a steady 100/min stream).
 */
export function idealDurationMs(calls: number, w: WindowLimit): number {
  if (calls <= 0) return 0;
  return Math.floor((calls - 1) / w.limit) * w.windowMs;
}

/** The steady-rate figure: calls spread evenly at limit/window. */
export function steadyRateDurationMs(calls: number, w: WindowLimit): number {
  return (calls / w.limit) * w.windowMs;
}

/**
 * What a classic token bucket (capacity, refill `refillPerWindow` per window, continuous) admits when
 * `count` requests all ask at 0 and each takes the next token: the times of the admissions.
 */
export function tokenBucketSchedule(count: number, capacity: number, refillPerWindow: number, windowMs: number): number[] {
  const times: number[] = [];
  const msPerToken = windowMs / refillPerWindow;
  for (let i = 0; i < count; i += 1) times.push(i < capacity ? 0 : Math.ceil((i - capacity + 1) * msPerToken));
  return times;
}
