/**
 * `breakwater eval run`: replays eval cases against a model, prompt or endpoint profile, through the
 * toolkit's own `callModel` (the same request shaping, profiles, schema validation and repair rounds as a
 * production call), and judges each answer: it must fit the case's schema and pass the case's `expect`.
 *
 * A case fails as a *regression* when its recorded answer (the baseline) passes the same checks: a check the
 * baseline already failed is a known failure, shown but not failing the command.
 *
 * Eval calls go to the endpoint only: they are not recorded in llm_calls, do not touch the daily spend
 * ledger or the answer cache (nothing of a production run is read or written). `maxCostUsd` bounds what
 * an eval may spend, with callModel's own run-budget refusal (checked before each request is sent).
 */
import type OpenAI from 'openai';
import type { z } from 'zod';
import type { ChatMessage } from '../contracts/agentCall';
import { getAgentSchema } from '../contracts/agentSchemas';
import { decimalToNano, nanoToDecimal, usdToNano } from '../deterministic/budget';
import { ConfigError, InvalidInputError } from '../errors';
import { createCallModel, schemaFromJson } from '../activities/llm/callModel';
import { defaultBackoff } from '../activities/llm/failures';
import type { ModelsConfig, RoleRoute } from '../activities/llm/models';
import { compatPresets, type CompatPresetName } from '../activities/llm/profiles';
import type { CallRecord } from '../store/llmCalls';
import { checkAll } from './assertions';
import type { EvalCase, LoadedCase } from './caseFile';

export interface EvalOverrides {
  /** Replaces every case's recorded model (it must have a price in the models file). */
  model?: string;
  /** A compatibility preset instead of the model's own profile. */
  profile?: CompatPresetName;
  /** Replaces the cases' system messages (one system message with this text first when a case has none). */
  systemPrompt?: string;
  /** What the whole eval may spend; a request whose worst case does not fit is refused before it is sent. */
  maxCostUsd?: number;
  requestTimeoutMs?: number;
}

export interface CaseResult {
  file: string;
  name: string;
  role: string;
  model: string;
  status: 'pass' | 'fail';
  /** Failed now, and the baseline passed the same checks. */
  regression: boolean;
  baselinePassed: boolean;
  reason?: string;
  inputTokens: number;
  outputTokens: number;
  costUsd: string;
  baselineCostUsd: string;
  costEstimated: boolean;
  ms: number;
  repairs: number;
  output?: unknown;
}

export interface EvalReport {
  cases: CaseResult[];
  passed: number;
  failed: number;
  regressions: number;
  costUsd: string;
  baselineCostUsd: string;
  ms: number;
}

/** One system message with `text` where the case's system messages were (first when it had none). */
export function withSystemPrompt(messages: readonly ChatMessage[], text: string): ChatMessage[] {
  const first = messages.findIndex((m) => m.role === 'system' || m.role === 'developer');
  const rest = messages.filter((m) => m.role !== 'system' && m.role !== 'developer');
  const at = first < 0 ? 0 : messages.slice(0, first).filter((m) => m.role !== 'system' && m.role !== 'developer').length;
  return [...rest.slice(0, at), { role: 'system', content: text }, ...rest.slice(at)];
}

interface Prepared {
  loaded: LoadedCase;
  route: RoleRoute;
  schema: z.ZodType;
  baselinePassed: boolean;
}

/** Every case's route and validator, before anything is sent: a bad case is a usage error, not a half-spent eval. */
function prepare(cases: readonly LoadedCase[], models: ModelsConfig, o: EvalOverrides): Prepared[] {
  return cases.map((loaded) => {
    const c = loaded.case;
    const model = o.model ?? c.baseline.model;
    const price = models.prices.get(model);
    if (!price) throw new ConfigError(`${loaded.file}: case '${c.name}': model '${model}' has no price in ${models.file} (known: ${[...models.prices.keys()].join(', ') || 'none'}); add it there`, ['BREAKWATER_MODELS_FILE']);
    const compat = o.profile ? { ...compatPresets[o.profile], stripKeywords: [...compatPresets[o.profile].stripKeywords] } : models.profiles.get(model)!;
    // The role's token limit when this models file routes it, else the file's usual default.
    const maxOutputTokens = models.routes.get(c.role)?.maxOutputTokens ?? 1024;
    let schema = getAgentSchema(c.schema);
    if (!schema) {
      try {
        schema = schemaFromJson(c.schema, c.jsonSchema);
      } catch (e) {
        throw new InvalidInputError(`${loaded.file}: case '${c.name}': ${(e as Error).message}`);
      }
    }
    const baselinePassed = schema.safeParse(c.baseline.output).success && checkAll(c.expect, c.baseline.output, c.baseline.output) === undefined;
    return { loaded, route: { role: c.role, model, maxOutputTokens, price, compat }, schema, baselinePassed };
  });
}

