/**
 * The contract of an irreversible effect (a form submission, a publish, a payment): its options, what one
 * look at the outside system saw, the receipt of the one accepted call, and the outcome — `VERIFIED` only
 * when a look saw the effect, else `NOT_SUBMITTED` with the evidence. Pure: usable inside workflows.
 */
import { z } from 'zod';
import { Failure } from '../failures';
import type { FailureContext, Resolution } from './resolution';

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

export const pollBackoffSchema = z.strictObject({
  initial: durationMs.default(5_000),
  factor: z.number().min(1).max(10).default(2),
  max: durationMs.default(60_000),
});
export type PollBackoff = z.output<typeof pollBackoffSchema>;

export const effectOptionsSchema = z
  .strictObject({
    /** Durable timer between the outside system accepting the call and the first look (its processing lag). */
    verifyDelay: durationMs.default(60_000),
    /** Counted from the acceptance: when no look has seen the effect by then, a person decides. */
    verifyDeadline: durationMs.default(10 * 60_000),
    pollBackoff: pollBackoffSchema.default({ initial: 5_000, factor: 2, max: 60_000 }),
    /**
     * After a call of unknown outcome (crash, timeout, dropped connection), call again only once the system
     * has shown the effect absent at least this long after that call. Default: verifyDelay.
     */
    visibilityWindow: durationMs.optional(),
    /** Start-to-close timeout of one attempt; also the fingerprint's lease. Named `submitTimeout` for history's sake. */
    submitTimeout: durationMs.default(30_000),
    /** How often a run waiting on an open breaker re-reads it (clearing resumes runs within this). */
    breakerPollInterval: durationMs.default(10_000),
  })
  .refine((o) => o.verifyDeadline >= o.verifyDelay, { message: 'verifyDeadline must not be shorter than verifyDelay', path: ['verifyDeadline'] })
  .refine((o) => o.submitTimeout >= 1000, { message: 'submitTimeout must be at least 1 s', path: ['submitTimeout'] })
  .refine((o) => o.breakerPollInterval >= 100 && o.breakerPollInterval <= 30_000, { message: 'breakerPollInterval must be 100 ms .. 30 s', path: ['breakerPollInterval'] });
export type EffectOptionsInput = z.input<typeof effectOptionsSchema>;
export type EffectOptions = z.output<typeof effectOptionsSchema>;

/** The fields that identify one effect: the same fields twice is the same effect, sent at most once. */
export type FingerprintFields = Record<string, string>;

/** One look at the outside system, kept as evidence. */
export interface Observation {
  /** ISO time of the look. */
  at: string;
  /** The effect, with our confirmation, was listed. */
  visible: boolean;
  /** How many records the system listed for this fingerprint. */
  resultCount: number;
  /** Confirmations listed that are not ours (a duplicate made elsewhere). */
  otherConfirmations: string[];
  /** The look itself failed; the error text. */
  error?: string;
}

/** How the acceptance was obtained: a new call, the fingerprint's cached result, or a reconciliation. */
export type SubmissionVia = 'posted' | 'cached' | 'reconciled';

/** The receipt of the one accepted call. */
export interface Submission {
  fingerprint: string;
  confirmation: string;
  /** When the acceptance was recorded (ISO). */
  submittedAt: string;
  /** The outside system's own receivedAt. */
  portalReceivedAt: string;
  via: SubmissionVia;
  /** Calls this fingerprint has sent, across all runs. */
  postCount: number;
  /** False when a run re-used a fingerprint that was first sent with a different payload. */
  payloadMatches: boolean;
}

export type NotSubmittedReason = 'not-visible-by-deadline' | 'breaker-open' | 'portal-rejected' | 'payload-mismatch';

export type EffectOutcome =
  | {
      status: 'VERIFIED';
      fingerprint: string;
      confirmation: string;
      submittedAt: string;
      verifiedAt: string;
      via: SubmissionVia;
      observations: Observation[];
      /** Set when the fingerprint had been sent with another payload and a person accepted the one sent. */
      payloadMismatch?: { acceptedBy: string };
    }
  | {
      status: 'NOT_SUBMITTED';
      fingerprint: string;
      reason: NotSubmittedReason;
      /** Set when the system claimed to accept the call (but no look ever saw it). */
      confirmation?: string;
      submittedAt?: string;
      /** Every look made, with its timestamp. */
      evidence: Observation[];
      failures?: { first?: FailureContext; latest?: FailureContext };
      resolution?: Resolution;
    };

