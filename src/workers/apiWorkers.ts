/**
 * Workers for the broker's per-API task queues. Calls to a rate-limited API run on a queue of their own
 * (`<taskQueue>-api-<api>`, e.g. `breakwater-api-enrichment`), so that:
 * - calls queued for their slot hold slots of that queue's workers, never the main queue's;
 * - Temporal's server-side task-queue rate limit (maxTaskQueueActivitiesPerSecond) can be applied to that
 *   API alone — it is the `task-queue` and `both` limiters below;
 * - activities are never eagerly executed on the workflow's worker (which bypasses the server's limit).
 *
 * Run one `createApiWorkers` set in every worker process beside the main worker; any number of processes
 * share the same limit (the Postgres bucket and the server-side rate limit are both global).
 */
import { NativeConnection, Worker, type WorkerOptions } from '@temporalio/worker';
import { createEnrichmentActivities, ENRICHMENT_API, enrichmentLimit } from '../activities/enrichment';
import type { ApiLimit } from '../activities/broker/rollingBucket';
import type { BreakwaterConfig } from '../config';
import type { Db } from '../store/db';

/**
 * How the API's quota is held:
 * - `rolling-window` (default): the Postgres rolling-window bucket — exact, bursts the quota, measured best;
 * - `task-queue`: only Temporal's task-queue rate limit at limit/window per second (steady, no bursts);
 * - `both`: the bucket, plus the server-side rate limit as a backstop at the quota's full rate;
 * - `off`: no limit at all (the retry-storm baseline of the benchmark).
 */
export type ApiLimiterMode = 'rolling-window' | 'task-queue' | 'both' | 'off';

/** The broker task queue of one API, next to the main queue. Workflows derive the same name. */
export const apiTaskQueue = (mainTaskQueue: string, api: string): string => `${mainTaskQueue}-api-${api}`;

export interface ApiWorkersOptions {
  config: BreakwaterConfig;
  db: Db;
  connection: NativeConnection;
  /** Defaults to config.temporal.taskQueue; the API queues are named after it. */
  taskQueue?: string;
  limiter?: ApiLimiterMode;
  /** Quota overrides (tests scale the window down). */
  limit?: Partial<ApiLimit>;
  /** Server-side rate for `task-queue`/`both`, activities per second (default limit / window). */
  taskQueueActivitiesPerSecond?: number;
  /** Passed through to Worker.create (e.g. maxConcurrentActivityTaskExecutions, the queued calls it may hold). */
  workerOptions?: Partial<WorkerOptions>;
  /** Replaces the enrichment activity factory's other options (backoff, timeouts) in tests. */
  enrichment?: Omit<Parameters<typeof createEnrichmentActivities>[0], 'db' | 'config' | 'limiter' | 'limit'>;
}

/** One activity-only worker per rate-limited API (today: enrichment). Run them with `worker.run()`. */
export async function createApiWorkers(o: ApiWorkersOptions): Promise<Worker[]> {
  const mode = o.limiter ?? 'rolling-window';
  const limit = enrichmentLimit(o.config, o.limit);
  const rate = o.taskQueueActivitiesPerSecond ?? limit.limit / (limit.windowMs / 1000);
  const enrichment = await Worker.create({
    connection: o.connection,
    namespace: o.config.temporal.namespace,
    taskQueue: apiTaskQueue(o.taskQueue ?? o.config.temporal.taskQueue, ENRICHMENT_API),
    activities: createEnrichmentActivities({
      ...o.enrichment,
      db: o.db,
      config: o.config,
      limiter: mode === 'rolling-window' || mode === 'both' ? 'rolling-window' : 'off',
      limit: o.limit,
    }),
    // Queued calls sleep in their activity until their slot: allow enough of them (they cost no CPU).
    maxConcurrentActivityTaskExecutions: 500,
    shutdownGraceTime: o.config.shutdownGraceMs,
    ...(mode === 'task-queue' || mode === 'both' ? { maxTaskQueueActivitiesPerSecond: rate } : {}),
    ...o.workerOptions,
  });
  return [enrichment];
}
