/**
 * The one catalog of Breakwater's failure types. Each `BW_*` type has a meaning and says whether retrying
 * can help; it is raised one way — `raise(Failure.X, message, options)`, an ApplicationFailure that
 * Temporal carries across activities, workflows and clients — and recognised one way: `isFailure(e,
 * Failure.X)`, which looks through Temporal's wrappers (ActivityFailure, ChildWorkflowFailure,
 * WorkflowFailedError). Pure: usable in workflows.
 *
 * A pipeline with failure types of its own defines them the same way (`defineFailures`), in its contract.
 */
import { ApplicationFailure } from '@temporalio/common';

export interface FailureSpec {
  /** The stable type, `BW_*`: match on it, never on a message. */
  readonly type: string;
  /** False: the same call will fail the same way; Temporal must not retry it. */
  readonly retryable: boolean;
  /** What it means, for people (the docs and `breakwater explain` show it). */
  readonly meaning: string;
}

/** A catalog of failure types: checks the `BW_` prefix and that no two entries share a type, and keeps each entry's literal type. */
export function defineFailures<const C extends Record<string, FailureSpec>>(catalog: C): C {
  const seen = new Map<string, string>();
  for (const [name, spec] of Object.entries(catalog)) {
    if (!/^BW_[A-Z][A-Z0-9_]*$/.test(spec.type)) throw new Error(`failure ${name}: type '${spec.type}' must be BW_ and upper-case`);
    const other = seen.get(spec.type);
    if (other !== undefined) throw new Error(`failures ${other} and ${name} share the type '${spec.type}'`);
    seen.set(spec.type, name);
    Object.freeze(spec);
  }
  return Object.freeze(catalog);
}

