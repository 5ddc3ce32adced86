/**
 * The submit-and-verify pipeline's contract: its input (validated with zod at the start of the workflow and
 * by the client before starting it), its result, and what its `progress` query returns. Pure: usable inside
 * workflows.
 */
import { z } from 'zod';
import type { FailureContext, Resolution } from './resolution';

export const SUBMIT_AND_VERIFY = 'submitAndVerify';
/** The breaker-guarded step: the irreversible POST to the portal. */
export const PORTAL_SUBMIT_STEP = 'portal.submit';

const UNIT_MS: Record<string, number> = { ms: 1, s: 1000, sec: 1000, second: 1000, seconds: 1000, m: 60_000, min: 60_000, minute: 60_000, minutes: 60_000, h: 3_600_000, hour: 3_600_000, hours: 3_600_000 };

/** A duration as milliseconds (number) or a string such as `60s`, `5 seconds`, `10 min`, `250ms`. */
export const durationMs = z.union([z.number(), z.string()]).transform((v, ctx) => {
  if (typeof v === 'number') {
    if (Number.isFinite(v) && v >= 0) return Math.round(v);
  } else {
    const m = /^\s*(\d+(?:\.\d+)?)\s*([a-z]*)\s*$/i.exec(v);
    const unit = m ? UNIT_MS[(m[2] || 'ms').toLowerCase()] : undefined;
    if (m && unit !== undefined) return Math.round(Number(m[1]) * unit);
  }
  ctx.addIssue({ code: 'custom', message: `expected a duration such as 60000, "60s" or "10 min", got ${JSON.stringify(v)}` });
  return z.NEVER;
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

export const pollBackoffSchema = z.strictObject({
  initial: durationMs.default(5_000),
  factor: z.number().min(1).max(10).default(2),
  max: durationMs.default(60_000),
});

export const submitAndVerifyOptionsSchema = z
  .strictObject({
    /** Durable timer between the portal accepting the POST and the first verification (the portal's lag). */
    verifyDelay: durationMs.default(60_000),
    /** Counted from the submission: when no verification has seen the record by then, NOT_SUBMITTED. */
    verifyDeadline: durationMs.default(10 * 60_000),
    pollBackoff: pollBackoffSchema.default({ initial: 5_000, factor: 2, max: 60_000 }),
    /**
     * After a POST of unknown outcome (crash, timeout, dropped connection), re-POST only once the portal has
     * shown the record absent at least this long after that POST. Default: verifyDelay.
     */
    visibilityWindow: durationMs.optional(),
    /** Start-to-close timeout of one submit attempt; also the fingerprint lease. */
    submitTimeout: durationMs.default(30_000),
    /** How often a run waiting on an open breaker re-reads it (clearing resumes runs within this). */
    breakerPollInterval: durationMs.default(10_000),
  })
  .refine((o) => o.verifyDeadline >= o.verifyDelay, { message: 'verifyDeadline must not be shorter than verifyDelay', path: ['verifyDeadline'] })
  .refine((o) => o.submitTimeout >= 1000, { message: 'submitTimeout must be at least 1 s', path: ['submitTimeout'] })
  .refine((o) => o.breakerPollInterval >= 100 && o.breakerPollInterval <= 30_000, { message: 'breakerPollInterval must be 100 ms .. 30 s', path: ['breakerPollInterval'] });

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
export type PollBackoff = z.output<typeof pollBackoffSchema>;

/** One look at the portal during verification, kept as evidence. */
export interface Observation {
  /** ISO time of the look. */
  at: string;
  /** The record, with our confirmation, was listed. */
  visible: boolean;
  /** How many submissions the portal listed for this recordId and entityId. */
  resultCount: number;
  /** Confirmations listed that are not ours (a duplicate made elsewhere). */
  otherConfirmations: string[];
  /** The look itself failed (portal error); the error text. */
  error?: string;
}

/** How the portal acceptance was obtained: a new POST, the fingerprint's cached result, or a reconciliation. */
export type SubmissionVia = 'posted' | 'cached' | 'reconciled';

export interface Submission {
  fingerprint: string;
  confirmation: string;
  /** When the portal's acceptance was recorded (ISO). */
  submittedAt: string;
  /** The portal's own receivedAt. */
  portalReceivedAt: string;
  via: SubmissionVia;
  /** POSTs this fingerprint has sent to the portal, across all runs. */
  postCount: number;
  /** False when a run re-used a fingerprint that was first submitted with a different payload. */
  payloadMatches: boolean;
}

export type NotSubmittedReason = 'not-visible-by-deadline' | 'breaker-open' | 'portal-rejected';

export type SubmitAndVerifyResult =
  | {
      status: 'VERIFIED';
      recordId: string;
      entityId: string;
      businessDate: string;
      fingerprint: string;
      confirmation: string;
      submittedAt: string;
      verifiedAt: string;
      via: SubmissionVia;
      observations: Observation[];
    }
  | {
      status: 'NOT_SUBMITTED';
      recordId: string;
      entityId: string;
      businessDate: string;
      fingerprint: string;
      reason: NotSubmittedReason;
      /** Set when the portal claimed to accept the POST (but no verification ever saw it). */
      confirmation?: string;
      submittedAt?: string;
      /** Every verification made, with its timestamp. */
      evidence: Observation[];
      failures?: { first?: FailureContext; latest?: FailureContext };
      resolution?: Resolution;
    };

export type SubmitAndVerifyPhase = 'submitting' | 'awaiting-breaker' | 'verify-delay' | 'verifying' | 'awaiting-human' | 'done';

/** What the `progress` query of a submitAndVerify run returns. */
export interface SubmitAndVerifyProgress {
  phase: SubmitAndVerifyPhase;
  fingerprint: string;
  submission?: Submission;
  /** ISO time of the first verification (end of the durable verify delay). */
  verifyAt?: string;
  deadlineAt?: string;
  observations: Observation[];
  result?: SubmitAndVerifyResult;
}

export const PROGRESS_QUERY = 'progress';

/** Named crash windows (src/faults.ts) along one submission attempt. */
export const SubmitFaultPoints = {
  /** The POST intent is recorded, the POST not yet sent. */
  beforePost: 'portal.submit.beforePost',
  /** The portal accepted the POST; the fingerprint is not yet marked done. */
  afterPost: 'portal.submit.afterPost',
  /** The fingerprint is done; the activity has not yet reported back. */
  afterDone: 'portal.submit.afterDone',
} as const;
