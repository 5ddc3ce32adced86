/**
 * How a user declares an effect (`defineEffect`): how to perform the call, how to look up what the outside
 * system holds, and the step's breaker policy; and how a failed call says what it means (`EffectError`).
 * The activity that runs it is `performEffectOnce` in src/activities/effects.ts.
 */
import type { ApplicationFailure } from '@temporalio/common';
import { durationMs, EffectFailure, type EffectFailureKind, type FingerprintFields } from '../contracts/effect';
import { BreakwaterError, hasFailureCode } from '../errors';
import { Failure, raise } from '../failures';

/** What the outside system answered for an accepted call, or lists for a fingerprint. */
export interface EffectReceipt {
  confirmation: string;
  /** The system's own time of receipt (ISO). */
  receivedAt: string;
  /** The idempotency key the system recorded with it, where it keeps one: reconciliation matches on it. */
  idempotencyKey?: string;
  /** The fingerprint fields the system recorded with it, where it returns them: all must match. */
  fields?: Record<string, string>;
}

/** Passed to `perform` and `lookup`. */
export interface EffectCall<P> {
  fields: FingerprintFields;
  payload: P;
  /** Stable per fingerprint: send it to systems that de-duplicate by key. */
  idempotencyKey: string;
  /** Aborted when the attempt's lease ends: stop waiting, the outcome becomes unknown. */
  signal: AbortSignal;
}

export interface EffectDefinition<P = Record<string, unknown>> {
  /** Unique per worker; the workflow names it. Letters, digits, `.`, `_`, `-`. */
  name: string;
  /** Performs the call once. Throw `EffectError` to say what a failure means (see its kinds). */
  perform(call: EffectCall<P>): Promise<EffectReceipt>;
  /** What the system holds for this fingerprint now (for reconciliation and verification). */
  lookup(call: EffectCall<P>): Promise<EffectReceipt[]>;
  /**
   * The step's circuit breaker. Omitted (the default, and the design for irreversible effects): an open
   * breaker stays open until a person clears it. `halfOpenAfter`: for a call that is safe to try again (a
   * read), once the breaker has been open this long, exactly one caller across all runs probes the system —
   * its success closes the breaker, its failure re-opens it for another cool-down.
   */
  breaker?: EffectBreakerPolicy;
}

/** How an effect's breaker may close without a person (`defineEffect({ breaker })`). */
export interface EffectBreakerPolicy {
  /** The cool-down: milliseconds, or a duration such as `"30s"` or `"5 min"`. */
  halfOpenAfter: number | string;
}

/** The effect's half-open cool-down in ms, or undefined when it did not opt in. Throws on a bad duration. */
export function halfOpenAfterMsOf(definition: Pick<EffectDefinition<never>, 'name' | 'breaker'>): number | undefined {
  if (definition.breaker === undefined) return undefined;
  const parsed = durationMs.safeParse(definition.breaker.halfOpenAfter);
  if (!parsed.success || parsed.data < 1) {
    throw new Error(`effect '${definition.name}': breaker.halfOpenAfter must be a positive duration such as 30000 or "30s", got ${JSON.stringify(definition.breaker.halfOpenAfter)}`);
  }
  return parsed.data;
}

/**
 * What a failed call means for the effect: `rejected` (the request is wrong; retrying won't help — a person
 * decides), `rate-limited` (come back after `retryAfterMs`), `unavailable` (the system failed, nothing was
 * persisted), `unknown-outcome` (no answer: it may or may not have been persisted — reconciled before any
 * re-send), `bad-response` (a lookup answer that breaks the contract).
 */
export class EffectError extends BreakwaterError {
  readonly code = Failure.EffectError.type;
  constructor(
    readonly kind: EffectFailureKind,
    message: string,
    readonly status?: number,
    readonly retryAfterMs?: number,
  ) {
    super(message);
  }
}
export const isEffectError = (e: unknown): e is EffectError => hasFailureCode(e, Failure.EffectError);

/** Registers an effect; keep the returned object and pass it to the worker (`effects: [myEffect]`). */
export function defineEffect<P = Record<string, unknown>>(definition: EffectDefinition<P>): EffectDefinition<P> {
  if (!/^[A-Za-z0-9_.-]{1,100}$/.test(definition.name)) throw new Error(`effect name '${definition.name}' must be 1-100 letters, digits, '.', '_' or '-'`);
  halfOpenAfterMsOf(definition); // a bad cool-down fails where it is declared, not at the first outage
  return definition;
}

/**
 * The activity failure for an effect error: `rejected` and `bad-response` are non-retryable; 429 retries
 * after Retry-After plus up to 20 % jitter (so waiting runs don't return in lockstep); the rest per policy.
 */
export function effectFailure(e: EffectError, random: () => number = Math.random): ApplicationFailure {
  const nextRetryDelay = e.kind === 'rate-limited' ? Math.round((e.retryAfterMs ?? 1000) * (1 + 0.2 * random())) : undefined;
  return raise(EffectFailure[e.kind], e.message, { nextRetryDelay, details: [{ kind: e.kind, status: e.status, retryAfterMs: e.retryAfterMs }] });
}