export const Failure = defineFailures({
  InvalidInput: { type: 'BW_INVALID_INPUT', retryable: false, meaning: 'Input that crossed a boundary (CLI args, workflow input, HTTP body, tool arguments) failed validation.' },
  ConfigInvalid: { type: 'BW_CONFIG_INVALID', retryable: false, meaning: 'A setting is missing or invalid; the error names the variable.' },
  ProvisioningFailed: { type: 'BW_PROVISIONING_FAILED', retryable: false, meaning: 'A tool the project needs (Temporal CLI, PostgreSQL binaries) could not be found or installed.' },
  SetupFailed: { type: 'BW_SETUP_FAILED', retryable: false, meaning: "Breakwater's search attributes could not be registered on the namespace." },
  NotFound: { type: 'BW_NOT_FOUND', retryable: false, meaning: 'The workflow, breaker or record named does not exist.' },
  HumanRejected: { type: 'BW_REJECTED_BY_HUMAN', retryable: false, meaning: 'A person rejected the run at an escalation; the run ends Rejected.' },
  StaleDecision: { type: 'BW_STALE_DECISION', retryable: false, meaning: 'A decision named an escalation that is no longer open (a late click): refused, audited, never applied to the open one.' },
  ApproverRejected: { type: 'BW_APPROVER_REJECTED', retryable: false, meaning: 'The one who decided is not an allowed approver; nothing changed.' },
  DecisionUnsigned: { type: 'BW_DECISION_UNSIGNED', retryable: false, meaning: 'A decision (resolve, budget raise, breaker clear, dlq replay) came without a signature and development mode is off: refused by the worker, audited, nothing changed. Sign it (`breakwater resolve` does; `breakwater sign` for the temporal CLI and Web UI).' },
  DecisionForged: { type: 'BW_DECISION_FORGED', retryable: false, meaning: "A decision's signature does not verify with the named approver's key (wrong key, tampered field, unknown approver, a signer not trusted to vouch): refused by the worker, audited, nothing changed." },
  DecisionExpired: { type: 'BW_DECISION_EXPIRED', retryable: false, meaning: "A signed decision's `at` is outside the worker's window (BREAKWATER_DECISION_MAX_AGE_S): sign it again." },
  DecisionReplayed: { type: 'BW_DECISION_REPLAYED', retryable: false, meaning: 'A signed decision was already used once: a signature is good for one decision.' },
  InboxUnauthenticated: { type: 'BW_INBOX_UNAUTHENTICATED', retryable: false, meaning: 'The inbox was asked for something without a logged-in approver (or with a wrong password).' },
  InboxCsrf: { type: 'BW_INBOX_CSRF', retryable: false, meaning: "An inbox POST came without this session's CSRF token, or from another origin: refused, nothing changed." },
  InboxBindRefused: { type: 'BW_INBOX_BIND_REFUSED', retryable: false, meaning: 'The inbox was asked to listen beyond loopback without TLS and a login configured.' },
  BreakerOpen: { type: 'BW_BREAKER_OPEN', retryable: false, meaning: "The step's circuit breaker is open (or half-open, another attempt probing): no run calls it until a person clears it or, for a step that opted in, a half-open probe succeeds. details[0] is the breaker." },
  BreakerNotFound: { type: 'BW_BREAKER_NOT_FOUND', retryable: false, meaning: 'No breaker exists for that pipeline and step.' },
  EffectRejected: { type: 'BW_EFFECT_REJECTED', retryable: false, meaning: 'The outside system refused the effect (4xx): retrying the same request will not help; a person decides.' },
  EffectRateLimited: { type: 'BW_EFFECT_RATE_LIMITED', retryable: true, meaning: 'The outside system answered 429: retried after its Retry-After, with jitter.' },
  EffectUnavailable: { type: 'BW_EFFECT_UNAVAILABLE', retryable: true, meaning: 'The outside system failed (5xx) and persisted nothing: retried; failures count against the breaker.' },
  EffectOutcomeUnknown: { type: 'BW_EFFECT_OUTCOME_UNKNOWN', retryable: true, meaning: 'No answer to the effect: it may have happened. The next attempt reconciles with the system before any re-send.' },
  EffectBadResponse: { type: 'BW_EFFECT_BAD_RESPONSE', retryable: false, meaning: "The outside system's answer breaks its contract." },
  EffectUnknown: { type: 'BW_EFFECT_UNKNOWN', retryable: false, meaning: 'The workflow named an effect this worker did not register (createBreakwaterWorker({ effects })).' },
  EffectError: { type: 'BW_EFFECT_ERROR', retryable: true, meaning: 'Code of an EffectError thrown by an effect’s perform/lookup; becomes one of the BW_EFFECT_* types above.' },
  FingerprintBusy: { type: 'BW_FINGERPRINT_BUSY', retryable: true, meaning: 'Another attempt holds the fingerprint’s lease: retried shortly, nothing is sent twice.' },
  ReconcileWait: { type: 'BW_RECONCILE_WAIT', retryable: true, meaning: 'An earlier call has an unknown outcome and is not visible yet: looked at again before any re-send.' },
  RateLimited: { type: 'BW_RATE_LIMITED', retryable: true, meaning: 'A brokered API answered 429: the API pauses for every caller until its Retry-After.' },
  RetryBudgetExhausted: { type: 'BW_RETRY_BUDGET_EXHAUSTED', retryable: false, meaning: 'A call spent its retry budget; the step escalates to a person.' },
  BrokerFailed: { type: 'BW_BROKER_FAILED', retryable: true, meaning: "The broker's own state is unusable (bad limit, database refused the reservation)." },
  StateConflict: { type: 'BW_STATE_CONFLICT', retryable: false, meaning: 'A shared-state write was based on a stale version: re-read, re-apply, write again.' },
  LlmInvalidOutput: { type: 'BW_LLM_INVALID_OUTPUT', retryable: false, meaning: 'The model kept answering outside the schema after its repair rounds; details[0] has the issues and cost.' },
  LlmDailyCap: { type: 'BW_LLM_DAILY_CAP', retryable: false, meaning: 'The global daily LLM spend cap would be crossed; the run pauses until a person or the next UTC day.' },
  LlmRunBudget: { type: 'BW_LLM_RUN_BUDGET', retryable: false, meaning: "The request's worst case (input + the role's maxOutputTokens at the model's price) exceeds what is left of the run's budget: refused before it was sent; the run pauses as at 100 % until a person raises the budget. details[0] has the estimate, what was left and the cost so far." },
  LlmRequestRejected: { type: 'BW_LLM_REQUEST_REJECTED', retryable: false, meaning: 'The model endpoint refused the request (4xx: bad request, auth, unknown model).' },
  LlmIncompatible: { type: 'BW_LLM_INCOMPATIBLE', retryable: false, meaning: "The endpoint cannot take the request's shape (a 4xx naming a parameter, or a 5xx whose body is a request-validation error): retrying cannot help. The message has the server's words and the profile setting to change (structuredOutput, tokenLimitParam, stripKeywords, systemMessages); details[0].hint too." },
  LlmRateLimited: { type: 'BW_LLM_RATE_LIMITED', retryable: true, meaning: 'The model endpoint answered 429: retried after Retry-After.' },
  LlmUnavailable: { type: 'BW_LLM_UNAVAILABLE', retryable: true, meaning: 'The model endpoint failed (5xx, timeout, dropped connection): retried with backoff and jitter.' },
  LlmBadCall: { type: 'BW_LLM_BAD_CALL', retryable: false, meaning: 'The call itself is wrong: unknown role or schema, invalid input.' },
  ToolUnknown: { type: 'BW_TOOL_UNKNOWN', retryable: false, meaning: 'A tool call named a tool this worker does not implement (createBreakwaterWorker({ tools }), or an MCP server that did not list it).' },
  ToolFailed: { type: 'BW_TOOL_FAILED', retryable: true, meaning: "A tool's code failed; retried by the activity's policy. A write tool's fingerprint is released so the retry may run it (with the same idempotency key)." },
  ToolRefused: { type: 'BW_TOOL_REFUSED', retryable: false, meaning: 'A tool refused the call for good (ToolError with retryable false): the model gets the message as the tool result.' },
  ToolBadOutput: { type: 'BW_TOOL_BAD_OUTPUT', retryable: false, meaning: "A tool returned something that does not match its declared output schema: never handed to the model." },
  AgentStopped: { type: 'BW_AGENT_STOPPED', retryable: false, meaning: 'An agent loop reached a cap (turns, tool calls, budget, deadline, history) or repeated a call without a valid final answer; details[0] has the cap and the transcript.' },
  AgentCarryInvalid: { type: 'BW_AGENT_CARRY_INVALID', retryable: false, meaning: "The carry a tool-using agent's workflow continued as new with (its input's `carry`) does not fit the schema, belongs to another agent or is inconsistent: refused before anything ran." },
  McpUnavailable: { type: 'BW_MCP_UNAVAILABLE', retryable: true, meaning: 'An MCP server could not be started, reached or listed, or dropped the call.' },
  CodecKeyUnknown: { type: 'BW_CODEC_KEY_UNKNOWN', retryable: false, meaning: "An encrypted payload names a key id that is not in this process's BREAKWATER_CODEC_KEYS (a key removed too early, or another deployment's payload): add the old key back, after the new one." },
  CodecDecryptFailed: { type: 'BW_CODEC_DECRYPT_FAILED', retryable: false, meaning: 'An encrypted payload does not decrypt with the key its metadata names: it was altered or truncated, or a different key was given the same id.' },
  CodecUnauthorized: { type: 'BW_CODEC_UNAUTHORIZED', retryable: false, meaning: 'A codec server request without the right bearer token (or from an origin other than the Web UI\'s): refused, nothing decoded.' },
  InjectedFault: { type: 'BW_INJECTED_FAULT', retryable: true, meaning: 'A fault injected at a named fault point (tests and the chaos suite only).' },
  Usage: { type: 'BW_USAGE', retryable: false, meaning: 'A CLI command was called with wrong arguments (exit 2).' },
  Failed: { type: 'BW_FAILED', retryable: false, meaning: 'A CLI command failed for a reason without a type of its own (exit 1).' },
});

