/**
 * `callModel`: the one way Breakwater calls a model. Role → model (config/models.json), messages, and the
 * name of a registered zod schema in; the parsed, validated object plus usage, exact cost, latency and the
 * model used out. Each request is recorded in `llm_calls` (secrets redacted), traced as a gen_ai span,
 * checked against the global daily cap before it is sent, and repaired a bounded number of times when the
 * answer does not fit the schema. Works with any OpenAI-compatible endpoint (OPENAI_BASE_URL): each model's
 * compatibility profile (profiles.ts) shapes the request (request.ts).
 */
import { Context, log } from '@temporalio/activity';
import type { ApplicationFailure } from '@temporalio/common';
import type OpenAI from 'openai';
import { z } from 'zod';
import { callModelInputSchema, type CallModelInput, type CallModelResult, type ChatMessage } from '../../contracts/agentCall';
import { agentJsonSchema, getAgentSchema } from '../../contracts/agentSchemas';
import { nanoToUsd } from '../../deterministic/budget';
import { Failure, raise } from '../../failures';
import { redactText } from '../../redact';
import { isDailySpendCapError, type DailyCap } from '../../store/dailySpend';
import type { LlmCache } from '../../store/llmCache';
import type { CallContext, CallRecorder } from '../../store/llmCalls';
import { classifyRequestError, type BackoffOptions } from './failures';
import type { ModelsConfig, RoleRoute } from './models';
import { routeFor } from './models';
import { overReservation, type OverReservationNotice } from './overReservation';
import { estimateTokens, priceUsage, worstCaseUsage } from './pricing';
import { answerText, buildChatRequest, requestedToolCalls } from './request';
import { endChatSpan, startChatSpan } from './tracing';

export interface CallModelDeps {
  client: OpenAI;
  models: ModelsConfig;
  // Only what callModel uses: `breakwater eval` runs it with a ledger, cache and recorder of its own (src/evals).
  cap: Pick<DailyCap, 'reserve'>;
  cache: Pick<LlmCache, 'keyOf' | 'get' | 'put'>;
  recorder: Pick<CallRecorder, 'record' | 'earlierAttemptsCost'>;
  backoff: BackoffOptions;
  requestTimeoutMs: number;
  /** Told when a call cost more than it reserved (a server that ignored the token limit): counts and alerts. */
  onOverReservation?: (notice: OverReservationNotice) => Promise<void>;
}

function callContext(): CallContext {
  try {
    const info = Context.current().info;
    return { workflowId: info.workflowExecution?.workflowId ?? null, runId: info.workflowExecution?.runId ?? null, activityId: info.activityId, attempt: info.attempt };
  } catch {
    return { workflowId: null, runId: null, activityId: null, attempt: 1 }; // called outside an activity (benchmarks, scripts)
  }
}

/** How long a daily-cap reservation may count: the activity's start-to-close timeout (after it, the attempt is gone). */
function reservationTtlMs(fallbackMs: number): number {
  try {
    return Context.current().info.startToCloseTimeoutMs || fallbackMs;
  } catch {
    return fallbackMs; // outside an activity
  }
}

function logInfo(message: string, meta: Record<string, unknown>): void {
  try {
    log.info(message, meta);
  } catch {
    // outside an activity there is no activity logger; the llm_calls row is the record
  }
}

const fromJson = new Map<string, z.ZodType>();
/** A zod validator for a schema that arrived as JSON Schema (cached per name and content). */
export function schemaFromJson(name: string, jsonSchema: Record<string, unknown>): z.ZodType {
  const key = `${name}\u0000${JSON.stringify(jsonSchema)}`;
  let schema = fromJson.get(key);
  if (!schema) {
    try {
      schema = z.fromJSONSchema(jsonSchema as Parameters<typeof z.fromJSONSchema>[0]);
    } catch (e) {
      throw badCall(`agent schema '${name}': its JSON Schema cannot be used for validation: ${(e as Error).message}`);
    }
    if (fromJson.size > 1000) fromJson.clear();
    fromJson.set(key, schema);
  }
  return schema;
}

const badCall = (message: string): ApplicationFailure => raise(Failure.LlmBadCall, message);

