/**
 * A tiny deterministic pseudo-random generator (mulberry32).
 *
 * Why not Math.random: simulators and tests must replay the exact same
 * sequence of "random" failures for a given seed, so a run that exposed a
 * bug can be reproduced. Why no imports: this file is pure so it is also
 * safe to use from Temporal workflow code, which must stay deterministic.
 *
 * Quality is fine for fault injection and test data; it is NOT suitable for
 * anything security related.
 */
export function createSeededRandom(seed: number): () => number {
  // Coerce to an unsigned 32-bit integer; NaN/Infinity collapse to 0 so a bad
  // seed still yields a valid (if boring) sequence instead of NaNs.
  let state = Number.isFinite(seed) ? Math.trunc(seed) >>> 0 : 0;
  return function next(): number {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    // Divide by 2^32 so the result is in [0, 1), never 1.
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
