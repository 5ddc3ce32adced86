/**
 * Breakwater's error classes. Each has a stable `code` — a type from the failure catalog (src/failures.ts),
 * safe to match on, shown to users and in alerts — and a type guard, so callers never depend on
 * `instanceof` across realms or on message text.
 */
import { Failure, type FailureSpec } from './failures';

export abstract class BreakwaterError extends Error {
  /** The catalog type of this error (`Failure.X.type`, or a pipeline catalog's). */
  abstract readonly code: string;
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
  }
}

/** An environment variable or config file value is missing or invalid. */
export class ConfigError extends BreakwaterError {
  readonly code = Failure.ConfigInvalid.type;
  constructor(
    message: string,
    /** The variables at fault, e.g. `['DATABASE_URL']`. */
    readonly variables: readonly string[],
  ) {
    super(message);
  }
}

/** A tool the project needs (Temporal CLI, PostgreSQL binaries) could not be found or installed. */
export class ProvisioningError extends BreakwaterError {
  readonly code = Failure.ProvisioningFailed.type;
}

/** Input that crossed a boundary (CLI args, workflow input, HTTP body) failed validation. */
export class InvalidInputError extends BreakwaterError {
  readonly code = Failure.InvalidInput.type;
  constructor(
    message: string,
    readonly issues: readonly string[] = [],
  ) {
    super(message);
  }
}

/** The workflow, breaker or record named does not exist. */
export class NotFoundError extends BreakwaterError {
  readonly code = Failure.NotFound.type;
}

/** Whether `e` itself (not a wrapper: see `isFailure` for those) carries the code of this catalog entry. */
export const hasFailureCode = (e: unknown, spec: FailureSpec): boolean =>
  typeof e === 'object' && e !== null && (e as { code?: unknown }).code === spec.type;

export const isBreakwaterError = (e: unknown): e is BreakwaterError =>
  e instanceof BreakwaterError || (typeof e === 'object' && e !== null && String((e as { code?: unknown }).code).startsWith('BW_'));
export const isConfigError = (e: unknown): e is ConfigError => hasFailureCode(e, Failure.ConfigInvalid);
export const isProvisioningError = (e: unknown): e is ProvisioningError => hasFailureCode(e, Failure.ProvisioningFailed);
export const isInvalidInputError = (e: unknown): e is InvalidInputError => hasFailureCode(e, Failure.InvalidInput);
export const isNotFoundError = (e: unknown): e is NotFoundError => hasFailureCode(e, Failure.NotFound);
