/**
 * Submit-and-verify: the reference pipeline for any irreversible action.
 *
 * The incident it exists for: a submit step posted a form and reported COMPLETE, a verify step asked the
 * portal 5 s later, saw nothing and reported NOT_SUBMITTED. Both were right — the portal needs ~60 s before
 * a submission is visible — and retries then risked submitting twice. So: the submission goes out exactly
 * once (fingerprint), behind a circuit breaker shared by every run; a durable timer waits out the portal's
 * lag; only a verification that saw the record reports success; anything else waits for a person.
 */
import {
  ActivityFailure,
  ApplicationFailure,
  CancellationScope,
  continueAsNew,
  defineQuery,
  isCancellation,
  log,
  proxyActivities,
  setHandler,
  sleep,
  workflowInfo,
} from '@temporalio/workflow';
import type { Activities } from '../activities';
import type { BreakerState } from '../activities/circuitBreaker';
import type { Resolution } from '../contracts/resolution';
import { BreakwaterPipeline } from '../contracts/searchAttributes';
import {
  PORTAL_SUBMIT_STEP,
  PROGRESS_QUERY,
  SUBMIT_AND_VERIFY,
  submitAndVerifyInputSchema,
  type NotSubmittedReason,
  type Observation,
  type ParsedSubmitAndVerifyInput,
  type Submission,
  type SubmitAndVerifyInput,
  type SubmitAndVerifyProgress,
  type SubmitAndVerifyResult,
} from '../contracts/submitAndVerify';
import { fingerprintKey } from '../deterministic/fingerprintKey';
import { nextPollWait } from '../deterministic/pollBackoff';
import { createHumanGate } from './humanGate';
import type { DeadLetterInput } from '../contracts/deadLetter';
import { markPipeline, markStatus } from './status';

export const progressQuery = defineQuery<SubmitAndVerifyProgress>(PROGRESS_QUERY);

type NotSubmitted = Extract<SubmitAndVerifyResult, { status: 'NOT_SUBMITTED' }>;

const control = proxyActivities<Activities>({
  startToCloseTimeout: '30 seconds',
  retry: { initialInterval: '1 second', maximumInterval: '10 seconds' },
});
const { checkPortalVisibility } = proxyActivities<Activities>({
  startToCloseTimeout: '30 seconds',
  retry: { initialInterval: '1 second', maximumAttempts: 3 },
});

const iso = (ms: number) => new Date(ms).toISOString();

function parseInput(raw: SubmitAndVerifyInput): ParsedSubmitAndVerifyInput {
  const parsed = submitAndVerifyInputSchema.safeParse(raw);
  if (parsed.success) return parsed.data;
  markStatus('Failed');
  const issues = parsed.error.issues.map((i) => `${i.path.join('.') || 'input'}: ${i.message}`);
  throw ApplicationFailure.create({ type: 'BW_INVALID_INPUT', message: `Invalid submitAndVerify input: ${issues.join('; ')}`, nonRetryable: true, details: [issues] });
}

/** A NOT_SUBMITTED run as a dead letter: its input, every failure and look, first to last. */
function deadLetterFor(result: NotSubmitted, raw: SubmitAndVerifyInput): DeadLetterInput {
  const info = workflowInfo();
  const errors = [
    ...(result.failures?.first ? [result.failures.first] : []),
    ...(result.failures?.latest && result.failures.latest !== result.failures.first ? [result.failures.latest] : []),
    ...result.evidence.map((o) => ({ error: `portal look: ${o.visible ? 'visible' : 'not visible'}`, at: o.at })),
    { error: `NOT_SUBMITTED: ${result.reason}${result.resolution ? ` (resolved '${result.resolution.decision}' by ${result.resolution.by})` : ''}`, at: iso(Date.now()) },
  ].slice(-100);
  return {
    pipeline: SUBMIT_AND_VERIFY,
    workflowType: info.workflowType,
    workflowId: info.workflowId,
    runId: info.runId,
    taskQueue: info.taskQueue,
    step: result.reason,
    input: raw,
    errors,
  };
}

/** The ApplicationFailure an activity ended with, if that is how it ended. */
function activityFailure(e: unknown): ApplicationFailure | undefined {
  return e instanceof ActivityFailure && e.cause instanceof ApplicationFailure ? e.cause : undefined;
}