/** The validation error, fed back to the model in a repair round, and recorded. */
function validate(content: string | null | undefined, refusal: string | null | undefined, schema: z.ZodType): { ok: true; output: unknown } | { ok: false; issues: string[] } {
  if (refusal) return { ok: false, issues: [`the model refused: ${refusal}`] };
  if (!content) return { ok: false, issues: ['the answer was empty'] };
  let json: unknown;
  try {
    json = JSON.parse(content);
  } catch (e) {
    return { ok: false, issues: [`not valid JSON: ${(e as Error).message}`] };
  }
  const parsed = schema.safeParse(json);
  if (parsed.success) return { ok: true, output: parsed.data };
  return { ok: false, issues: parsed.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`) };
}

const repairPrompt = (issues: string[]): string =>
  `Your previous answer does not match the required JSON schema:\n- ${issues.join('\n- ')}\nAnswer again with only a JSON object that matches the schema.`;

export function createCallModel(deps: CallModelDeps) {
  return async function callModel(raw: CallModelInput): Promise<CallModelResult> {
    const parsedInput = callModelInputSchema.safeParse(raw);
    if (!parsedInput.success) throw badCall(`invalid callModel input: ${z.prettifyError(parsedInput.error)}`);
    const input = parsedInput.data;
    let route: RoleRoute;
    try {
      route = routeFor(deps.models, input.role);
    } catch (e) {
      throw badCall((e as Error).message);
    }
    const schema = getAgentSchema(input.schema) ?? (input.jsonSchema ? schemaFromJson(input.schema, input.jsonSchema) : undefined);
    if (!schema) throw badCall(`agent schema '${input.schema}' is unknown to this worker and came without its JSON Schema: call through the agent runner, or define it with defineAgentSchema in a module the worker imports`);
    const temperature = input.temperature ?? 0;
    if (input.cache && temperature !== 0) throw badCall(`the cache is used only at temperature 0 (got ${temperature})`);
    const jsonSchema = input.jsonSchema ?? agentJsonSchema(schema);
    const ctx = callContext();
    const base = { ctx, role: input.role, model: route.model, schemaName: input.schema, price: route.price };
    const started = Date.now();

    const key = input.cache && !input.tools?.length ? deps.cache.keyOf({ model: route.model, messages: input.messages, schemaName: input.schema, jsonSchema }) : undefined;
    if (key) {
      const hit = await deps.cache.get(key);
      if (hit) {
        const span = startChatSpan({ provider: deps.models.provider, model: route.model, role: input.role, schemaName: input.schema, temperature, maxOutputTokens: route.maxOutputTokens });
        const id = await deps.recorder.record({ ...base, repair: 0, outcome: 'cache-hit', messages: input.messages, content: hit.content, output: hit.output, costNanoUsd: 0, latencyMs: Date.now() - started });
        endChatSpan(span, { responseModel: route.model, inputTokens: 0, outputTokens: 0, costUsd: 0, cacheHit: true });
        logInfo('llm call served from cache', { role: input.role, model: route.model, schema: input.schema });
        return { output: hit.output, role: input.role, model: route.model, responseModel: route.model, usage: { inputTokens: 0, outputTokens: 0 }, costNanoUsd: 0, costUsd: 0, latencyMs: Date.now() - started, cacheHit: true, repairs: 0, callIds: [id] };
      }
    }

    const messages: ChatMessage[] = [...input.messages];
    const maxRepairs = input.maxRepairs ?? 1;
    const callIds: number[] = [];
    // Earlier attempts of this activity (a timeout, a lost response) may have been billed: they count.
    const totals = { inputTokens: 0, outputTokens: 0, costNanoUsd: await deps.recorder.earlierAttemptsCost(ctx) };
    let responseModel = route.model;
    let issues: string[] = [];

    for (let repair = 0; repair <= maxRepairs; repair++) {
      const request = buildChatRequest(route.compat, { model: route.model, messages, schemaName: input.schema, jsonSchema, maxOutputTokens: route.maxOutputTokens, temperature, tools: input.tools });
      // Everything that becomes input tokens: the messages as sent (schema instruction, folded system text) and the schema parameter.
      const toolCallText = (m: (typeof request.messages)[number]) => ('tool_calls' in m && m.tool_calls ? JSON.stringify(m.tool_calls) : '');
      const requestText = request.messages.map((m) => (typeof m.content === 'string' ? m.content : JSON.stringify(m.content)) + toolCallText(m)).join('') + JSON.stringify(input.tools?.length ? [request.response_format ?? '', request.tools] : (request.response_format ?? request.tools ?? ''));
      const estimate = priceUsage(worstCaseUsage(requestText, request.messages.length, route.maxOutputTokens), route.price).costNanoUsd;
      if (input.budgetNanoUsd !== undefined && estimate > input.budgetNanoUsd - totals.costNanoUsd) {
        const remaining = Math.max(0, input.budgetNanoUsd - totals.costNanoUsd);
        const message = `the run's LLM budget cannot cover this request: up to ${nanoToUsd(estimate)} USD, ${nanoToUsd(remaining)} USD left`;
        callIds.push(await deps.recorder.record({ ...base, repair, outcome: 'refused-run-budget', messages, costNanoUsd: 0, error: message }));
        logInfo('llm call refused by the run budget', { role: input.role, model: route.model, estimateNanoUsd: estimate, remainingNanoUsd: remaining });
        throw raise(Failure.LlmRunBudget, message, { details: [{ estimateNanoUsd: estimate, remainingNanoUsd: remaining, costNanoUsd: totals.costNanoUsd, callIds }] });
      }
      let reservation;
      try {
        reservation = await deps.cap.reserve(estimate, undefined, reservationTtlMs(deps.requestTimeoutMs + 60_000));
      } catch (e) {
        if (!isDailySpendCapError(e)) throw e;
        callIds.push(await deps.recorder.record({ ...base, repair, outcome: 'refused-daily-cap', messages, costNanoUsd: 0, error: e.message }));
        logInfo('llm call refused by the daily spend cap', { role: input.role, model: route.model, ...e.details });
        throw raise(Failure.LlmDailyCap, e.message, { details: [{ ...e.details, costNanoUsd: totals.costNanoUsd, callIds }] });
      }

      const span = startChatSpan({ provider: deps.models.provider, model: route.model, role: input.role, schemaName: input.schema, temperature, maxOutputTokens: route.maxOutputTokens });
      const t0 = Date.now();
      let completion: OpenAI.Chat.Completions.ChatCompletion;
      let requestId: string | undefined;
      try {
        const { data, response } = await deps.client.chat.completions
          .create(request, { timeout: deps.requestTimeoutMs })
          .withResponse();
        completion = data;
        requestId = response.headers.get('x-request-id') ?? undefined;
      } catch (e) {
        const c = classifyRequestError(e, ctx.attempt, deps.backoff, { model: route.model, profile: route.compat });
        // No answer (timeout, dropped connection): the provider may have billed it. Charged the worst case, marked estimated.
        const unknown = c.outcome === 'network-error';
        const cost = unknown ? estimate : 0;
        totals.costNanoUsd += cost;
        callIds.push(await deps.recorder.record({ ...base, repair, outcome: c.outcome, httpStatus: c.httpStatus, messages, costNanoUsd: cost, costEstimated: unknown, latencyMs: Date.now() - t0, error: c.failure.message }, reservation));
        endChatSpan(span, { error: c.failure.type ?? 'error' });
        logInfo('llm call failed', { role: input.role, model: route.model, status: c.httpStatus, type: c.failure.type, attempt: ctx.attempt, ...(unknown ? { estimatedCostNanoUsd: cost } : {}) });
        if (!unknown) throw c.failure;
        // The workflow sees this only when no attempt is left: it then counts what the call cost.
        throw raise(Failure.LlmUnavailable, c.failure.message, { nextRetryDelay: c.failure.nextRetryDelay as number | undefined, details: [{ costNanoUsd: totals.costNanoUsd, estimated: true, callIds }] });
      }

      const latencyMs = Date.now() - t0;
      const choice = completion.choices[0];
      const toolCalls = input.tools?.length ? requestedToolCalls(choice, input.schema) : [];
      const content = toolCalls.length > 0 ? JSON.stringify(toolCalls) : answerText(route.compat, choice, input.tools?.length ? input.schema : undefined);
      // Usage absent (or not trusted by the profile): estimated from the text sent and received, never a silent
      // zero; the row says estimated (cost_estimated).
      const estimatedUsage = route.compat.usage === 'estimated' || !completion.usage;
      const usage = estimatedUsage
        ? { inputTokens: estimateTokens(requestText) + 4 * request.messages.length, outputTokens: estimateTokens(content ?? '') }
        : { inputTokens: completion.usage!.prompt_tokens, outputTokens: completion.usage!.completion_tokens };
      const priced = priceUsage(usage, route.price);
      // A server that ignores the token limit can spend past what was reserved: recorded at its real cost, flagged.
      const over = overReservation({ usage, costNanoUsd: priced.costNanoUsd, reservedNanoUsd: estimate, maxOutputTokens: route.maxOutputTokens });
      totals.inputTokens += priced.inputTokens;
      totals.outputTokens += priced.outputTokens;
      totals.costNanoUsd += priced.costNanoUsd;
      responseModel = completion.model || route.model;
      if (toolCalls.length > 0) {
        // The model asked for tools: not an answer to validate. The workflow screens and runs (or refuses) them.
        const common = { ...base, repair, responseModel, httpStatus: 200, messages, content: content ?? undefined, inputTokens: usage.inputTokens, outputTokens: usage.outputTokens, costNanoUsd: priced.costNanoUsd, costEstimated: estimatedUsage, overReservation: over !== undefined, latencyMs, providerRequestId: requestId };
        if (over) await deps.onOverReservation?.({ ...over, role: input.role, model: route.model, workflowId: ctx.workflowId, tokenLimitParam: route.compat.tokenLimitParam });
        endChatSpan(span, { responseModel, inputTokens: usage.inputTokens, outputTokens: usage.outputTokens, responseId: completion.id, finishReason: choice?.finish_reason, costUsd: priced.costUsd, cacheHit: false });
        callIds.push(await deps.recorder.record({ ...common, outcome: 'tool-calls', output: toolCalls }, reservation));
        logInfo('llm call asked for tools', { role: input.role, model: route.model, tools: toolCalls.length, costUsd: nanoToUsd(totals.costNanoUsd) });
        return {
          output: null, toolCalls, role: input.role, model: route.model, responseModel,
          usage: { inputTokens: totals.inputTokens, outputTokens: totals.outputTokens },
          costNanoUsd: totals.costNanoUsd, costUsd: nanoToUsd(totals.costNanoUsd), latencyMs: Date.now() - started,
          cacheHit: false, repairs: repair, callIds,
        };
      }
      const checked = validate(content, choice?.message.refusal, schema);
      const common = { ...base, repair, responseModel, httpStatus: 200, messages, content: content ?? undefined, inputTokens: usage.inputTokens, outputTokens: usage.outputTokens, costNanoUsd: priced.costNanoUsd, costEstimated: estimatedUsage, overReservation: over !== undefined, latencyMs, providerRequestId: requestId };
      if (over) await deps.onOverReservation?.({ ...over, role: input.role, model: route.model, workflowId: ctx.workflowId, tokenLimitParam: route.compat.tokenLimitParam });
      endChatSpan(span, { responseModel, inputTokens: usage.inputTokens, outputTokens: usage.outputTokens, responseId: completion.id, finishReason: choice?.finish_reason, costUsd: priced.costUsd, cacheHit: false, error: checked.ok ? undefined : 'invalid_output' });

      if (checked.ok) {
        callIds.push(await deps.recorder.record({ ...common, outcome: 'ok', output: checked.output }, reservation));
        if (key && content) await deps.cache.put(key, { model: route.model, schemaName: input.schema, content, output: checked.output });
        logInfo('llm call', { role: input.role, model: route.model, inputTokens: totals.inputTokens, outputTokens: totals.outputTokens, costUsd: nanoToUsd(totals.costNanoUsd), repairs: repair });
        return {
          output: checked.output, role: input.role, model: route.model, responseModel,
          usage: { inputTokens: totals.inputTokens, outputTokens: totals.outputTokens },
          costNanoUsd: totals.costNanoUsd, costUsd: nanoToUsd(totals.costNanoUsd), latencyMs: Date.now() - started,
          cacheHit: false, repairs: repair, callIds,
        };
      }
      issues = checked.issues;
      callIds.push(await deps.recorder.record({ ...common, outcome: 'invalid-output', error: issues.join('; ') }, reservation));
      logInfo('llm answer failed validation', { role: input.role, model: route.model, schema: input.schema, repair, issues });
      messages.push({ role: 'assistant', content: content ?? '' }, { role: 'user', content: repairPrompt(issues) });
    }

    throw raise(Failure.LlmInvalidOutput, redactText(`agent '${input.role}' answered outside schema '${input.schema}' after ${maxRepairs} repair(s): ${issues.join('; ')}`).slice(0, 2000), {
      details: [{ role: input.role, schema: input.schema, issues, costNanoUsd: totals.costNanoUsd, callIds }],
    });
  };
}
