/** The worker side of the `breakwaterMetrics` sink (src/workflows/metricsSink.ts): workflow events → metrics. */
import type { InjectedSinks } from '@temporalio/worker';
import type { BreakwaterMetricsSinks } from '../workflows/metricsSink';
import { recordBudgetPause, recordEscalation, recordHandoff, recordLoopDetected, recordPipelineClosed, recordResolution } from './metrics';

/** Not called during replay (callDuringReplay: false): a replayed run is not counted again. */
export const metricsSinks = (): InjectedSinks<BreakwaterMetricsSinks> => ({
  breakwaterMetrics: {
    pipelineClosed: { fn: (_info, p) => recordPipelineClosed(p), callDuringReplay: false },
    escalated: { fn: (_info, pipeline) => recordEscalation(pipeline), callDuringReplay: false },
    resolved: { fn: (_info, pipeline, decision) => recordResolution(pipeline, decision), callDuringReplay: false },
    budgetPaused: { fn: (_info, pipeline) => recordBudgetPause(pipeline), callDuringReplay: false },
    handoff: { fn: (_info, pipeline, from, to) => recordHandoff(pipeline, from, to), callDuringReplay: false },
    loopDetected: { fn: (_info, pipeline, step) => recordLoopDetected(pipeline, step), callDuringReplay: false },
  },
});