export async function submitAndVerify(raw: SubmitAndVerifyInput): Promise<SubmitAndVerifyResult> {
  const gate = createHumanGate();
  // startSubmitAndVerify sets these at start (findable before a worker picks the run up); others may not.
  if (workflowInfo().typedSearchAttributes.get(BreakwaterPipeline) !== SUBMIT_AND_VERIFY) markPipeline(SUBMIT_AND_VERIFY);
  const input = parseInput(raw);
  const { options } = input;
  const key = fingerprintKey(input);
  const progress: SubmitAndVerifyProgress = { phase: 'submitting', fingerprint: key, observations: [] };
  setHandler(progressQuery, () => progress);

  const { submitToPortalOnce } = proxyActivities<Activities>({
    startToCloseTimeout: options.submitTimeout,
    retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '30 seconds', nonRetryableErrorTypes: ['BW_CONFIG_INVALID'] },
  });
  const record = { recordId: input.recordId, entityId: input.entityId, businessDate: input.businessDate, fingerprint: key };

  const finish = async (result: SubmitAndVerifyResult): Promise<SubmitAndVerifyResult> => {
    progress.phase = 'done';
    progress.result = result;
    markStatus(result.status === 'VERIFIED' ? 'Completed' : 'Failed');
    // Work that ends without a verified submission is kept, whole, for a person to inspect or replay.
    if (result.status === 'NOT_SUBMITTED') await control.recordDeadLetter(deadLetterFor(result, raw));
    return result;
  };
  const notSubmitted = (reason: NotSubmittedReason, extra: Partial<NotSubmitted> = {}): NotSubmitted => ({
    status: 'NOT_SUBMITTED',
    ...record,
    reason,
    evidence: [...progress.observations],
    ...extra,
  });

  /** Waits, durably and visibly, until a person clears the breaker (polled) or resolves the escalation. */
  async function waitForBreaker(opened: BreakerState): Promise<Resolution | undefined> {
    await control.alertBreakerOpen(SUBMIT_AND_VERIFY, PORTAL_SUBMIT_STEP);
    progress.phase = 'awaiting-breaker';
    const watch = { cleared: false, rollOver: false };
    const scope = new CancellationScope();
    const polling = scope
      .run(async () => {
        for (;;) {
          await sleep(options.breakerPollInterval);
          const now = await control.getCircuitBreaker(SUBMIT_AND_VERIFY, PORTAL_SUBMIT_STEP);
          if (now.state === 'closed' || now.openedAt !== opened.openedAt) return void (watch.cleared = true);
          if (workflowInfo().continueAsNewSuggested) return void (watch.rollOver = true);
        }
      })
      .catch((e: unknown) => {
        if (!isCancellation(e)) throw e;
      });
    let resolution: Resolution | undefined;
    try {
      resolution = await gate.escalateUntil(
        {
          kind: 'breaker-open',
          reason: `${opened.consecutiveFailures} consecutive failures of ${PORTAL_SUBMIT_STEP}: the breaker is open for every ${SUBMIT_AND_VERIFY} run`,
          step: PORTAL_SUBMIT_STEP,
          firstFailure: opened.firstFailure ?? undefined,
          latestFailure: opened.latestFailure ?? undefined,
          details: { openedAt: opened.openedAt, clear: `breakwater breaker clear ${SUBMIT_AND_VERIFY} ${PORTAL_SUBMIT_STEP} --by <you>` },
        },
        () => watch.cleared || watch.rollOver,
      );
    } finally {
      scope.cancel();
    }
    await polling;
    // A wait of days would outgrow the history: carry on in a fresh run (the fingerprint lives in Postgres).
    if (!resolution && watch.rollOver) await continueAsNew<typeof submitAndVerify>(raw);
    if (resolution && resolution.decision !== 'reject') {
      await control.clearCircuitBreaker({
        pipeline: SUBMIT_AND_VERIFY,
        step: PORTAL_SUBMIT_STEP,
        by: resolution.by,
        reason: resolution.reason ?? `resolved '${resolution.decision}' on ${workflowInfo().workflowId}`,
        via: `resolve:${workflowInfo().workflowId}`,
      });
    }
    return resolution;
  }

  /** Exactly one accepted submission, or the reason there is none. */
  async function submitBehindBreaker(): Promise<Submission | NotSubmitted> {
    for (;;) {
      progress.phase = 'submitting';
      try {
        return await submitToPortalOnce({ ...record, payload: input.payload, pipeline: SUBMIT_AND_VERIFY, step: PORTAL_SUBMIT_STEP, visibilityWindowMs: options.visibilityWindow ?? options.verifyDelay });
      } catch (e) {
        const failure = activityFailure(e);
        if (failure?.type === 'BW_BREAKER_OPEN') {
          const opened = failure.details?.[0] as BreakerState;
          const resolution = await waitForBreaker(opened);
          if (resolution?.decision === 'reject') {
            return notSubmitted('breaker-open', { failures: { first: opened.firstFailure ?? undefined, latest: opened.latestFailure ?? undefined }, resolution });
          }
          continue;
        }
        if (failure?.type === 'BW_PORTAL_REJECTED') {
          progress.phase = 'awaiting-human';
          const latest = { error: failure.message, at: iso(Date.now()) };
          const resolution = await gate.escalate({ kind: 'submit-rejected', reason: `The portal rejected the submission: ${failure.message}`, step: PORTAL_SUBMIT_STEP, latestFailure: latest, allowed: ['retry', 'reject'] });
          if (resolution.decision === 'reject') return notSubmitted('portal-rejected', { failures: { latest }, resolution });
          continue;
        }
        throw e;
      }
    }
  }

  /** Looks with backoff until a verification sees our confirmation, or the deadline passes. */
  async function lookUntilVisible(submission: Submission, deadlineAt: number): Promise<Observation | undefined> {
    for (let attempt = 0; ; attempt++) {
      const seen = await checkPortalVisibility({ recordId: input.recordId, entityId: input.entityId, confirmation: submission.confirmation });
      progress.observations.push(seen);
      if (seen.visible) return seen;
      const wait = nextPollWait(attempt, options.pollBackoff, deadlineAt - Date.now());
      if (wait === undefined) return undefined;
      await sleep(wait);
    }
  }

  for (;;) {
    // 1. Submit exactly once, behind the breaker.
    const submitted = await submitBehindBreaker();
    if ('status' in submitted) return finish(submitted);
    progress.submission = submitted;
    if (!submitted.payloadMatches) log.warn('fingerprint was first submitted with a different payload; the portal has that one', { fingerprint: key });

    // 2. The portal's processing lag: a durable timer (survives worker and server restarts), counted from the acceptance.
    const anchor = submitted.via === 'cached' ? Date.parse(submitted.submittedAt) : Date.now();
    progress.verifyAt = iso(anchor + options.verifyDelay);
    progress.deadlineAt = iso(anchor + options.verifyDeadline);
    progress.phase = 'verify-delay';
    const delay = anchor + options.verifyDelay - Date.now();
    if (delay > 0) await sleep(delay);

    // 3. Success only from a verification that saw the record.
    progress.phase = 'verifying';
    const seen = await lookUntilVisible(submitted, anchor + options.verifyDeadline);
    if (seen) {
      return finish({ status: 'VERIFIED', ...record, confirmation: submitted.confirmation, submittedAt: submitted.submittedAt, verifiedAt: seen.at, via: submitted.via, observations: [...progress.observations] });
    }

    // 4. Never seen by the deadline: surface it at once; a person decides to retry (reconcile first) or accept it.
    progress.phase = 'awaiting-human';
    const reason = `not visible on the portal ${Math.round(options.verifyDeadline / 1000)} s after submission`;
    await control.alertNotSubmitted({ fingerprint: key, confirmation: submitted.confirmation, reason, observations: progress.observations });
    const resolution = await gate.escalate({
      kind: 'not-submitted',
      reason: `Confirmation ${submitted.confirmation} was ${reason}`,
      step: 'verify',
      details: { fingerprint: key, confirmation: submitted.confirmation, submittedAt: submitted.submittedAt, observations: progress.observations },
      allowed: ['retry', 'reject'],
    });
    if (resolution.decision === 'reject') {
      return finish(notSubmitted('not-visible-by-deadline', { confirmation: submitted.confirmation, submittedAt: submitted.submittedAt, resolution }));
    }
    await control.reopenFingerprint(key, resolution.by, resolution.reason ?? 'retry after NOT_SUBMITTED');
  }
}
