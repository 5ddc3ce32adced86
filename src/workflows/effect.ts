/**
 * The effect primitive, workflow side: `performAndVerify` makes an irreversible call exactly once and
 * reports VERIFIED only when a look at the outside system saw it.
 *
 * The incident it exists for: a submit step posted a form and reported COMPLETE, a verify step asked the
 * portal 5 s later, saw nothing and reported NOT_SUBMITTED. Both were right — the portal needed ~60 s — and
 * retries then risked submitting twice. So: the call goes out once per fingerprint, behind a breaker
 * shared by every run; a durable timer waits out the system's lag; only a look that saw the effect is
 * success; a rejection, an open breaker or a deadline without a sighting waits for a person.
 */
import { ActivityFailure, ApplicationFailure, proxyActivities, sleep } from '@temporalio/workflow';
import type { Activities } from '../activities';
import type { BreakerState } from '../activities/circuitBreaker';
import {
  effectKey,
  type EffectOptions,
  type EffectOutcome,
  type EffectProgress,
  type FingerprintFields,
  type NotSubmittedReason,
  type Observation,
  type Submission,
} from '../contracts/effect';
import { nextPollWait } from '../deterministic/pollBackoff';
import { Failure, failureDetails, isFailure } from '../failures';
import { waitForBreaker } from './breaker';
import type { HumanGate } from './humanGate';

type NotSubmitted = Extract<EffectOutcome, { status: 'NOT_SUBMITTED' }>;

export interface PerformAndVerifyOptions {
  gate: HumanGate;
  /** The registered effect's name (`defineEffect({ name })` on the worker). */
  effect: string;
  /** The fields that identify this effect: the same fields are sent at most once, across all runs. */
  fields: FingerprintFields;
  /** What the effect's `perform` receives: a JSON object of the effect's payload type (`defineEffect<P>`). */
  payload: object;
  /** The pipeline and step the shared breaker is keyed by. */
  pipeline: string;
  step: string;
  /** Parsed `effectOptionsSchema` values (durations in ms). */
  options: EffectOptions;
  /** Kept up to date for a `progress` query; pass your own object to expose it. */
  progress?: EffectProgress;
  /** For waits that outgrow the history: `() => continueAsNew<typeof myWorkflow>(input)`. */
  continueAsNew?: () => Promise<never>;
}

const iso = (ms: number) => new Date(ms).toISOString();

/** The ApplicationFailure an activity ended with, if that is how it ended. */
function activityFailure(e: unknown): ApplicationFailure | undefined {
  return e instanceof ActivityFailure && e.cause instanceof ApplicationFailure ? e.cause : undefined;
}

