/**
 * What crosses the workflow → `callModel` activity boundary, and the stable failure types it can end in.
 * Pure: usable in workflows.
 */
import { z } from 'zod';
import { Failure } from '../failures';
import { modelToolCallSchema, toolWireSchema, type ModelToolCall } from './tool';

/** A tool call an assistant message carries (OpenAI wire format). */
export const wireToolCallSchema = z.strictObject({
  id: z.string().min(1).max(200),
  type: z.literal('function'),
  function: z.strictObject({ name: z.string().min(1).max(200), arguments: z.string().max(100_000) }),
});

/**
 * A chat message as sent to the model (OpenAI wire format): an assistant turn may carry the tool calls it
 * asked for (`tool_calls`), and each answer to one is a `tool` message naming it (`tool_call_id`).
 */
export const chatMessageSchema = z.strictObject({
  role: z.enum(['system', 'developer', 'user', 'assistant', 'tool']),
  content: z.string().max(200_000),
  tool_calls: z.array(wireToolCallSchema).max(1000).optional(),
  tool_call_id: z.string().min(1).max(200).optional(),
});
export type ChatMessage = z.infer<typeof chatMessageSchema>;

export const callModelInputSchema = z.strictObject({
  /** Agent role; config/models.json maps it to a model. */
  role: z.string().min(1).max(100),
  /** Name of the schema (defineAgentSchema): the json_schema name the model sees, and the key of the answer cache. */
  schema: z.string().min(1).max(64),
  /**
   * The schema itself as JSON Schema (the agent runner sends it: `agentJsonSchema`), so a worker validates
   * answers to schemas it never imported. A schema registered in the worker's process takes precedence.
   */
  jsonSchema: z.record(z.string(), z.unknown()).optional(),
  messages: z.array(chatMessageSchema).min(1).max(2000),
  /** Default 0. The cache is used only at temperature 0. */
  temperature: z.number().min(0).max(2).optional(),
  /** Opt-in: identical model + messages + schema at temperature 0 returns the stored answer, at no cost. */
  cache: z.boolean().optional(),
  /** Repair rounds after an invalid answer (validation errors fed back). Default 1. */
  maxRepairs: z.number().int().min(0).max(3).optional(),
  /**
   * What is left of the run's budget, in nano-dollars (the agent runner sends it). A request whose worst case
   * exceeds it (less what this call already spent) is refused before it is sent: BW_LLM_RUN_BUDGET.
   */
  budgetNanoUsd: z.number().int().min(0).optional(),
  /**
   * Tools the model may call this turn (OpenAI `tools`, strict JSON Schema parameters). With tools, an
   * answer is either tool calls (returned as `toolCalls`, not validated against `schema`: the workflow
   * screens them) or the final answer validated against `schema`.
   */
  tools: z.array(toolWireSchema).max(128).optional(),
});
export type CallModelInput = z.input<typeof callModelInputSchema>;

/** details[0] of a BW_LLM_RUN_BUDGET refusal. */
export interface RunBudgetDetails {
  /** Worst case of the refused request. */
  estimateNanoUsd: number;
  /** What was left of the run's budget for it. */
  remainingNanoUsd: number;
  /** What this call had already cost (earlier attempts, repair rounds) when it was refused: to be counted. */
  costNanoUsd: number;
  callIds: number[];
}

export interface CallModelResult {
  /** The parsed, schema-validated output. */
  output: unknown;
  role: string;
  model: string;
  /** What the provider says answered (may be a dated variant of `model`). */
  responseModel: string;
  usage: { inputTokens: number; outputTokens: number };
  /** Cost of every request this activity attempt made (repairs included), exact in nano-dollars. */
  costNanoUsd: number;
  costUsd: number;
  latencyMs: number;
  cacheHit: boolean;
  repairs: number;
  /** llm_calls row ids of this attempt. */
  callIds: number[];
  /** The model asked for tools instead of answering (only when the call offered tools); `output` is then null. */
  toolCalls?: ModelToolCall[];
}

export { modelToolCallSchema };

/** ApplicationFailure types thrown by callModel: aliases of the catalog's `Failure.Llm*` types. */
export const LlmFailure = {
  /** Output still invalid after the repair rounds. Non-retryable; details[0] is InvalidOutputDetails. */
  InvalidOutput: Failure.LlmInvalidOutput.type,
  /** The global daily spend cap would be crossed. Non-retryable; details[0] is DailyCapDetails. */
  DailyCap: Failure.LlmDailyCap.type,
  /** The request's worst case exceeds what is left of the run's budget. Non-retryable; details[0] is RunBudgetDetails. */
  RunBudget: Failure.LlmRunBudget.type,
  /** 400-class answer (bad request, auth, unknown model). Non-retryable. */
  RequestRejected: Failure.LlmRequestRejected.type,
  /** The endpoint cannot take the request's shape (4xx naming a parameter, or a 5xx validation error): not retried; the message names the profile setting to change. */
  Incompatible: Failure.LlmIncompatible.type,
  /** 429: retried after Retry-After. */
  RateLimited: Failure.LlmRateLimited.type,
  /** 5xx, timeouts, dropped connections: retried with backoff and jitter. */
  Unavailable: Failure.LlmUnavailable.type,
  /** Role, schema or input unknown/invalid. Non-retryable. */
  BadCall: Failure.LlmBadCall.type,
} as const;

export interface InvalidOutputDetails {
  role: string;
  schema: string;
  issues: string[];
  /** What the failed attempt still cost: the workflow's budget counts it. */
  costNanoUsd: number;
  callIds: number[];
}

export interface DailyCapDetails {
  day: string;
  capUsd: number;
  spentUsd: number;
  reservedUsd: number;
  /** Worst-case cost of the refused call. */
  estimateUsd: number;
}
