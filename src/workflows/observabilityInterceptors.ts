/**
 * Workflow interceptors that turn what every Breakwater run already does into metrics, with no code in the
 * pipelines themselves: its close (outcome, end-to-end time, cost), escalations and budget pauses (read
 * from the search attributes the run sets), resolutions (the `resolve` Update), handoffs between agent
 * roles (successive `callModel` activities with different roles), and loops stopped by a convergence guard
 * (an alert carrying `details.trip`). It also keeps the run's "Current details" in the Web UI up to date,
 * and gives every run a final BreakwaterStatus.
 *
 * Not a workflow: bundled with `workflowInterceptorModules` (src/workers/bundle.ts). Deterministic; it
 * reports only through the `breakwaterMetrics` sink, which the worker skips during replay.
 */
import { isCancellation, patched, setCurrentDetails, workflowInfo, type WorkflowInterceptors } from '@temporalio/workflow';
import { resolveSignal } from '../contracts/messages';
import { BreakwaterBudgetState, BreakwaterCostUsd, BreakwaterPipeline, BreakwaterStatus } from '../contracts/searchAttributes';
import { isHumanRejection } from './humanGate';
import { emit } from './metricsSink';
import { markStatus } from './status';

const isContinueAsNew = (e: unknown): boolean => (e as { name?: string } | undefined)?.name === 'ContinueAsNew';
const terminal = new Set<string>(['Completed', 'Failed', 'Rejected']);

/**
 * Every run — a user's included — ends with BreakwaterStatus Completed, Rejected or Failed, unless it set a
 * final status itself. Behind a patch: histories recorded before this existed replay unchanged.
 */
function settleStatus(status: 'Completed' | 'Failed' | 'Rejected'): void {
  const current = workflowInfo().typedSearchAttributes.get(BreakwaterStatus);
  if (current !== undefined && terminal.has(current)) return;
  if (patched('breakwater.final-status')) markStatus(status);
}

export const interceptors = (): WorkflowInterceptors => {
  const seen = { status: undefined as string | undefined, budget: undefined as string | undefined, lastRole: undefined as string | undefined, details: '' };
  const pipeline = (): string => workflowInfo().typedSearchAttributes.get(BreakwaterPipeline) ?? workflowInfo().workflowType;
  const decisionOf = (args: unknown[]): string | undefined => {
    const d = (args[0] as { decision?: unknown } | undefined)?.decision;
    return typeof d === 'string' ? d : undefined;
  };

  const closed = (how: 'completed' | 'failed' | 'cancelled') => {
    const info = workflowInfo();
    // A run that returned normally but marked itself Failed/Rejected (e.g. NOT_SUBMITTED) did not succeed.
    const status = info.typedSearchAttributes.get(BreakwaterStatus);
    const outcome = how === 'completed' && status === 'Failed' ? 'failed' : how === 'completed' && status === 'Rejected' ? 'rejected' : how;
    emit.pipelineClosed({ pipeline: pipeline(), outcome, durationMs: Date.now() - info.startTime.getTime(), costUsd: info.typedSearchAttributes.get(BreakwaterCostUsd) });
  };

  return {
    inbound: [
      {
        async execute(input, next) {
          try {
            const result = await next(input);
            settleStatus('Completed');
            closed('completed');
            return result;
          } catch (e) {
            if (!isContinueAsNew(e)) {
              // A person rejected the run: the human gate's and the agent runner's failure (Failure.HumanRejected).
              settleStatus(isHumanRejection(e) ? 'Rejected' : 'Failed');
              closed(isCancellation(e) ? 'cancelled' : 'failed');
            }
            throw e;
          }
        },
        async handleUpdate(input, next) {
          const result = await next(input);
          const decision = input.name === resolveSignal.name ? decisionOf(input.args) : undefined;
          if (decision) emit.resolved(pipeline(), decision);
          return result;
        },
      },
    ],
    outbound: [
      {
        scheduleActivity(input, next) {
          if (input.activityType === 'callModel') {
            const role = (input.args[0] as { role?: unknown } | undefined)?.role;
            if (typeof role === 'string') {
              if (seen.lastRole !== undefined && seen.lastRole !== role) emit.handoff(pipeline(), seen.lastRole, role);
              seen.lastRole = role;
            }
          }
          // A convergence guard that tripped (plan-execute-review: replan/iteration/step limits) alerts with
          // details.trip: that is a loop detected and stopped. Pipelines can also call emit.loopDetected.
          if (input.activityType === 'sendAlert') {
            const trip = (input.args[0] as { details?: { trip?: { kind?: unknown } }; step?: unknown } | undefined)?.details?.trip;
            if (typeof trip?.kind === 'string') emit.loopDetected(pipeline(), trip.kind);
          }
          return next(input);
        },
      },
    ],
    internals: [
      {
        concludeActivation(input, next) {
          // Transitions of the run's own search attributes, once per activation.
          const attrs = workflowInfo().typedSearchAttributes;
          const status = attrs.get(BreakwaterStatus);
          if (status !== seen.status) {
            if (status === 'AwaitingHuman') emit.escalated(pipeline());
            seen.status = status;
          }
          const budget = attrs.get(BreakwaterBudgetState);
          if (budget !== seen.budget) {
            if (budget === 'exhausted') emit.budgetPaused(pipeline());
            seen.budget = budget;
          }
          // The run's summary in the Web UI ("Current details"): pipeline, status, cost so far, budget.
          const cost = attrs.get(BreakwaterCostUsd);
          const details = `**${pipeline()}** · status **${status ?? 'Running'}** · cost ${cost === undefined ? 'n/a' : `${cost.toFixed(6)} USD`}${budget ? ` · budget ${budget}` : ''}`;
          if (details !== seen.details) {
            setCurrentDetails(details);
            seen.details = details;
          }
          return next(input);
        },
      },
    ],
  };
};
