/**
 * Builds a Breakwater worker. Users embed this in their own worker processes (passing extra activities);
 * `npm run worker` (main.ts) runs it as a process of its own.
 */
import { NativeConnection, Worker, type WorkerOptions } from '@temporalio/worker';
import { createActivities } from '../activities';
import type { BreakwaterConfig } from '../config';
import type { Db } from '../store/db';
import { prebuiltBundle, workflowInterceptorModules, workflowsPath } from './bundle';
import { workerObservability } from '../observability/workerObservability';

export interface BreakwaterWorkerOptions {
  config: BreakwaterConfig;
  db: Db;
  connection: NativeConnection;
  /** Defaults to config.temporal.taskQueue. */
  taskQueue?: string;
  /** Extra or replacement activities (merged over Breakwater's own). */
  activities?: Record<string, (...args: never[]) => Promise<unknown>>;
  /** Passed through to Worker.create (e.g. maxConcurrentActivityTaskExecutions). */
  workerOptions?: Partial<WorkerOptions>;
}

export async function createBreakwaterWorker(o: BreakwaterWorkerOptions): Promise<Worker> {
  const bundle = prebuiltBundle();
  return Worker.create({
    connection: o.connection,
    namespace: o.config.temporal.namespace,
    taskQueue: o.taskQueue ?? o.config.temporal.taskQueue,
    ...(bundle ? { workflowBundle: bundle } : { workflowsPath: workflowsPath() }),
    activities: { ...createActivities({ db: o.db, config: o.config }), ...o.activities },
    shutdownGraceTime: o.config.shutdownGraceMs,
    ...o.workerOptions,
    ...workerObservability(o.config, o.workerOptions, bundle ? [] : workflowInterceptorModules()), // metrics + tracing interceptors and sinks, merged with the caller's
  });
}
