/**
 * Personalities: the ways real "OpenAI-compatible" servers differ from OpenAI, reproduced by the LLM
 * simulator so tests meet them without a real model. Each was seen on a real server (llama-cpp-python 0.3.36
 * serving Gemma 3 270M: docs/compatibility.md):
 * - `refusesJsonSchema`: `response_format` json_schema is refused with HTTP 500 and a pydantic message;
 * - `ignoresMaxCompletionTokens`: max_completion_tokens is not honoured (max_tokens is): the answer reports
 *   this many completion tokens, as a runaway generation would;
 * - `noUsage`: the answer has no `usage`;
 * - `dropsSystemMessages`: system (and developer) messages never reach the "model" (the rules' matching);
 * - `crashesOnPattern`: a schema with a `pattern` keyword kills the server: the listener closes and every
 *   later request gets ECONNREFUSED, as after the real server's segfault.
 */
import { z } from 'zod';
import type { ChatCompletionRequest } from './llmProtocol';

export const llmPersonalitySchema = z.strictObject({
  refusesJsonSchema: z.boolean().optional(),
  ignoresMaxCompletionTokens: z.number().int().min(1).max(1_000_000).optional(),
  noUsage: z.boolean().optional(),
  dropsSystemMessages: z.boolean().optional(),
  crashesOnPattern: z.boolean().optional(),
});
export type LlmPersonality = z.infer<typeof llmPersonalitySchema>;

/** llama-cpp-python's answer to a json_schema response_format: FastAPI's validation error, as a 500. */
export const jsonSchemaRefusal =
  "[{'type': 'literal_error', 'loc': ('body', 'response_format', 'type'), 'msg': \"Input should be 'text' or 'json_object'\", 'input': 'json_schema', 'ctx': {'expected': \"'text' or 'json_object'\"}}]";

/** Whether any schema in the request (response_format, tools) uses the `pattern` keyword. */
export function usesPattern(request: ChatCompletionRequest): boolean {
  const found = (node: unknown, inProperties: boolean): boolean => {
    if (Array.isArray(node)) return node.some((n) => found(n, false));
    if (!node || typeof node !== 'object') return false;
    return Object.entries(node).some(([k, v]) => (!inProperties && k === 'pattern' && typeof v === 'string') || found(v, k === 'properties'));
  };
  return found(request.response_format, false) || found(request.tools, false);
}

/** The request as the "model" sees it: without system messages when the personality drops them. */
export function asSeen(p: LlmPersonality, request: ChatCompletionRequest): ChatCompletionRequest {
  if (!p.dropsSystemMessages) return request;
  const messages = request.messages.filter((m) => m.role !== 'system' && m.role !== 'developer');
  return { ...request, messages: messages.length > 0 ? messages : [{ role: 'user', content: '' }] };
}

/** Completion tokens to report: a runaway when only max_completion_tokens was sent; capped by max_tokens. */
export function completionTokens(p: LlmPersonality, request: ChatCompletionRequest, natural: number): number {
  const maxTokens = typeof request.max_tokens === 'number' ? request.max_tokens : undefined;
  if (maxTokens !== undefined) return Math.min(natural, maxTokens);
  if (p.ignoresMaxCompletionTokens !== undefined && typeof request.max_completion_tokens === 'number') return p.ignoresMaxCompletionTokens;
  return natural;
}