export type FailureName = keyof typeof Failure;
export type FailureType = (typeof Failure)[FailureName]['type'];

export interface RaiseOptions {
  /** Structured context (JSON): read by the workflow, shown by `breakwater explain`. */
  details?: unknown[];
  /**
   * Retry after this long (ms), instead of the retry policy's interval; passed to Temporal as given. Ignored
   * for a type that is not retryable (there is no next attempt).
   */
  nextRetryDelay?: number;
  cause?: Error;
}

/** The ApplicationFailure of a catalog entry: its type, and non-retryable unless the catalog says retrying helps. */
export function raise(spec: FailureSpec, message: string, o: RaiseOptions = {}): ApplicationFailure {
  return ApplicationFailure.create({
    type: spec.type,
    message,
    nonRetryable: !spec.retryable,
    ...(o.details ? { details: o.details } : {}),
    ...(o.nextRetryDelay !== undefined && spec.retryable ? { nextRetryDelay: o.nextRetryDelay } : {}),
    ...(o.cause ? { cause: o.cause } : {}),
  });
}

/** The Breakwater failure type of `e`, looking through Temporal's wrappers; also a BreakwaterError's `code`. */
export function failureTypeOf(e: unknown): string | undefined {
  for (let cur: unknown = e, depth = 0; cur && depth < 8; cur = (cur as { cause?: unknown }).cause, depth++) {
    if (cur instanceof ApplicationFailure && cur.type?.startsWith('BW_')) return cur.type;
    const code = (cur as { code?: unknown }).code;
    if (typeof code === 'string' && code.startsWith('BW_')) return code;
  }
  return undefined;
}

/** The catalog entry of a type, if Breakwater's catalog has one. */
export function failureSpecOf(type: string | undefined): FailureSpec | undefined {
  return type === undefined ? undefined : Object.values(Failure).find((f) => f.type === type);
}

/** Whether `e` is (or wraps) the failure of this catalog entry. */
export const isFailure = (e: unknown, spec: FailureSpec): boolean => failureTypeOf(e) === spec.type;

/** The details[0] of the ApplicationFailure of this type inside `e`, if any. */
export function failureDetails<T = unknown>(e: unknown, spec: FailureSpec): T | undefined {
  for (let cur: unknown = e, depth = 0; cur && depth < 8; cur = (cur as { cause?: unknown }).cause, depth++) {
    if (cur instanceof ApplicationFailure && cur.type === spec.type) return cur.details?.[0] as T | undefined;
  }
  return undefined;
}