/**
 * A confirmation the system gave that no look ever saw (NOT_SUBMITTED, `not-visible-by-deadline`): the
 * fingerprint still holds it as `done`, so a new run would only re-verify it. A dead letter keeps it
 * (`unverifiedEffect`) so that `breakwater dlq replay` reopens the fingerprint — the replay reconciles with
 * the system first and re-sends only if the effect is absent.
 */
export const unverifiedEffectSchema = z.object({ fingerprint: z.string().min(1).max(1000), confirmation: z.string().min(1).max(500) });
/** The fingerprint and the confirmation no look saw. */
export type UnverifiedEffect = z.infer<typeof unverifiedEffectSchema>;

/** The unverified confirmation of an outcome, for its dead letter; undefined for any other outcome. */
export function unverifiedEffectOf(outcome: EffectOutcome): UnverifiedEffect | undefined {
  return outcome.status === 'NOT_SUBMITTED' && outcome.reason === 'not-visible-by-deadline' && outcome.confirmation
    ? { fingerprint: outcome.fingerprint, confirmation: outcome.confirmation }
    : undefined;
}

export type EffectPhase = 'submitting' | 'awaiting-breaker' | 'verify-delay' | 'verifying' | 'awaiting-human' | 'done';

/** Where an effect stands: a pipeline's `progress` query can return it. */
export interface EffectProgress {
  phase: EffectPhase;
  fingerprint: string;
  submission?: Submission;
  /** ISO time of the first look (end of the durable verify delay). */
  verifyAt?: string;
  deadlineAt?: string;
  observations: Observation[];
}

/** Named crash windows (src/faults.ts) along one attempt of the effect at `step`. */
export const effectFaultPoints = (step: string) =>
  ({
    /** The call's intent is recorded, the call not yet sent. */
    beforePost: `${step}.beforePost`,
    /** The system accepted the call; the fingerprint is not yet marked done. */
    afterPost: `${step}.afterPost`,
    /** The fingerprint is done; the activity has not yet reported back. */
    afterDone: `${step}.afterDone`,
  }) as const;

/** The catalog entry of each kind of failed effect call (`EffectError.kind`). */
export const EffectFailure = {
  rejected: Failure.EffectRejected,
  'rate-limited': Failure.EffectRateLimited,
  unavailable: Failure.EffectUnavailable,
  'unknown-outcome': Failure.EffectOutcomeUnknown,
  'bad-response': Failure.EffectBadResponse,
} as const;
export type EffectFailureKind = keyof typeof EffectFailure;

/** Stable activity failure types of an effect attempt, by kind: the catalog's types of `EffectFailure`. */
export const EffectFailureType = {
  rejected: EffectFailure.rejected.type,
  'rate-limited': EffectFailure['rate-limited'].type,
  unavailable: EffectFailure.unavailable.type,
  'unknown-outcome': EffectFailure['unknown-outcome'].type,
  'bad-response': EffectFailure['bad-response'].type,
} as const;

/** What crosses into the effect activities. */
export interface PerformEffectInput {
  /** The registered effect's name. */
  effect: string;
  fields: FingerprintFields;
  /** A JSON object: the effect's payload type (`defineEffect<P>`), an interface or a type alike. */
  payload: object;
  pipeline: string;
  step: string;
  /** Re-send after an unknown outcome only once the effect was absent this long after the last call. */
  visibilityWindowMs: number;
}

export interface ObserveEffectInput {
  effect: string;
  fields: FingerprintFields;
  payload: object;
  confirmation: string;
}

/**
 * The fingerprint of an effect: the effect's name and each field's value, percent-encoded and joined with
 * `:` in the order given — so no choice of values makes two different effects share a key.
 */
export function effectKey(effect: string, fields: FingerprintFields): string {
  return [effect, ...Object.values(fields)].map((s) => encodeURIComponent(s)).join(':');
}
