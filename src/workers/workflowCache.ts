/**
 * How many runs a Breakwater worker keeps in its workflow cache by default. The SDK sizes the cache from the
 * heap assuming ~1.7 MiB per cached run (600 runs per GiB above 200 MiB); a waiting Breakwater run held
 * 2.2–3.8 MiB of RSS in `npm run bench -- scale` (part 2; 2.9 MiB each at 2,000 runs on a timer, 3.8 MiB
 * each at 1,000 on a person), so at the SDK's default a 4 GiB heap caches ~2,300 runs and the workflow
 * thread died out of memory at 2,000 waiting runs. A run evicted from the cache is replayed
 * from history when its next task arrives — slower, never lost; a worker thread out of memory takes every
 * run with it. Set `workerOptions.maxCachedWorkflows` to choose otherwise.
 */
import v8 from 'node:v8';

const MiB = 2 ** 20;
/** Heap kept for everything but cached runs (the SDK keeps 200 MiB). */
export const HEAP_RESERVED_MIB = 256;
/** What one cached run may hold: the bench's worst reading per waiting run (3.8 MiB), with headroom. */
export const MIB_PER_CACHED_RUN = 5;

export function defaultMaxCachedWorkflows(heapLimitMiB: number = v8.getHeapStatistics().heap_size_limit / MiB): number {
  return Math.max(10, Math.floor(Math.max(0, heapLimitMiB - HEAP_RESERVED_MIB) / MIB_PER_CACHED_RUN));
}
