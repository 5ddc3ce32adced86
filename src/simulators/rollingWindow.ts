/**
 * A rolling-window (sliding log) rate limiter, as a server would enforce it.
 *
 * A request at time `now` is admitted when fewer than `limit` admitted
 * requests happened in (now - windowMs, now]. Only admitted requests are
 * recorded: a rejected request consumed nothing on a real API, so counting it
 * would punish a client for being told "no" (and turn retries into a lock-out).
 *
 * limit and windowMs are passed on every call because the simulators can be
 * reconfigured live.
 */
export type AdmitResult = { admitted: true } | { admitted: false; retryAfterMs: number; retryAfterSeconds: number };

export interface RollingWindow {
  tryAdmit(now: number, limit: number, windowMs: number): AdmitResult;
  /** How many admitted requests are still inside the window at `now`. */
  countAt(now: number, windowMs: number): number;
  reset(): void;
}

export function createRollingWindow(): RollingWindow {
  // Ascending admission times; pruned lazily as they age out.
  let admitted: number[] = [];

  function prune(now: number, windowMs: number): void {
    const cutoff = now - windowMs;
    let drop = 0;
    while (drop < admitted.length && (admitted[drop] as number) <= cutoff) drop += 1;
    if (drop > 0) admitted = admitted.slice(drop);
  }

  return {
    tryAdmit(now, limit, windowMs) {
      prune(now, windowMs);
      if (admitted.length < limit) {
        admitted.push(now);
        return { admitted: true };
      }
      // The slot frees up when the oldest admitted request leaves the window.
      // With the window reduced to fewer requests than `limit` — possible
      // after a live reconfiguration — the oldest counted one is what matters.
      const oldest = admitted[admitted.length - limit] as number;
      const retryAfterMs = Math.max(1, oldest + windowMs - now);
      // Retry-After is whole seconds on the wire; round up so a client that
      // honours it is never early, and never say 0 (which means "now").
      return { admitted: false, retryAfterMs, retryAfterSeconds: Math.max(1, Math.ceil(retryAfterMs / 1000)) };
    },
    countAt(now, windowMs) {
      prune(now, windowMs);
      return admitted.length;
    },
    reset() {
      admitted = [];
    },
  };
}

/**
 * The largest number of timestamps inside any window, with the same (t - windowMs, t] convention as the
 * limiter, so a correct client-side limiter never produces a value above the server limit. One definition
 * for the simulator (the provider's view) and the broker's tests.
 */
export { maxInAnyWindow } from '../deterministic/rollingWindow';
