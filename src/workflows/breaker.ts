/**
 * Waiting out an open circuit breaker, for any step. The breaker lives in Postgres and is shared by every
 * run; while it is open the run escalates (kind `breaker-open`, the first and latest failure attached) and
 * re-reads the breaker every `pollInterval`. It returns when a person clears the breaker (here, through the
 * CLI, or in another run), or answers this run's escalation — an approve/retry clears the breaker on their
 * behalf, a reject is returned for the caller to end the run. For a step that opted in to a half-open probe
 * it also returns once the breaker says a probe is due: the caller calls the step again, the one attempt
 * that claims the probe tries the outside system, and the others are refused and wait again.
 */
import { CancellationScope, condition, isCancellation, patched, proxyActivities, setHandler, sleep, workflowInfo } from '@temporalio/workflow';
import type { Activities } from '../activities';
import type { BreakerProbe, BreakerState } from '../activities/circuitBreaker';
import { breakerClearedSignal } from '../contracts/messages';
import type { Resolution } from '../contracts/resolution';
import type { HumanGate } from './humanGate';

const control = proxyActivities<Activities>({
  startToCloseTimeout: '30 seconds',
  retry: { initialInterval: '1 second', maximumInterval: '10 seconds' },
});

export interface BreakerWaitOptions {
  gate: HumanGate;
  pipeline: string;
  step: string;
  /** How often the breaker is re-read, ms. Default 10 s. */
  pollIntervalMs?: number;
  /**
   * Called when the history grows long while waiting (days): carry on in a fresh run, e.g.
   * `() => continueAsNew<typeof myWorkflow>(input)`. Without it the run keeps waiting in place.
   */
  continueAsNew?: () => Promise<never>;
}

export type BreakerWaitOutcome =
  /** Cleared by a person elsewhere (CLI, another run), or by another run's half-open probe: call the step again. */
  | { kind: 'cleared' }
  /** The step opted in to a half-open probe and one is due: call the step again (one caller probes, the rest wait again). */
  | { kind: 'probe-due' }
  /** A person answered this run: approve/retry (the breaker is now cleared) or reject (it stays open). */
  | { kind: 'resolved'; resolution: Resolution };

/** The state a BW_BREAKER_OPEN activity failure carries in `details[0]`. */
export type { BreakerProbe, BreakerState };

/** Marks histories whose breaker waits return when a half-open probe is due; older ones replay as they ran. */
export const BREAKER_HALF_OPEN_PATCH = 'breakwater.breaker-half-open';

export async function waitForBreaker(opened: BreakerState, o: BreakerWaitOptions): Promise<BreakerWaitOutcome> {
  const probes = patched(BREAKER_HALF_OPEN_PATCH);
  await control.alertBreakerOpen(o.pipeline, o.step);
  const watch = { cleared: false, rollOver: false, hints: 0, probeDue: false };
  // A clear elsewhere signals the waiting runs, which re-read the breaker at once rather than up to a poll
  // interval later (behind a patch: histories recorded before it replay unchanged).
  const wakeable = patched('breakwater.breaker-clear-wakes');
  if (wakeable) {
    setHandler(breakerClearedSignal, (b) => {
      if (b?.pipeline === o.pipeline && b?.step === o.step) watch.hints += 1;
    });
  }
  const scope = new CancellationScope();
  const polling = scope
    .run(async () => {
      for (let seen = 0; ; seen = watch.hints) {
        if (wakeable) await condition(() => watch.hints > seen, o.pollIntervalMs ?? 10_000);
        else await sleep(o.pollIntervalMs ?? 10_000);
        const now = await control.getCircuitBreaker(o.pipeline, o.step);
        if (now.state === 'closed' || now.openedAt !== opened.openedAt) return void (watch.cleared = true);
        // `probeDue` is the database's verdict, read by an activity: replays see the same answer.
        if (probes && now.probeDue) return void (watch.probeDue = true);
        if (o.continueAsNew && workflowInfo().continueAsNewSuggested) return void (watch.rollOver = true);
      }
    })
    .catch((e: unknown) => {
      if (!isCancellation(e)) throw e;
    });
  let resolution: Resolution | undefined;
  try {
    resolution = await o.gate.escalateUntil(
      {
        kind: 'breaker-open',
        reason: `${opened.consecutiveFailures} consecutive failures of ${o.step}: the breaker is open for every ${o.pipeline} run`,
        step: o.step,
        firstFailure: opened.firstFailure ?? undefined,
        latestFailure: opened.latestFailure ?? undefined,
        details: {
          openedAt: opened.openedAt,
          breaker: { pipeline: o.pipeline, step: o.step },
          clear: `breakwater breaker clear ${o.pipeline} ${o.step} --by <you>`,
          // The step opted in: a probe will try the system then, with no one acting.
          ...(opened.probeDueAt ? { halfOpenProbeAt: opened.probeDueAt } : {}),
        },
      },
      () => watch.cleared || watch.rollOver || watch.probeDue,
    );
  } finally {
    scope.cancel();
  }
  await polling;
  if (wakeable) setHandler(breakerClearedSignal, undefined);
  if (!resolution && watch.rollOver && o.continueAsNew) await o.continueAsNew();
  if (!resolution) return watch.probeDue && !watch.cleared ? { kind: 'probe-due' } : { kind: 'cleared' };
  if (resolution.decision !== 'reject') {
    await control.clearCircuitBreaker({
      pipeline: o.pipeline,
      step: o.step,
      by: resolution.by,
      reason: resolution.reason ?? `resolved '${resolution.decision}' on ${workflowInfo().workflowId}`,
      via: `resolve:${workflowInfo().workflowId}`,
    });
  }
  return { kind: 'resolved', resolution };
}
