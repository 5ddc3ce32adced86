/**
 * `createBreakwaterWorker`: a convenience over the plugin (src/workers/plugin.ts) for the common case — one
 * call that takes Breakwater's dependencies and your workflows, and returns a Temporal `Worker`. It is exactly
 * `Worker.create({ ...workerOptions, connection, taskQueue, workflowsPath, workflowBundle, activities,
 * plugins: [breakwater({ config, db, effects, … }), ...workerOptions.plugins] })`: write that yourself when
 * you want your own `Worker.create` (the example project does).
 */
import { NativeConnection, Worker, type WorkerOptions } from '@temporalio/worker';
import type { ActivityDeps } from '../activities';
import type { BreakwaterConfig } from '../config';
import type { Db } from '../store/db';
import { breakwater } from './plugin';

export { bundleTraces } from './bundle';

export interface BreakwaterWorkerOptions extends Pick<ActivityDeps, 'effects' | 'resourceResolvers' | 'llm' | 'tools'> {
  config: BreakwaterConfig;
  db: Db;
  connection: NativeConnection;
  /** Defaults to config.temporal.taskQueue. */
  taskQueue?: string;
  /**
   * Your workflows module (.ts or .js), bundled with Breakwater's workflows and interceptors when the worker
   * starts (webpack: seconds). For a fast start, prebuild with `writeWorkflowBundle` and use `workflowBundle`.
   */
  workflowsPath?: string;
  /**
   * A bundle prebuilt by `bundleWorkflows`/`writeWorkflowBundle` (it already holds Breakwater's workflows).
   * Given with `workflowsPath`, it is used when it fits: a worker that traces and a bundle without the
   * tracing interceptors bundles `workflowsPath` at start instead.
   */
  workflowBundle?: { code: string } | { codePath: string };
  /** Your own workflow interceptor modules (with `workflowsPath`). */
  workflowInterceptorModules?: string[];
  /** Your activities, registered next to Breakwater's (a name of Breakwater's may be replaced, e.g. in tests). */
  activities?: object;
  /** Passed through to Worker.create (e.g. maxConcurrentActivityTaskExecutions, other plugins). */
  workerOptions?: Partial<WorkerOptions>;
  /**
   * The alert outbox's relay, delivering alerts a channel refused or a crash left pending, while the worker
   * runs. Default every 15 s; `false` when another process of yours runs it.
   */
  alertRelay?: false | { intervalMs?: number };
}

export async function createBreakwaterWorker(o: BreakwaterWorkerOptions): Promise<Worker> {
  const own = o.workerOptions ?? {};
  const workflowModules = [...(own.interceptors?.workflowModules ?? []), ...(o.workflowInterceptorModules ?? [])];
  return Worker.create({
    ...own,
    connection: o.connection,
    taskQueue: o.taskQueue ?? own.taskQueue ?? o.config.temporal.taskQueue,
    workflowsPath: o.workflowsPath,
    workflowBundle: o.workflowBundle,
    activities: o.activities,
    ...(workflowModules.length ? { interceptors: { ...own.interceptors, workflowModules } } : {}),
    plugins: [breakwater({ config: o.config, db: o.db, effects: o.effects, resourceResolvers: o.resourceResolvers, llm: o.llm, tools: o.tools, alertRelay: o.alertRelay }), ...(own.plugins ?? [])],
  });
}
