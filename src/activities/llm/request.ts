/**
 * Shapes one Chat Completions request to a model's compatibility profile, and reads the answer back the
 * same way. Pure: `callModel` and `breakwater llm probe` build their requests here, so what the probe
 * measured is exactly what the agent layer sends.
 */
import type OpenAI from 'openai';
import type { ChatMessage } from '../../contracts/agentCall';
import type { ModelToolCall, ToolWire } from '../../contracts/tool';
import { shapeSchema } from './portablePattern';
import type { CompatProfile } from './profiles';

export type ChatRequest = OpenAI.Chat.Completions.ChatCompletionCreateParamsNonStreaming;

/**
 * The schema without the given keywords, at every depth. Only keyword positions are touched: a property
 * named `pattern` survives stripping the `pattern` keyword.
 */
export function stripSchemaKeywords(schema: unknown, keywords: readonly string[]): unknown {
  return keywords.length === 0 ? schema : shapeSchema(schema, { strip: keywords });
}

/** The instruction that carries the schema when the endpoint cannot take it as a parameter (json_object). */
export const schemaInstruction = (name: string, schema: unknown): string =>
  `Answer with only a JSON object that matches the JSON Schema "${name}":\n${JSON.stringify(schema)}`;

/** System (and developer) messages folded into the first user message, for templates that drop them. */
export function foldSystemMessages(messages: readonly ChatMessage[]): ChatMessage[] {
  const system = messages.filter((m) => m.role === 'system' || m.role === 'developer').map((m) => m.content);
  if (system.length === 0) return [...messages];
  const rest = messages.filter((m) => m.role !== 'system' && m.role !== 'developer');
  const first = rest.findIndex((m) => m.role === 'user');
  if (first < 0) return [{ role: 'user', content: system.join('\n\n') }, ...rest];
  return rest.map((m, i) => (i === first ? { role: 'user', content: `${system.join('\n\n')}\n\n${m.content}` } : m));
}

export interface RequestShape {
  model: string;
  messages: readonly ChatMessage[];
  schemaName: string;
  jsonSchema: Record<string, unknown>;
  maxOutputTokens: number;
  temperature?: number;
  /** Tools the model may call (an agent turn); the final answer is still asked for with `jsonSchema`. */
  tools?: readonly ToolWire[];
}

/** The request body for `profile`. */
export function buildChatRequest(profile: CompatProfile, r: RequestShape): ChatRequest {
  const schema = shapeSchema(r.jsonSchema, { strip: profile.stripKeywords, portable: true }) as Record<string, unknown>;
  let messages: ChatMessage[] = [...r.messages];
  if (profile.structuredOutput === 'json_object') {
    // The schema travels in the instructions; with no system messages it lands in the first user message below.
    messages = [{ role: 'system', content: schemaInstruction(r.schemaName, schema) }, ...messages];
  }
  if (!profile.systemMessages) messages = foldSystemMessages(messages);
  const body: ChatRequest = { model: r.model, messages: messages as ChatRequest['messages'], ...(r.temperature === undefined ? {} : { temperature: r.temperature }) };
  if (profile.tokenLimitParam === 'max_tokens') body.max_tokens = r.maxOutputTokens;
  else body.max_completion_tokens = r.maxOutputTokens;
  switch (profile.structuredOutput) {
    case 'json_schema_strict':
    case 'json_schema':
      body.response_format = { type: 'json_schema', json_schema: { name: r.schemaName, schema, strict: profile.structuredOutput === 'json_schema_strict' } };
      break;
    case 'json_object':
      body.response_format = { type: 'json_object' };
      break;
    case 'tool_call':
      body.tools = [{ type: 'function', function: { name: r.schemaName, description: `Report the answer as "${r.schemaName}".`, parameters: schema } }];
      body.tool_choice = { type: 'function', function: { name: r.schemaName } };
      break;
  }
  if (r.tools && r.tools.length > 0) {
    // Strict exactly when the profile's structured output is: the same JSON Schema rules hold for both.
    const strict = profile.structuredOutput === 'json_schema_strict';
    const offered = r.tools.map((t) => ({ type: 'function' as const, function: { name: t.name, description: t.description, parameters: shapeSchema(t.parameters, { strip: profile.stripKeywords, portable: true }) as Record<string, unknown>, ...(strict ? { strict } : {}) } }));
    body.tools = [...(body.tools ?? []), ...offered];
    // tool_call profile: the answer is a call too, of the answer's tool or of a real one; either is fine.
    if (profile.structuredOutput === 'tool_call') body.tool_choice = 'required';
  }
  return body;
}

/** The answer's JSON text: the content, or the forced tool call's arguments (the call named `schemaName`, when given). */
export function answerText(profile: CompatProfile, choice: OpenAI.Chat.Completions.ChatCompletion.Choice | undefined, schemaName?: string): string | null {
  if (!choice) return null;
  if (profile.structuredOutput === 'tool_call') {
    const call = choice.message.tool_calls?.find((c) => c.type === 'function' && (schemaName === undefined || c.function.name === schemaName));
    if (call && call.type === 'function') return call.function.arguments;
  }
  return choice.message.content ?? null;
}

/** The calls of real tools the model asked for (not the tool_call profile's answer tool), in its order. */
export function requestedToolCalls(choice: OpenAI.Chat.Completions.ChatCompletion.Choice | undefined, schemaName: string): ModelToolCall[] {
  const calls = choice?.message.tool_calls ?? [];
  return calls.flatMap((c) => (c.type === 'function' && c.function.name !== schemaName ? [{ id: c.id, name: c.function.name, arguments: c.function.arguments ?? '' }] : []));
}