async function runCase(p: Prepared, deps: { client: OpenAI; models: ModelsConfig }, o: EvalOverrides, remainingNano: number | undefined): Promise<CaseResult> {
  const c: EvalCase = p.loaded.case;
  const records: CallRecord[] = [];
  const callModel = createCallModel({
    client: deps.client,
    models: { ...deps.models, routes: new Map([[c.role, p.route]]) },
    // Not the production ledger: an eval's spend is bounded by maxCostUsd (budgetNanoUsd below).
    cap: { reserve: async (estimateNano: number) => ({ id: 0, day: '', estimateNano }) },
    cache: { keyOf: () => '', get: async () => undefined, put: async () => undefined },
    recorder: { record: async (r: CallRecord) => records.push(r), earlierAttemptsCost: async () => 0 },
    backoff: defaultBackoff,
    requestTimeoutMs: o.requestTimeoutMs ?? 60_000,
  });
  const started = Date.now();
  let output: unknown;
  let reason: string | undefined;
  let repairs = 0;
  try {
    const result = await callModel({
      role: c.role,
      schema: c.schema,
      jsonSchema: c.jsonSchema,
      messages: o.systemPrompt === undefined ? c.messages : withSystemPrompt(c.messages, o.systemPrompt),
      ...(c.tools ? { tools: c.tools } : {}),
      ...(c.temperature !== undefined ? { temperature: c.temperature } : {}),
      ...(c.maxRepairs !== undefined ? { maxRepairs: c.maxRepairs } : {}),
      ...(remainingNano !== undefined ? { budgetNanoUsd: Math.max(0, remainingNano) } : {}),
    });
    repairs = result.repairs;
    if (result.toolCalls?.length) reason = `asked for tools (${result.toolCalls.map((t) => t.name).join(', ')}) instead of answering`;
    else {
      output = result.output;
      reason = checkAll(c.expect, output, c.baseline.output);
    }
  } catch (e) {
    const err = e as Error & { type?: string };
    reason = `${err.type ?? err.name}: ${err.message}`;
  }
  const nano = records.reduce((s, r) => s + r.costNanoUsd, 0);
  const failed = reason !== undefined;
  return {
    file: p.loaded.file,
    name: c.name,
    role: c.role,
    model: p.route.model,
    status: failed ? 'fail' : 'pass',
    regression: failed && p.baselinePassed,
    baselinePassed: p.baselinePassed,
    ...(reason !== undefined ? { reason: reason.slice(0, 1000) } : {}),
    inputTokens: records.reduce((s, r) => s + (r.inputTokens ?? 0), 0),
    outputTokens: records.reduce((s, r) => s + (r.outputTokens ?? 0), 0),
    costUsd: nanoToDecimal(nano),
    baselineCostUsd: c.baseline.costUsd,
    costEstimated: records.some((r) => r.costEstimated),
    ms: Date.now() - started,
    repairs,
    ...(output !== undefined ? { output } : {}),
  };
}

/** Runs the cases one after another (an eval's order and spend stay predictable). */
export async function runEval(cases: readonly LoadedCase[], deps: { client: OpenAI; models: ModelsConfig }, o: EvalOverrides = {}): Promise<EvalReport> {
  const prepared = prepare(cases, deps.models, o);
  const started = Date.now();
  const limit = o.maxCostUsd === undefined ? undefined : usdToNano(o.maxCostUsd);
  const results: CaseResult[] = [];
  let spent = 0;
  for (const p of prepared) {
    const r = await runCase(p, deps, o, limit === undefined ? undefined : limit - spent);
    spent += decimalToNano(r.costUsd);
    results.push(r);
  }
  return {
    cases: results,
    passed: results.filter((r) => r.status === 'pass').length,
    failed: results.filter((r) => r.status === 'fail').length,
    regressions: results.filter((r) => r.regression).length,
    costUsd: nanoToDecimal(spent),
    baselineCostUsd: nanoToDecimal(results.reduce((s, r) => s + decimalToNano(r.baselineCostUsd), 0)),
    ms: Date.now() - started,
  };
}
