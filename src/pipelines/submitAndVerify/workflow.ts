/**
 * Submit-and-verify: submit one record to a portal exactly once, and report VERIFIED only when the portal
 * shows it — the seed incident of a verify step that looked 5 s after a submit into a portal with a 60 s
 * lag. Every guarantee is the toolkit's effect primitive (`performAndVerify`); this workflow is the story:
 * validate, submit-and-verify, keep what failed for a person.
 */
import { continueAsNew, proxyActivities, setHandler, workflowInfo } from '@temporalio/workflow';
import type { Activities } from '../../activities';
import type { DeadLetterInput } from '../../contracts/deadLetter';
import { unverifiedEffectOf } from '../../contracts/effect';
import { BreakwaterPipeline } from '../../contracts/searchAttributes';
import { Failure, raise } from '../../failures';
import { createHumanGate } from '../../workflows/humanGate';
import { performAndVerify } from '../../workflows/effect';
import { markPipeline, markStatus } from '../../workflows/status';
import { PORTAL_EFFECT_NAME, PORTAL_SUBMIT_STEP, progressQuery, SUBMIT_AND_VERIFY, submitAndVerifyInputSchema } from './contract';
import type { SubmitAndVerifyInput, SubmitAndVerifyProgress, SubmitAndVerifyResult } from './contract';

const { recordDeadLetter } = proxyActivities<Activities>({ startToCloseTimeout: '30 seconds', retry: { initialInterval: '1 second', maximumInterval: '10 seconds' } });

export async function submitAndVerify(raw: SubmitAndVerifyInput): Promise<SubmitAndVerifyResult> {
  // startSubmitAndVerify sets the pipeline at start (findable before a worker picks the run up); others may not.
  if (workflowInfo().typedSearchAttributes.get(BreakwaterPipeline) !== SUBMIT_AND_VERIFY) markPipeline(SUBMIT_AND_VERIFY);
  const parsed = submitAndVerifyInputSchema.safeParse(raw);
  if (!parsed.success) {
    const issues = parsed.error.issues.map((i) => `${i.path.join('.') || 'input'}: ${i.message}`);
    markStatus('Failed');
    throw raise(Failure.InvalidInput, `Invalid submitAndVerify input: ${issues.join('; ')}`, { details: [issues] });
  }
  const { recordId, entityId, businessDate, payload, options } = parsed.data;
  const record = { recordId, entityId, businessDate };
  const progress: SubmitAndVerifyProgress = { phase: 'submitting', fingerprint: '', observations: [] };
  setHandler(progressQuery, () => progress);

  // 1. The submission, exactly once per (record, entity, date), verified against the portal.
  const outcome = await performAndVerify({
    gate: createHumanGate(),
    effect: PORTAL_EFFECT_NAME,
    fields: record,
    payload,
    pipeline: SUBMIT_AND_VERIFY,
    step: PORTAL_SUBMIT_STEP,
    options,
    progress,
    continueAsNew: () => continueAsNew<typeof submitAndVerify>(raw),
  });
  const result: SubmitAndVerifyResult = { ...outcome, ...record };
  progress.phase = 'done';
  progress.result = result;

  // 2. Work that ends without a verified submission is kept, whole, for a person to inspect or replay.
  if (result.status === 'NOT_SUBMITTED') {
    await recordDeadLetter(deadLetterFor(result, raw));
    markStatus('Failed');
  } else markStatus('Completed');
  return result;
}

/** A NOT_SUBMITTED run as a dead letter: its input, every failure and look, first to last, and a confirmation no look saw. */
function deadLetterFor(result: Extract<SubmitAndVerifyResult, { status: 'NOT_SUBMITTED' }>, raw: SubmitAndVerifyInput): DeadLetterInput {
  const info = workflowInfo();
  const { first, latest } = result.failures ?? {};
  const errors = [
    ...(first ? [first] : []),
    ...(latest && latest !== first ? [latest] : []),
    ...result.evidence.map((o) => ({ error: `portal look: ${o.visible ? 'visible' : 'not visible'}`, at: o.at })),
    { error: `NOT_SUBMITTED: ${result.reason}${result.resolution ? ` (resolved '${result.resolution.decision}' by ${result.resolution.by})` : ''}`, at: new Date(Date.now()).toISOString() },
  ].slice(-100);
  const unverifiedEffect = unverifiedEffectOf(result);
  return { pipeline: SUBMIT_AND_VERIFY, workflowType: info.workflowType, workflowId: info.workflowId, runId: info.runId, taskQueue: info.taskQueue, step: result.reason, input: raw, errors, ...(unverifiedEffect ? { unverifiedEffect } : {}) };
}
