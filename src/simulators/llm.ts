/**
 * LLM simulator: an OpenAI-compatible server (POST /v1/chat/completions,
 * GET /v1/models) whose answers are scripted by a scenario (see
 * llmScenario.ts). Point the real `openai` client at `${url}/v1`.
 *
 * A request that no rule matches gets a 400 naming the request's model and
 * schema, so a misconfigured test fails loudly instead of receiving a
 * plausible default.
 *
 * Admin: GET /_admin/log, GET|POST /_admin/scenario, POST /_admin/reset.
 * The log never records headers: only whether an Authorization header was
 * present, so API keys cannot leak into test output.
 */
import type http from 'node:http';
import { HttpError, closeServer, createJsonServer, listen, parseOrThrow, readJsonBody, requireMethod, sendJson, sleep } from './http';
import {
  chatCompletionBody,
  chatCompletionRequestSchema,
  estimateTokens,
  formatHttpErrorAsOpenAi,
  openAiErrorBody,
  promptTokens,
  requestFacts,
  retryHeaders,
  type ChatCompletionRequest,
} from './llmProtocol';
import {
  emptyLlmScenario,
  llmScenarioSchema,
  parseLlmScenario,
  ruleMatches,
  scenarioModels,
  type LlmScenario,
  type LlmScenarioResponse,
  type ParsedLlmScenario,
} from './llmScenario';
import { asSeen, completionTokens, jsonSchemaRefusal, usesPattern } from './llmPersonality';

export {
  loadLlmScenarioFile,
  parseLlmScenario,
  type LlmScenario,
  type LlmScenarioResponse,
  type ParsedLlmScenario,
  type TextMatcher,
} from './llmScenario';

/** Listed by /v1/models when the scenario names no model. */
export const defaultLlmModels = ['sim-small', 'sim-large'];

const MAX_BODY_BYTES = 10 * 1024 * 1024;

export interface LlmSimulatorOptions {
  /** Default: no rules (every completion request is a 400 "no rule matched"). */
  scenario?: LlmScenario;
  port?: number;
  host?: string;
}

export type LlmOutcome = 'completion' | 'error' | 'disconnect' | 'no-match' | 'bad-request' | 'models' | 'not-found' | 'crash';

export interface LlmLogEntry {
  seq: number;
  /** Arrival time, ISO. */
  time: string;
  method: string;
  path: string;
  model: string | null;
  schemaName: string | null;
  ruleId: string | null;
  /** Which of the rule's responses was used (0-based). */
  responseIndex: number | null;
  /** HTTP status sent; null when the connection was dropped. */
  status: number | null;
  outcome: LlmOutcome;
  /** Whether an Authorization header was sent. Its value is never recorded. */
  authorization: boolean;
  delayMs: number;
}

export interface LlmSimulator {
  readonly url: string;
  /** Replaces the scenario (validated; throws on invalid) and resets per-rule counters. */
  setScenario(scenario: LlmScenario): void;
  scenario(): ParsedLlmScenario;
  log(): LlmLogEntry[];
  /** Clears the log and per-rule counters. */
  reset(): void;
  close(): Promise<void>;
}

