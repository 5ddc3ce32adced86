/**
 * The submit-and-verify pipeline's contract: its input (validated with zod at the start of the workflow and
 * by the client before starting it), its result, and what its `progress` query returns. Pure: usable inside
 * workflows.
 */
import { defineQuery } from '@temporalio/workflow';
import { z } from 'zod';
import { PROGRESS_QUERY } from '../../contracts/messages';
import { defineFailures } from '../../failures';
import { effectFaultPoints, effectOptionsSchema, type EffectOutcome, type EffectPhase, type EffectProgress } from '../../contracts/effect';
export type { NotSubmittedReason, Observation, Submission, SubmissionVia } from '../../contracts/effect';
export { durationMs } from '../../contracts/effect';

export const SUBMIT_AND_VERIFY = 'submitAndVerify';
/** The breaker-guarded step: the irreversible POST to the portal. */
export const PORTAL_SUBMIT_STEP = 'portal.submit';
/** The effect registered on the worker (activities.ts): a POST to the portal, and what it lists. */
export const PORTAL_EFFECT_NAME = 'portal';

/** submit-and-verify's own failure types (the workflow itself returns NOT_SUBMITTED as a result, not a failure). */
export const SubmitFailure = defineFailures({
  NotSubmitted: {
    type: 'BW_NOT_SUBMITTED',
    retryable: false,
    meaning: '`breakwater submit --wait`: the run ended NOT_SUBMITTED (a person rejected it, or the portal never showed it); exit 1.',
  },
});

const identifier = z
  .string()
  .trim()
  .min(1)
  .max(200)
  .regex(/^[^\p{Cc}]+$/u, 'must not contain control characters');

const isoDate = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}$/, 'expected YYYY-MM-DD')
  .refine((d) => {
    const t = Date.parse(`${d}T00:00:00Z`);
    return !Number.isNaN(t) && new Date(t).toISOString().startsWith(d);
  }, 'not a calendar date');

const MAX_PAYLOAD_CHARS = 100_000;

/** Submit-and-verify's options are the effect primitive's. */
export const submitAndVerifyOptionsSchema = effectOptionsSchema;

export const submitAndVerifyInputSchema = z.strictObject({
  recordId: identifier,
  entityId: identifier,
  businessDate: isoDate,
  payload: z
    .record(z.string(), z.unknown())
    .default({})
    .refine((p) => JSON.stringify(p).length <= MAX_PAYLOAD_CHARS, `payload must serialize to at most ${MAX_PAYLOAD_CHARS} characters`),
  options: submitAndVerifyOptionsSchema.default(() => submitAndVerifyOptionsSchema.parse({})),
});

export type SubmitAndVerifyInput = z.input<typeof submitAndVerifyInputSchema>;
export type ParsedSubmitAndVerifyInput = z.output<typeof submitAndVerifyInputSchema>;

/** The effect's outcome, with the record it was for. */
export type SubmitAndVerifyResult = EffectOutcome & { recordId: string; entityId: string; businessDate: string };

/** What the `progress` query of a submitAndVerify run returns. */
export interface SubmitAndVerifyProgress extends Omit<EffectProgress, 'phase'> {
  phase: EffectPhase;
  result?: SubmitAndVerifyResult;
}

export const progressQuery = defineQuery<SubmitAndVerifyProgress>(PROGRESS_QUERY);

/** Named crash windows (src/faults.ts) along one submission attempt. */
export const SubmitFaultPoints = effectFaultPoints(PORTAL_SUBMIT_STEP);
