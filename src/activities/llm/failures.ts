/**
 * How a failed model request becomes a Temporal failure. Temporal does the retrying (the openai client runs
 * with maxRetries: 0), so this is where the policy lives:
 * - 429: retry after the server's Retry-After (retry-after-ms or retry-after), plus up to 20 % jitter;
 * - 408, 409, 5xx, timeouts, dropped connections: retry with exponential backoff and jitter;
 * - any other 4xx (bad request, auth, unknown model): do not retry;
 * - a 5xx whose body is a request-validation error, or a 4xx that names a parameter of the request: do not
 *   retry, and say which profile setting to change (BW_LLM_INCOMPATIBLE, compatHints.ts).
 * The delay goes in ApplicationFailure.nextRetryDelay, which overrides the policy's interval for that attempt.
 */
import type { ApplicationFailure } from '@temporalio/common';
import { APIConnectionError, APIConnectionTimeoutError, APIError } from 'openai';
import { Failure, raise } from '../../failures';
import { redactText } from '../../redact';
import { isRequestValidationError, profileHint } from './compatHints';
import type { CompatProfile } from './profiles';

export interface BackoffOptions {
  /** First retry delay for 5xx/timeouts (doubled each attempt). Default 1000 ms. */
  baseMs: number;
  /** Longest delay. Default 30 s. */
  maxMs: number;
  /** Source of randomness in [0, 1) (a parameter so tests can pin it). */
  random: () => number;
}

export const defaultBackoff: BackoffOptions = { baseMs: 1000, maxMs: 30_000, random: Math.random };

/** Retry-After in ms, from `retry-after-ms` or `retry-after` (seconds or an HTTP date). */
export function retryAfterMs(headers: Headers | undefined, now = Date.now()): number | undefined {
  if (!headers) return undefined;
  const ms = Number(headers.get('retry-after-ms'));
  if (headers.get('retry-after-ms') !== null && Number.isFinite(ms) && ms >= 0) return ms;
  const raw = headers.get('retry-after');
  if (raw === null) return undefined;
  const seconds = Number(raw);
  if (Number.isFinite(seconds) && seconds >= 0) return seconds * 1000;
  const date = Date.parse(raw);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

/** Equal jitter: half the exponential delay fixed, half random. */
export function backoffDelayMs(attempt: number, o: BackoffOptions): number {
  const exp = Math.min(o.maxMs, o.baseMs * 2 ** Math.max(0, attempt - 1));
  return Math.round(exp / 2 + (o.random() * exp) / 2);
}

export interface ClassifiedError {
  failure: ApplicationFailure;
  outcome: 'http-error' | 'network-error';
  httpStatus?: number;
  message: string;
}

/** The model and profile of the request, for a hint when the endpoint refuses its shape. */
export interface RequestProfile {
  model: string;
  profile: CompatProfile;
}

/** A 4xx (not auth, not 404) that talks about the request's parameters: the profile is what to change. */
const NAMES_A_PARAMETER = /json_schema|response_format|json_object|max_completion_tokens|max_tokens|tool_choice|\btools\b|pattern|grammar|system/i;

export function classifyRequestError(err: unknown, attempt: number, o: BackoffOptions, req?: RequestProfile): ClassifiedError {
  const message = redactText(err instanceof Error ? err.message : String(err));
  if (err instanceof APIConnectionError || err instanceof APIConnectionTimeoutError) {
    const kind = err instanceof APIConnectionTimeoutError ? 'timed out' : 'connection failed';
    return {
      outcome: 'network-error',
      message,
      failure: raise(Failure.LlmUnavailable, `LLM request ${kind}: ${message}`, { nextRetryDelay: backoffDelayMs(attempt, o) }),
    };
  }
  if (err instanceof APIError && typeof err.status === 'number') {
    const status = err.status;
    if (status === 429) {
      const after = retryAfterMs(err.headers);
      const delay = after === undefined ? backoffDelayMs(attempt, o) : Math.round(after * (1 + 0.2 * o.random()));
      return {
        outcome: 'http-error',
        httpStatus: status,
        message,
        failure: raise(Failure.LlmRateLimited, `LLM rate limited (429${after === undefined ? '' : `, Retry-After ${after} ms`}): ${message}`, {
          nextRetryDelay: delay,
          details: [{ status, retryAfterMs: after ?? null, delayMs: delay }],
        }),
      };
    }
    const errorType = (err.error as { type?: unknown } | undefined)?.type;
    const validation = isRequestValidationError(status, message, typeof errorType === 'string' ? errorType : undefined);
    if (req && (validation || (status >= 400 && status < 500 && ![401, 403, 404, 408, 409].includes(status) && NAMES_A_PARAMETER.test(message)))) {
      const hint = profileHint(message, req.model, req.profile);
      return {
        outcome: 'http-error',
        httpStatus: status,
        message,
        failure: raise(Failure.LlmIncompatible, `LLM endpoint cannot take this request (${status}): ${message} — ${hint}`, { details: [{ status, hint, model: req.model }] }),
      };
    }
    if (status === 408 || status === 409 || status >= 500) {
      return {
        outcome: 'http-error',
        httpStatus: status,
        message,
        failure: raise(Failure.LlmUnavailable, `LLM server error ${status}: ${message}`, { nextRetryDelay: backoffDelayMs(attempt, o), details: [{ status }] }),
      };
    }
    return {
      outcome: 'http-error',
      httpStatus: status,
      message,
      failure: raise(Failure.LlmRequestRejected, `LLM request rejected (${status}): ${message}`, { details: [{ status }] }),
    };
  }
  // Anything else (a bug, an unexpected client error): retry with backoff; Temporal's attempt limit bounds it.
  return {
    outcome: 'network-error',
    message,
    failure: raise(Failure.LlmUnavailable, `LLM request failed: ${message}`, { nextRetryDelay: backoffDelayMs(attempt, o) }),
  };
}
