/**
 * Workers for the broker's per-API task queues. Calls to a rate-limited API run on a queue of their own
 * (`<taskQueue>-api-<api>`, e.g. `breakwater-api-shop`), so that:
 * - calls queued for their slot hold slots of that queue's workers, never the main queue's;
 * - Temporal's server-side task-queue rate limit (maxTaskQueueActivitiesPerSecond) can be applied to that
 *   API alone, as a backstop to the Postgres bucket or instead of it;
 * - activities are never eagerly executed on the workflow's worker (which bypasses the server's limit).
 *
 * Run one `createApiWorkers` set in every worker process beside the main worker; any number of processes
 * share the same limit (the Postgres bucket and the server-side rate limit are both global). Workflow code
 * reaches an API's activities with `proxyApi` (breakwater/workflow), which derives the same queue name.
 */
import { NativeConnection, Worker, type WorkerOptions } from '@temporalio/worker';
import type { BreakwaterConfig } from '../config';
import { apiTaskQueue } from '../contracts/api';
import { breakwaterDataConverter } from '../codec/dataConverter';

export { apiTaskQueue };

/** One rate-limited API: its name and its activities (each wrapped with `createApiBroker(...).activity`). */
export interface ApiWorkerSpec {
  api: string;
  activities: object;
  /** Temporal's server-side rate limit for this API's queue, activities per second. Unset: none. */
  maxActivitiesPerSecond?: number;
  /** Passed through to Worker.create for this API's worker. */
  workerOptions?: Partial<WorkerOptions>;
}

export interface ApiWorkersOptions {
  config: BreakwaterConfig;
  connection: NativeConnection;
  /** Defaults to config.temporal.taskQueue; the API queues are named after it. */
  taskQueue?: string;
  apis: readonly ApiWorkerSpec[];
}

/** One activity-only worker per rate-limited API. Run them with `worker.run()`. */
export async function createApiWorkers(o: ApiWorkersOptions): Promise<Worker[]> {
  return Promise.all(
    o.apis.map((spec) =>
      Worker.create({
        connection: o.connection,
        namespace: o.config.temporal.namespace,
        taskQueue: apiTaskQueue(o.taskQueue ?? o.config.temporal.taskQueue, spec.api),
        activities: spec.activities,
        // Queued calls sleep in their activity until their slot: allow enough of them (they cost no CPU).
        maxConcurrentActivityTaskExecutions: 500,
        shutdownGraceTime: o.config.shutdownGraceMs,
        ...(spec.maxActivitiesPerSecond === undefined ? {} : { maxTaskQueueActivitiesPerSecond: spec.maxActivitiesPerSecond }),
        ...spec.workerOptions,
        dataConverter: breakwaterDataConverter(o.config, spec.workerOptions?.dataConverter), // activity inputs and results are encrypted too
      }),
    ),
  );
}
