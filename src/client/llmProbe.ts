/**
 * `breakwater llm probe`: a handful of small requests that find out what an OpenAI-compatible endpoint
 * really does — each structured-output mode, which token-limit parameter it honours, whether it reports
 * usage, keeps system messages, survives a `pattern` keyword — and the compatibility profile that follows
 * (llmProbeProfile.ts). The requests are built by the same code as the agent layer's (request.ts), so what
 * the probe measured is what `callModel` will send.
 *
 * Judged from the wire, not from the model's wits: a small model may answer badly; a mode is supported when
 * the endpoint accepts it and returns JSON in the expected place.
 */
import OpenAI, { APIConnectionError, APIConnectionTimeoutError, APIError } from 'openai';
import { z } from 'zod';
import { buildChatRequest, answerText, type ChatRequest } from '../activities/llm/request';
import { openAiProfile, structuredOutputModes, type CompatProfile, type StructuredOutputMode } from '../activities/llm/profiles';
import { redactText } from '../redact';

export const probeOptionsSchema = z.strictObject({
  baseUrl: z.url({ protocol: /^https?$/, error: 'must be an http(s) URL, e.g. http://127.0.0.1:8080/v1' }),
  model: z.string().min(1).max(200),
  apiKey: z.string().optional(),
  /** Per request. A server that ignores the token limit may take long to finish a runaway answer. */
  timeoutMs: z.number().int().min(1000).max(600_000).default(60_000),
  /** Also send a schema with a `pattern` keyword (last: it crashed llama-cpp-python's server). */
  checkKeywords: z.boolean().default(false),
});
export type ProbeOptions = z.input<typeof probeOptionsSchema>;

export interface Exchange {
  /** HTTP status; null: no answer (refused, reset, timed out). */
  status: number | null;
  latencyMs: number;
  error?: string;
  completion?: OpenAI.Chat.Completions.ChatCompletion;
}

export interface ModeFinding {
  mode: StructuredOutputMode;
  /** The endpoint accepted the request and returned JSON where the mode puts it. */
  supported: boolean;
  /** The JSON also matched the probe's schema (the model's doing, with a grammar or without). */
  valid: boolean;
  status: number | null;
  latencyMs: number;
  error?: string;
}

export interface LimitFinding {
  param: CompatProfile['tokenLimitParam'];
  limit: number;
  /** Completion tokens stayed within the limit; null when unknown (no usage, no answer). */
  honoured: boolean | null;
  /** Tokens seen: streamed chunks (the stream is dropped a few past the limit), or the reported usage. */
  completionTokens: number | null;
  status: number | null;
  latencyMs: number;
  error?: string;
}

export interface ProbeFindings {
  baseUrl: string;
  model: string;
  reachable: boolean;
  tokenLimit: LimitFinding[];
  structuredOutput: ModeFinding[];
  usageReported: boolean;
  toolCalls: boolean;
  /** False: system messages never reached the model (prompt tokens did not grow with a long system message). */
  systemMessagesKept: boolean | null;
  systemProbe: { promptTokensWithout: number | null; promptTokensWith: number | null };
  /** Per mode: what a `pattern` keyword did (only with checkKeywords). */
  patternKeyword?: { mode: StructuredOutputMode; status: number | null; crashed: boolean; error?: string }[];
  latencyMs: { min: number; median: number; max: number };
}

const LIMIT = 5;
const probeSchema = { type: 'object', properties: { answer: { type: 'string', enum: ['yes', 'no'] } }, required: ['answer'], additionalProperties: false };
const patternSchema = { type: 'object', properties: { orderId: { type: 'string', pattern: '^ORD-\\d{1,12}$' } }, required: ['orderId'], additionalProperties: false };
const question = [{ role: 'system' as const, content: 'You answer with JSON only.' }, { role: 'user' as const, content: 'Is the sky blue? Answer yes or no.' }];
const filler = 'This paragraph is background for the assistant and needs no reply. '.repeat(12);