export async function performAndVerify(o: PerformAndVerifyOptions): Promise<EffectOutcome> {
  const { gate, options } = o;
  const key = effectKey(o.effect, o.fields);
  const progress: EffectProgress = o.progress ?? { phase: 'submitting', fingerprint: key, observations: [] };
  progress.fingerprint = key;

  const control = proxyActivities<Activities>({
    startToCloseTimeout: '30 seconds',
    retry: { initialInterval: '1 second', maximumInterval: '10 seconds' },
  });
  const { observeEffect } = proxyActivities<Activities>({
    startToCloseTimeout: '30 seconds',
    retry: { initialInterval: '1 second', maximumAttempts: 3 },
  });
  const { performEffectOnce } = proxyActivities<Activities>({
    startToCloseTimeout: options.submitTimeout,
    retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '30 seconds', nonRetryableErrorTypes: [Failure.ConfigInvalid.type] },
  });

  const notSubmitted = (reason: NotSubmittedReason, extra: Partial<NotSubmitted> = {}): NotSubmitted => ({
    status: 'NOT_SUBMITTED',
    fingerprint: key,
    reason,
    evidence: [...progress.observations],
    ...extra,
  });

  /** Exactly one accepted call, or the reason there is none. */
  async function performBehindBreaker(): Promise<Submission | NotSubmitted> {
    for (;;) {
      progress.phase = 'submitting';
      try {
        return await performEffectOnce({ effect: o.effect, fields: o.fields, payload: o.payload, pipeline: o.pipeline, step: o.step, visibilityWindowMs: options.visibilityWindow ?? options.verifyDelay });
      } catch (e) {
        const failure = activityFailure(e);
        if (failure && isFailure(failure, Failure.BreakerOpen)) {
          const opened = failureDetails<BreakerState>(failure, Failure.BreakerOpen)!;
          progress.phase = 'awaiting-breaker';
          const waited = await waitForBreaker(opened, { gate, pipeline: o.pipeline, step: o.step, pollIntervalMs: options.breakerPollInterval, continueAsNew: o.continueAsNew });
          if (waited.kind === 'resolved' && waited.resolution.decision === 'reject') {
            return notSubmitted('breaker-open', { failures: { first: opened.firstFailure ?? undefined, latest: opened.latestFailure ?? undefined }, resolution: waited.resolution });
          }
          continue;
        }
        if (failure && isFailure(failure, Failure.EffectRejected)) {
          progress.phase = 'awaiting-human';
          const latest = { error: failure.message, at: iso(Date.now()) };
          const resolution = await gate.escalate({ kind: 'submit-rejected', reason: `The system rejected the call: ${failure.message}`, step: o.step, latestFailure: latest, allowed: ['retry', 'reject'] });
          if (resolution.decision === 'reject') return notSubmitted('portal-rejected', { failures: { latest }, resolution });
          continue;
        }
        throw e;
      }
    }
  }

  /** Looks with backoff until one sees our confirmation, or the deadline passes. */
  async function lookUntilVisible(submission: Submission, deadlineAt: number): Promise<Observation | undefined> {
    for (let attempt = 0; ; attempt++) {
      const seen = await observeEffect({ effect: o.effect, fields: o.fields, payload: o.payload, confirmation: submission.confirmation });
      progress.observations.push(seen);
      if (seen.visible) return seen;
      const wait = nextPollWait(attempt, options.pollBackoff, deadlineAt - Date.now());
      if (wait === undefined) return undefined;
      await sleep(wait);
    }
  }

  for (;;) {
    // 1. Call exactly once, behind the breaker.
    const submitted = await performBehindBreaker();
    if ('status' in submitted) return submitted;
    progress.submission = submitted;
    // 2. The fingerprint was first sent with another payload: the system holds that one. Never VERIFIED silently.
    let payloadMismatch: { acceptedBy: string } | undefined;
    if (!submitted.payloadMatches) {
      progress.phase = 'awaiting-human';
      const resolution = await gate.escalate({
        kind: 'payload-mismatch',
        reason: `${key} was first sent with another payload; the system holds that one (confirmation ${submitted.confirmation}), not this run's`,
        step: o.step,
        details: { fingerprint: key, confirmation: submitted.confirmation, payload: o.payload },
        allowed: ['approve', 'reject'],
      });
      if (resolution.decision === 'reject') return notSubmitted('payload-mismatch', { confirmation: submitted.confirmation, submittedAt: submitted.submittedAt, resolution });
      payloadMismatch = { acceptedBy: resolution.by };
    }

    // 3. The system's processing lag: a durable timer (survives worker and server restarts), counted from the acceptance.
    const anchor = submitted.via === 'cached' ? Date.parse(submitted.submittedAt) : Date.now();
    progress.verifyAt = iso(anchor + options.verifyDelay);
    progress.deadlineAt = iso(anchor + options.verifyDeadline);
    progress.phase = 'verify-delay';
    const delay = anchor + options.verifyDelay - Date.now();
    if (delay > 0) await sleep(delay);

    // 4. Success only from a look that saw the effect.
    progress.phase = 'verifying';
    const seen = await lookUntilVisible(submitted, anchor + options.verifyDeadline);
    if (seen) {
      return { status: 'VERIFIED', fingerprint: key, confirmation: submitted.confirmation, submittedAt: submitted.submittedAt, verifiedAt: seen.at, via: submitted.via, observations: [...progress.observations], ...(payloadMismatch ? { payloadMismatch } : {}) };
    }

    // 5. Never seen by the deadline: surface it at once; a person decides to retry (reconcile first) or accept it.
    progress.phase = 'awaiting-human';
    const reason = `not visible ${Math.round(options.verifyDeadline / 1000)} s after submission`;
    await control.alertNotSubmitted({ fingerprint: key, confirmation: submitted.confirmation, reason, observations: progress.observations, pipeline: o.pipeline, step: 'verify' });
    const resolution = await gate.escalate({
      kind: 'not-submitted',
      reason: `Confirmation ${submitted.confirmation} was ${reason}`,
      step: 'verify',
      details: { fingerprint: key, confirmation: submitted.confirmation, submittedAt: submitted.submittedAt, observations: progress.observations },
      allowed: ['retry', 'reject'],
    });
    if (resolution.decision === 'reject') {
      return notSubmitted('not-visible-by-deadline', { confirmation: submitted.confirmation, submittedAt: submitted.submittedAt, resolution });
    }
    await control.reopenFingerprint(key, resolution.by, resolution.reason ?? 'retry after NOT_SUBMITTED');
  }
}
