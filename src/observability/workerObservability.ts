/**
 * What a Breakwater worker needs for observability, as Worker.create options: the activity interceptors
 * (metrics, and RunActivity spans) and the sinks the bundled workflow interceptors report through
 * (`breakwaterMetrics`, and `exporter` for workflow spans). Caller-supplied interceptors and sinks are kept.
 * Workers that replay histories (Worker.runReplayHistory) need the same sinks: pass `observabilitySinks()`.
 */
import type { WorkerOptions } from '@temporalio/worker';
import type { BreakwaterConfig } from '../config';
import { recordActivityFailure } from '../store/activityFailures';
import type { Db } from '../store/db';
import { activityInterceptorRecording, activityMetricsInterceptor } from './activityMetrics';
import { metricsSinks } from './sinks';
import { installTracingFromConfig, tracingActivityInterceptors, tracingSinks } from './tracing';

export const observabilitySinks = () => ({ ...metricsSinks(), ...tracingSinks() });

/**
 * `workflowModules`: the workflow interceptor modules when the worker bundles at start (no prebuilt bundle);
 * a prebuilt bundle already contains them (src/workers/bundle.ts).
 */
export function workerObservability(
  config: BreakwaterConfig,
  extra: Partial<WorkerOptions> = {},
  workflowModules: string[] = [],
  /** With a database, every failed activity attempt is recorded (activity_failures) for explain and the viewer. */
  db?: Db,
): Pick<WorkerOptions, 'interceptors' | 'sinks'> {
  installTracingFromConfig(config); // no-op without OTEL_EXPORTER_OTLP_ENDPOINT (or when already installed)
  const metrics = db ? activityInterceptorRecording((f) => recordActivityFailure(db, f)) : activityMetricsInterceptor;
  return {
    interceptors: {
      ...extra.interceptors,
      ...(workflowModules.length ? { workflowModules: [...workflowModules, ...(extra.interceptors?.workflowModules ?? [])] } : {}),
      // Tracing first, so the metrics interceptor runs inside the RunActivity span.
      activity: [...tracingActivityInterceptors(), metrics, ...(extra.interceptors?.activity ?? [])],
    },
    sinks: { ...observabilitySinks(), ...extra.sinks },
  };
}
