/**
 * Breakwater's error classes. Each has a stable `code` (safe to match on, shown to users and in alerts)
 * and a type guard, so callers never depend on `instanceof` across realms or on message text.
 */
export abstract class BreakwaterError extends Error {
  abstract readonly code: string;
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
  }
}

/** An environment variable or config file value is missing or invalid. */
export class ConfigError extends BreakwaterError {
  readonly code = 'BW_CONFIG_INVALID';
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
  readonly code = 'BW_PROVISIONING_FAILED';
}

/** Input that crossed a boundary (CLI args, workflow input, HTTP body) failed validation. */
export class InvalidInputError extends BreakwaterError {
  readonly code = 'BW_INVALID_INPUT';
  constructor(
    message: string,
    readonly issues: readonly string[] = [],
  ) {
    super(message);
  }
}

const hasCode = (e: unknown, code: string): boolean =>
  typeof e === 'object' && e !== null && (e as { code?: unknown }).code === code;

export const isBreakwaterError = (e: unknown): e is BreakwaterError =>
  e instanceof BreakwaterError || (typeof e === 'object' && e !== null && String((e as { code?: unknown }).code).startsWith('BW_'));
export const isConfigError = (e: unknown): e is ConfigError => hasCode(e, 'BW_CONFIG_INVALID');
export const isProvisioningError = (e: unknown): e is ProvisioningError => hasCode(e, 'BW_PROVISIONING_FAILED');
export const isInvalidInputError = (e: unknown): e is InvalidInputError => hasCode(e, 'BW_INVALID_INPUT');
