/**
 * The slice of the OpenAI Chat Completions wire protocol the LLM simulator
 * speaks: request validation, response and error bodies, token estimates.
 * Shapes follow the real API closely enough for the official `openai`
 * client to parse them (it is used against the simulator in the tests).
 */
import { z } from 'zod';
import type { HttpError } from './http';
import type { ChatRequestFacts } from './llmScenario';

const contentPartSchema = z.looseObject({ type: z.string(), text: z.string().optional() });

const messageSchema = z.looseObject({
  role: z.string().min(1),
  content: z.union([z.string(), z.array(contentPartSchema), z.null()]).optional(),
});

const responseFormatSchema = z.union([
  z.looseObject({
    type: z.literal('json_schema'),
    json_schema: z.looseObject({ name: z.string().min(1), strict: z.boolean().nullable().optional() }),
  }),
  z.looseObject({ type: z.enum(['text', 'json_object']) }),
]);

/** Unknown fields (temperature, seed, tools, ...) are accepted and ignored. */
export const chatCompletionRequestSchema = z.looseObject({
  model: z.string().min(1),
  messages: z.array(messageSchema).min(1),
  response_format: responseFormatSchema.optional(),
  stream: z.boolean().nullable().optional(),
  max_tokens: z.number().int().nullable().optional(),
  max_completion_tokens: z.number().int().nullable().optional(),
  tools: z.array(z.looseObject({ type: z.string(), function: z.looseObject({ name: z.string() }).optional() })).nullable().optional(),
  tool_choice: z.union([z.string(), z.looseObject({ type: z.string(), function: z.looseObject({ name: z.string() }).optional() })]).nullable().optional(),
});
export type ChatCompletionRequest = z.output<typeof chatCompletionRequestSchema>;

function messageText(message: ChatCompletionRequest['messages'][number]): string {
  const { content } = message;
  if (typeof content === 'string') return content;
  if (Array.isArray(content)) return content.map((part) => part.text ?? '').join('');
  return '';
}

/** The schema a request asks for: json_schema's name, the forced tool's name, or the one Breakwater's json_object instruction names. */
function requestedSchema(request: ChatCompletionRequest): string | null {
  const format = request.response_format;
  if (format && format.type === 'json_schema' && 'json_schema' in format) return format.json_schema.name;
  if (request.tool_choice && typeof request.tool_choice === 'object' && request.tool_choice.function) return request.tool_choice.function.name;
  if (format && format.type === 'json_object') {
    const named = request.messages.map(messageText).join('\n').match(/matches the JSON Schema "([^"]+)"/);
    return named ? (named[1] ?? null) : null;
  }
  return null;
}

export function requestFacts(request: ChatCompletionRequest): ChatRequestFacts {
  const users = request.messages.filter((m) => m.role === 'user');
  const lastUser = users[users.length - 1];
  return {
    model: request.model,
    // Newer clients send instructions as role "developer"; treat it as system.
    system: request.messages
      .filter((m) => m.role === 'system' || m.role === 'developer')
      .map(messageText)
      .join('\n'),
    lastUser: lastUser ? messageText(lastUser) : '',
    schemaName: requestedSchema(request),
  };
}

/** Deterministic token estimate (~4 characters per token) so costs are reproducible. */
export function estimateTokens(text: string): number {
  return Math.ceil(text.length / 4);
}

export function promptTokens(request: ChatCompletionRequest): number {
  return estimateTokens(request.messages.map(messageText).join(''));
}

export interface Usage {
  prompt_tokens: number;
  completion_tokens: number;
  total_tokens: number;
}

export function chatCompletionBody(options: {
  id: string;
  model: string;
  content: string;
  finishReason: string;
  /** Without usage: a server that does not report it. */
  usage: Usage | undefined;
  /** Answer as a call of this tool (the request forced it), the content being its arguments. */
  toolName?: string;
  /** Answer with these tool calls (a model that decided to use tools). */
  toolCalls?: { id: string; name: string; arguments: string }[];
}): unknown {
  const message = options.toolCalls
    ? { role: 'assistant', content: null, refusal: null, tool_calls: options.toolCalls.map((c) => ({ id: c.id, type: 'function', function: { name: c.name, arguments: c.arguments } })) }
    : options.toolName
    ? { role: 'assistant', content: null, refusal: null, tool_calls: [{ id: `call_${options.id}`, type: 'function', function: { name: options.toolName, arguments: options.content } }] }
    : { role: 'assistant', content: options.content, refusal: null };
  return {
    id: options.id,
    object: 'chat.completion',
    created: Math.floor(Date.now() / 1000),
    model: options.model,
    system_fingerprint: 'fp_breakwater_sim',
    choices: [
      {
        index: 0,
        message,
        logprobs: null,
        finish_reason: (options.toolName || options.toolCalls) && options.finishReason === 'stop' ? 'tool_calls' : options.finishReason,
      },
    ],
    ...(options.usage ? { usage: options.usage } : {}),
  };
}

function errorTypeFor(status: number): string {
  if (status === 401) return 'authentication_error';
  if (status === 403) return 'permission_error';
  if (status === 404) return 'not_found_error';
  if (status === 429) return 'requests';
  if (status >= 500) return 'server_error';
  return 'invalid_request_error';
}

function errorCodeFor(status: number): string | null {
  if (status === 429) return 'rate_limit_exceeded';
  if (status === 503) return 'service_unavailable';
  return null;
}

/** OpenAI's error body: {error: {message, type, param, code}}. */
export function openAiErrorBody(status: number, message: string, type?: string, code?: string | null): unknown {
  return {
    error: { message, type: type ?? errorTypeFor(status), param: null, code: code === undefined ? errorCodeFor(status) : code },
  };
}

/** Formats the simulator's own errors (bad input, no rule matched) the OpenAI way. */
export function formatHttpErrorAsOpenAi(error: HttpError): unknown {
  const generic = ['bad_request', 'not_found', 'server_error', 'error'];
  return openAiErrorBody(error.status, error.message, undefined, generic.includes(error.code) ? null : error.code);
}

/** Headers OpenAI sends with rate-limit style errors; the openai client honours both. */
export function retryHeaders(retryAfterSeconds: number | undefined): Record<string, string> {
  if (retryAfterSeconds === undefined) return {};
  return {
    'retry-after': String(Math.ceil(retryAfterSeconds)),
    'retry-after-ms': String(Math.round(retryAfterSeconds * 1000)),
  };
}
