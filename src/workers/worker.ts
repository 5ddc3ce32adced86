/**
 * Builds a Breakwater worker: your workflows and activities with Breakwater's, its interceptors included.
 * Users embed this in their own worker processes; the reference pipelines' worker (src/pipelines/worker.ts)
 * is one such user.
 */
import { existsSync, readFileSync } from 'node:fs';
import { NativeConnection, Worker, type WorkerOptions } from '@temporalio/worker';
import { createActivities, type ActivityDeps } from '../activities';
import type { BreakwaterConfig } from '../config';
import type { Db } from '../store/db';
import { breakwaterBundlePath, bundleWorkflows } from './bundle';
import { workerObservability } from '../observability/workerObservability';
import { installTracingFromConfig, tracingEnabled } from '../observability/tracing';
import { createLogger } from './logger';
import { startAlertRelay } from './alertRelay';
import { breakwaterDataConverter } from '../codec/dataConverter';
import { defaultMaxCachedWorkflows } from './workflowCache';

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
  /** Passed through to Worker.create (e.g. maxConcurrentActivityTaskExecutions). */
  workerOptions?: Partial<WorkerOptions>;
  /**
   * The alert outbox's relay, delivering alerts a channel refused or a crash left pending, while the worker
   * runs. Default every 15 s; `false` when another process of yours runs it.
   */
  alertRelay?: false | { intervalMs?: number };
}

/**
 * The bundle this worker runs. Bundled here, it holds OpenTelemetry's workflow interceptors only when tracing
 * is installed (bundle.ts: a run then skips their modules), and the caller's failure converter if it has one.
 * The prebuilt bundles (Breakwater's, the reference pipelines') have neither tracing nor another converter,
 * so such a worker bundles at start: the one place that decides whether a prebuilt bundle fits.
 */
async function workflowBundleFor(o: BreakwaterWorkerOptions, tracing: boolean): Promise<{ code: string } | { codePath: string }> {
  if (o.workflowBundle) {
    if (!tracing || bundleTraces(o.workflowBundle)) return o.workflowBundle;
    if (!o.workflowsPath) {
      createLogger(o.config.logLevel).warn('tracing is on, but the prebuilt workflow bundle has no OpenTelemetry workflow interceptors: runs will have activity spans only (build it with writeWorkflowBundle(file, { tracing: true }), or pass workflowsPath too)');
      return o.workflowBundle;
    }
  }
  // A failure converter of the caller's is bundled in place of Breakwater's (the prebuilt bundle has Breakwater's).
  const failureConverterPath = o.workerOptions?.dataConverter?.failureConverterPath;
  if (!tracing && !o.workflowsPath && !o.workflowInterceptorModules?.length && !failureConverterPath && existsSync(breakwaterBundlePath())) return { codePath: breakwaterBundlePath() };
  return bundleWorkflows({ workflowsPath: o.workflowsPath, workflowInterceptorModules: o.workflowInterceptorModules, failureConverterPath, tracing });
}

/** Whether a bundle holds OpenTelemetry's workflow interceptors (webpack keeps module paths as ids). */
export function bundleTraces(bundle: { code: string } | { codePath: string }): boolean {
  const code = 'code' in bundle ? bundle.code : readFileSync(bundle.codePath, 'utf8');
  return code.includes('interceptors-opentelemetry/lib/workflow-interceptors');
}

export async function createBreakwaterWorker(o: BreakwaterWorkerOptions): Promise<Worker> {
  const activities = createActivities({ db: o.db, config: o.config, effects: o.effects, resourceResolvers: o.resourceResolvers, llm: o.llm, tools: o.tools });
  installTracingFromConfig(o.config); // before choosing the bundle: a tracing worker bundles the span interceptors
  const worker = await Worker.create({
    connection: o.connection,
    namespace: o.config.temporal.namespace,
    taskQueue: o.taskQueue ?? o.config.temporal.taskQueue,
    workflowBundle: await workflowBundleFor(o, tracingEnabled()),
    activities: { ...activities, ...o.activities },
    shutdownGraceTime: o.config.shutdownGraceMs,
    maxCachedWorkflows: defaultMaxCachedWorkflows(), // sized for what a Breakwater run holds (workflowCache.ts)
    ...o.workerOptions,
    // Every payload this worker writes to Temporal is encrypted; it reads encrypted and plaintext ones.
    dataConverter: breakwaterDataConverter(o.config, o.workerOptions?.dataConverter),
    ...workerObservability(o.config, o.workerOptions, [], o.db), // metrics, failed attempts + tracing interceptors and sinks, merged with the caller's
  });
  if (o.alertRelay !== false) runAlongside(worker, () => startAlertRelay({ db: o.db, config: o.config, intervalMs: o.alertRelay ? o.alertRelay.intervalMs : undefined }));
  return worker;
}

/** Starts `service` when the worker starts running and stops it once the worker has drained (run/runUntil). */
function runAlongside(worker: Worker, service: () => { stop(): Promise<void> }): void {
  const run = worker.run.bind(worker);
  worker.run = async () => {
    const s = service();
    try {
      return await run();
    } finally {
      await s.stop();
    }
  };
}