export async function startLlmSimulator(options: LlmSimulatorOptions = {}): Promise<LlmSimulator> {
  let scenario = parseLlmScenario(options.scenario ?? emptyLlmScenario);
  let entries: LlmLogEntry[] = [];
  const ruleHits = new Map<string, number>();
  let completionSeq = 0;

  function setScenario(next: LlmScenario): void {
    scenario = parseLlmScenario(next);
    ruleHits.clear();
  }

  function reset(): void {
    entries = [];
    ruleHits.clear();
  }

  function modelList(): string[] {
    const named = scenarioModels(scenario);
    return named.length > 0 ? named : defaultLlmModels;
  }

  function modelObject(id: string): unknown {
    return { id, object: 'model', created: 0, owned_by: 'breakwater-simulator' };
  }

  async function answer(
    req: http.IncomingMessage,
    res: http.ServerResponse,
    request: ChatCompletionRequest,
    response: LlmScenarioResponse,
    entry: LlmLogEntry,
  ): Promise<void> {
    entry.delayMs = response.delayMs ?? 0;
    await sleep(entry.delayMs);
    const requestId = { 'x-request-id': `req_sim_${entry.seq}` };
    if ('disconnect' in response) {
      entry.outcome = 'disconnect';
      req.socket.destroy();
      return;
    }
    if ('status' in response) {
      entry.status = response.status;
      entry.outcome = 'error';
      const message = response.message ?? `simulated error ${response.status}`;
      return sendJson(res, response.status, openAiErrorBody(response.status, message, response.type, response.code), {
        ...requestId,
        ...retryHeaders(response.retryAfterSeconds),
      });
    }
    const toolCalls = 'toolCalls' in response
      ? response.toolCalls.map((c, i) => ({ id: c.id ?? `call_${entry.seq}_${i}`, name: c.name, arguments: typeof c.arguments === 'string' ? c.arguments : JSON.stringify(c.arguments) }))
      : undefined;
    const content = 'toolCalls' in response ? JSON.stringify(toolCalls) : 'json' in response ? JSON.stringify(response.json) : response.text;
    const personality = scenario.personality ?? {};
    const prompt = response.usage?.prompt_tokens ?? promptTokens(request);
    const completion = response.usage?.completion_tokens ?? completionTokens(personality, request, estimateTokens(content));
    const forcedTool = request.tool_choice && typeof request.tool_choice === 'object' ? request.tool_choice.function?.name : undefined;
    completionSeq += 1;
    entry.status = 200;
    entry.outcome = 'completion';
    return sendJson(
      res,
      200,
      chatCompletionBody({
        id: `chatcmpl-sim-${String(completionSeq).padStart(6, '0')}`,
        model: request.model,
        content,
        finishReason: ('finishReason' in response ? response.finishReason : undefined) ?? 'stop',
        usage: personality.noUsage ? undefined : { prompt_tokens: prompt, completion_tokens: completion, total_tokens: response.usage?.total_tokens ?? prompt + completion },
        toolName: forcedTool,
        toolCalls,
      }),
      requestId,
    );
  }

  async function handleCompletion(req: http.IncomingMessage, res: http.ServerResponse, entry: LlmLogEntry): Promise<void> {
    requireMethod(req, 'POST');
    const sent = parseOrThrow(chatCompletionRequestSchema, await readJsonBody(req, MAX_BODY_BYTES), 'chat completion request');
    const personality = scenario.personality ?? {};
    if (personality.crashesOnPattern && usesPattern(sent)) {
      // As the real server's segfault: this request and every later one find nobody listening.
      entry.outcome = 'crash';
      server.close();
      server.closeAllConnections();
      return;
    }
    if (personality.refusesJsonSchema && sent.response_format?.type === 'json_schema') {
      entry.status = 500;
      entry.outcome = 'error';
      return sendJson(res, 500, openAiErrorBody(500, jsonSchemaRefusal, 'internal_server_error', null));
    }
    const request = asSeen(personality, sent);
    const facts = requestFacts(request);
    entry.model = facts.model;
    entry.schemaName = facts.schemaName;
    if (request.stream) throw new HttpError(400, 'the LLM simulator does not support stream: true', 'stream_unsupported');

    const rule = scenario.rules.find((candidate) => ruleMatches(candidate, facts));
    if (!rule) {
      entry.outcome = 'no-match';
      const described = `model=${JSON.stringify(facts.model)}, schema=${JSON.stringify(facts.schemaName)}`;
      throw new HttpError(
        400,
        `no scenario rule matched this request (${described}); scenario ${JSON.stringify(scenario.name ?? '(unnamed)')} has ${scenario.rules.length} rule(s)`,
        'no_scenario_rule_matched',
      );
    }
    const hits = ruleHits.get(rule.id) ?? 0;
    ruleHits.set(rule.id, hits + 1);
    const index = Math.min(hits, rule.responses.length - 1);
    entry.ruleId = rule.id;
    entry.responseIndex = index;
    return answer(req, res, request, rule.responses[index] as LlmScenarioResponse, entry);
  }

  async function handleApi(req: http.IncomingMessage, res: http.ServerResponse, url: URL): Promise<void> {
    const entry: LlmLogEntry = {
      seq: entries.length + 1,
      time: new Date().toISOString(),
      method: req.method ?? 'UNKNOWN',
      path: url.pathname,
      model: null,
      schemaName: null,
      ruleId: null,
      responseIndex: null,
      status: null,
      outcome: 'bad-request',
      // Deliberately a boolean: any bearer token is accepted and none is kept.
      authorization: typeof req.headers.authorization === 'string' && req.headers.authorization.length > 0,
      delayMs: 0,
    };
    entries.push(entry);
    try {
      if (url.pathname === '/v1/chat/completions') return await handleCompletion(req, res, entry);
      if (url.pathname === '/v1/models' || url.pathname.startsWith('/v1/models/')) {
        requireMethod(req, 'GET');
        entry.outcome = 'models';
        entry.status = 200;
        if (url.pathname === '/v1/models') {
          return sendJson(res, 200, { object: 'list', data: modelList().map(modelObject) });
        }
        const id = decodeURIComponent(url.pathname.slice('/v1/models/'.length));
        if (!modelList().includes(id)) throw new HttpError(404, `The model '${id}' does not exist`, 'model_not_found');
        return sendJson(res, 200, modelObject(id));
      }
      entry.outcome = 'not-found';
      throw new HttpError(404, `no route ${req.method} ${url.pathname}`);
    } catch (err) {
      entry.status = err instanceof HttpError ? err.status : 500;
      throw err;
    }
  }

  async function handleAdmin(req: http.IncomingMessage, res: http.ServerResponse, path: string): Promise<void> {
    switch (path) {
      case '/_admin/log':
        requireMethod(req, 'GET');
        return sendJson(res, 200, { entries });
      case '/_admin/scenario': {
        if (req.method === 'GET') return sendJson(res, 200, { scenario });
        requireMethod(req, 'POST');
        const parsed = parseOrThrow(llmScenarioSchema, await readJsonBody(req, MAX_BODY_BYTES), 'LLM scenario');
        setScenario(parsed);
        return sendJson(res, 200, { ok: true, rules: parsed.rules.length });
      }
      case '/_admin/reset':
        requireMethod(req, 'POST');
        reset();
        return sendJson(res, 200, { ok: true });
      default:
        throw new HttpError(404, `no admin endpoint ${path}`);
    }
  }

  const server = createJsonServer(async (req, res, url) => {
    if (url.pathname.startsWith('/_admin/')) return handleAdmin(req, res, url.pathname);
    return handleApi(req, res, url);
  }, formatHttpErrorAsOpenAi);
  const url = await listen(server, { port: options.port, host: options.host });

  return {
    url,
    setScenario,
    scenario: () => structuredClone(scenario),
    log: () => entries.map((e) => ({ ...e })),
    reset,
    close: () => closeServer(server),
  };
}