export async function probeEndpoint(raw: ProbeOptions): Promise<ProbeFindings> {
  const o = probeOptionsSchema.parse(raw);
  const client = new OpenAI({ apiKey: o.apiKey ?? 'no-key-configured', baseURL: o.baseUrl, maxRetries: 0, timeout: o.timeoutMs });
  const latencies: number[] = [];

  async function send(body: ChatRequest): Promise<Exchange> {
    const t0 = Date.now();
    try {
      const completion = await client.chat.completions.create(body);
      latencies.push(Date.now() - t0);
      return { status: 200, latencyMs: Date.now() - t0, completion };
    } catch (e) {
      const latencyMs = Date.now() - t0;
      if (e instanceof APIError && typeof e.status === 'number') return { status: e.status, latencyMs, error: redactText(e.message).slice(0, 500) };
      const what = e instanceof APIConnectionTimeoutError ? 'timed out' : e instanceof APIConnectionError ? `no answer: ${String((e.cause as Error | undefined)?.message ?? e.message)}` : String(e);
      return { status: null, latencyMs, error: redactText(what).slice(0, 500) };
    }
  }
  const shaped = (profile: Partial<CompatProfile>, schema: Record<string, unknown>, schemaName: string, maxOutputTokens: number, messages = question) =>
    buildChatRequest({ ...openAiProfile, ...profile }, { model: o.model, messages, schemaName, jsonSchema: schema, maxOutputTokens, temperature: 0 });

  /**
   * Streamed, so an ignored limit costs a few tokens, not a runaway to the context's end (a server that
   * ignores max_completion_tokens generated 1,000 tokens for 5 minutes on a busy machine): each content chunk
   * is about a token, and the stream is dropped a few past the limit. Endpoints that cannot stream are asked
   * without streaming and judged by their usage.
   */
  async function limitProbe(param: CompatProfile['tokenLimitParam']): Promise<LimitFinding> {
    const body: ChatRequest = { model: o.model, temperature: 0, messages: [{ role: 'user', content: 'Count from 1 to 300, separated by spaces.' }], [param]: LIMIT };
    const t0 = Date.now();
    const abort = new AbortController();
    const timer = setTimeout(() => abort.abort(), o.timeoutMs);
    let chunks = 0;
    try {
      const stream = await client.chat.completions.create({ ...body, stream: true }, { signal: abort.signal });
      for await (const chunk of stream) {
        if (chunk.choices[0]?.delta?.content) chunks += 1;
        if (chunk.usage) chunks = Math.max(chunks, chunk.usage.completion_tokens);
        if (chunks > LIMIT + 3) break; // ignored: no need to watch it run away
      }
      latencies.push(Date.now() - t0);
      return { param, limit: LIMIT, honoured: chunks <= LIMIT, completionTokens: chunks, status: 200, latencyMs: Date.now() - t0 };
    } catch (e) {
      if (!(e instanceof APIError && typeof e.status === 'number')) {
        const error = abort.signal.aborted ? 'timed out' : redactText(String((e as Error).cause ?? (e as Error).message)).slice(0, 500);
        return { param, limit: LIMIT, honoured: null, completionTokens: null, status: null, latencyMs: Date.now() - t0, error };
      }
    } finally {
      clearTimeout(timer);
    }
    const x = await send(body); // the endpoint refused to stream
    const completionTokens = x.completion?.usage?.completion_tokens ?? null;
    return { param, limit: LIMIT, honoured: completionTokens === null ? null : completionTokens <= LIMIT, completionTokens, status: x.status, latencyMs: x.latencyMs, ...(x.error ? { error: x.error } : {}) };
  }

  // 1. The token-limit parameters, first: the other probes then send the one that is honoured.
  const tokenLimit: LimitFinding[] = [];
  for (const param of ['max_completion_tokens', 'max_tokens'] as const) tokenLimit.push(await limitProbe(param));
  const reachable = tokenLimit.some((f) => f.status !== null);
  const limitParam = tokenLimit.find((f) => f.honoured)?.param ?? 'max_tokens';

  // 2. Each structured-output mode, asked the same yes/no question.
  const structuredOutput: ModeFinding[] = [];
  let toolCalls = false;
  for (const mode of structuredOutputModes) {
    const x = await send(shaped({ structuredOutput: mode, tokenLimitParam: limitParam }, probeSchema, 'probeAnswer', 64));
    const text = answerText({ ...openAiProfile, structuredOutput: mode }, x.completion?.choices[0]);
    let json: unknown;
    try {
      json = text === null ? undefined : JSON.parse(text);
    } catch {
      json = undefined;
    }
    const isObject = !!json && typeof json === 'object' && !Array.isArray(json);
    if (mode === 'tool_call') toolCalls = !!x.completion?.choices[0]?.message.tool_calls?.length;
    // Accepted and answered with JSON where the mode puts it (a small model may run out of tokens mid-object).
    const supported = x.status === 200 && (isObject || !!text?.trimStart().startsWith('{')) && (mode !== 'tool_call' || toolCalls);
    const valid = supported && isObject && ['yes', 'no'].includes((json as { answer?: unknown }).answer as string);
    structuredOutput.push({ mode, supported, valid, status: x.status, latencyMs: x.latencyMs, ...(x.error ? { error: x.error } : !supported && x.status === 200 ? { error: `no JSON object where ${mode} puts it: ${JSON.stringify(text)?.slice(0, 200)}` } : {}) });
  }

  // 3. System messages: a long system message adds prompt tokens only if it reaches the model.
  const plain = await send({ model: o.model, temperature: 0, messages: [{ role: 'user', content: 'Say OK.' }], [limitParam]: 1 });
  const withSystem = await send({ model: o.model, temperature: 0, messages: [{ role: 'system', content: filler }, { role: 'user', content: 'Say OK.' }], [limitParam]: 1 });
  const without = plain.completion?.usage?.prompt_tokens ?? null;
  const withTokens = withSystem.completion?.usage?.prompt_tokens ?? null;
  const systemMessagesKept = without === null || withTokens === null ? null : withTokens - without >= 40;
  const usageReported = [plain, withSystem].some((x) => x.completion?.usage) || tokenLimit.some((f) => f.completionTokens !== null);

  // 4. Last, as it may take the server down: a `pattern` keyword in each mode that sends the schema as a parameter.
  let patternKeyword: ProbeFindings['patternKeyword'];
  if (o.checkKeywords) {
    patternKeyword = [];
    // json_object carries the schema in the prompt, where a keyword cannot break a grammar converter.
    for (const mode of structuredOutput.filter((f) => f.supported && f.mode !== 'json_object').map((f) => f.mode)) {
      const x = await send(shaped({ structuredOutput: mode, tokenLimitParam: limitParam }, patternSchema, 'probeOrder', 32, [{ role: 'user', content: 'Give the order id ORD-42 as JSON.' }]));
      const after = x.status === null ? await send({ model: o.model, messages: [{ role: 'user', content: 'Say OK.' }], [limitParam]: 1 }) : undefined;
      patternKeyword.push({ mode, status: x.status, crashed: after !== undefined && after.status === null, ...(x.error ? { error: x.error } : {}) });
      if (after?.status === null) break; // nobody to ask any more
    }
  }

  const sorted = [...latencies].sort((a, b) => a - b);
  return {
    baseUrl: o.baseUrl, model: o.model, reachable, tokenLimit, structuredOutput, usageReported, toolCalls, systemMessagesKept,
    systemProbe: { promptTokensWithout: without, promptTokensWith: withTokens },
    ...(patternKeyword ? { patternKeyword } : {}),
    latencyMs: { min: sorted[0] ?? 0, median: sorted[Math.floor(sorted.length / 2)] ?? 0, max: sorted.at(-1) ?? 0 },
  };
}
