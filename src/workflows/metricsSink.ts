/**
 * Workflow-side metrics: a workflow (or the observability interceptor) reports events to the worker process
 * through the `breakwaterMetrics` sink. Sinks are not called while the worker replays history, so an event
 * is counted once however often the run is replayed. Fire-and-forget: a sink call never blocks or fails a
 * workflow.
 *
 *   import { emit } from './metricsSink';
 *   emit.loopDetected('plan', 'review');
 */
import { proxySinks, type Sinks } from '@temporalio/workflow';

export interface BreakwaterMetricsSinks extends Sinks {
  breakwaterMetrics: {
    pipelineClosed(p: { pipeline: string; outcome: 'completed' | 'failed' | 'rejected' | 'cancelled'; durationMs: number; costUsd?: number }): void;
    escalated(pipeline: string): void;
    resolved(pipeline: string, decision: string): void;
    budgetPaused(pipeline: string): void;
    handoff(pipeline: string, from: string, to: string): void;
    loopDetected(pipeline: string, step: string): void;
  };
}

/** The sink itself: call its functions from workflow code. */
export const emit = proxySinks<BreakwaterMetricsSinks>().breakwaterMetrics;
