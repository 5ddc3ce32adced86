/**
 * Scenarios script the LLM simulator: an ordered list of rules, the first
 * rule whose `match` fits a request answers it. A rule's responses are used
 * in order; once exhausted the last one repeats, so "fail twice then
 * succeed" is simply [{status:500},{status:500},{json:{...}}].
 *
 * Scenarios are plain JSON (so a demo can load one from a file, or a test in
 * another process can POST one to /_admin/scenario) and validated with zod.
 */
import { readFile } from 'node:fs/promises';
import { z } from 'zod';
import { llmPersonalitySchema } from './llmPersonality';

function compiles(source: string, flags?: string): boolean {
  try {
    new RegExp(source, flags);
    return true;
  } catch {
    return false;
  }
}

/**
 * A string means substring (exact equality for `model`); {regex, flags}
 * means a regular expression. The stateful flags g and y are refused because
 * they would make matching depend on earlier requests.
 */
const textMatcherSchema = z.union([
  z.string().min(1),
  z
    .strictObject({ regex: z.string().min(1), flags: z.string().regex(/^[imsu]*$/, 'flags may only use i, m, s, u').optional() })
    .refine((m) => compiles(m.regex, m.flags), { message: 'regex does not compile' }),
]);
export type TextMatcher = z.output<typeof textMatcherSchema>;

const matchSchema = z.strictObject({
  /** Exact model name, or {regex}. */
  model: textMatcherSchema.optional(),
  /** Substring or {regex} of the system (and developer) messages, joined by newlines. */
  system: textMatcherSchema.optional(),
  /** Substring or {regex} of the last user message. */
  user: textMatcherSchema.optional(),
  /** Exact response_format.json_schema.name; requests without a schema never match. */
  schemaName: z.string().min(1).optional(),
});

const usageSchema = z.strictObject({
  prompt_tokens: z.number().int().min(0).optional(),
  completion_tokens: z.number().int().min(0).optional(),
  total_tokens: z.number().int().min(0).optional(),
});

const finishReasonSchema = z.enum(['stop', 'length', 'content_filter']);
const delayMs = z.number().int().min(0).optional();

const jsonResponseSchema = z.strictObject({
  /** content = JSON.stringify(json) */
  json: z.json(),
  delayMs,
  usage: usageSchema.optional(),
  finishReason: finishReasonSchema.optional(),
});

const textResponseSchema = z.strictObject({
  /** Raw content, returned as-is (e.g. malformed JSON). */
  text: z.string(),
  delayMs,
  usage: usageSchema.optional(),
  finishReason: finishReasonSchema.optional(),
});

const errorResponseSchema = z.strictObject({
  status: z.number().int().min(400).max(599),
  /** Sets Retry-After (seconds) and retry-after-ms, like OpenAI's 429s. */
  retryAfterSeconds: z.number().min(0).optional(),
  message: z.string().optional(),
  type: z.string().optional(),
  code: z.string().optional(),
  delayMs,
});

const disconnectResponseSchema = z.strictObject({
  /** Drop the connection without answering (after delayMs, if any). */
  disconnect: z.literal(true),
  delayMs,
});

const toolCallsResponseSchema = z.strictObject({
  /**
   * The model asks for these tool calls (in parallel, in one assistant message). `arguments` as JSON is
   * sent as its text; a string is sent as-is (e.g. invalid JSON). `id` defaults to `call_<seq>_<index>`.
   */
  toolCalls: z.array(z.strictObject({ name: z.string().min(1), arguments: z.union([z.string(), z.record(z.string(), z.json())]), id: z.string().min(1).optional() })).min(1).max(1000),
  delayMs,
  usage: usageSchema.optional(),
});

export const llmScenarioResponseSchema = z.union([
  toolCallsResponseSchema,
  jsonResponseSchema,
  textResponseSchema,
  errorResponseSchema,
  disconnectResponseSchema,
]);
export type LlmScenarioResponse = z.output<typeof llmScenarioResponseSchema>;

const ruleSchema = z.strictObject({
  /** Shown in the request log; defaults to "rule-<1-based index>". */
  id: z.string().min(1).optional(),
  /** Omitted or {} matches every request. */
  match: matchSchema.optional(),
  responses: z.array(llmScenarioResponseSchema).min(1),
});

export const llmScenarioSchema = z
  .strictObject({
    name: z.string().optional(),
    /** Listed by GET /v1/models in addition to models named in rules. */
    models: z.array(z.string().min(1)).optional(),
    /** How this server departs from OpenAI (llmPersonality.ts); default: not at all. */
    personality: llmPersonalitySchema.optional(),
    rules: z.array(ruleSchema),
  })
  .transform((scenario) => ({
    ...scenario,
    rules: scenario.rules.map((rule, index) => ({
      ...rule,
      id: rule.id ?? `rule-${index + 1}`,
      match: rule.match ?? {},
    })),
  }))
  .superRefine((scenario, ctx) => {
    const seen = new Set<string>();
    for (const rule of scenario.rules) {
      if (seen.has(rule.id)) ctx.addIssue({ code: 'custom', message: `duplicate rule id "${rule.id}"`, path: ['rules'] });
      seen.add(rule.id);
    }
  });

/** A scenario as written (rule ids and matches optional). */
export type LlmScenario = z.input<typeof llmScenarioSchema>;
/** A validated scenario with every rule id and match filled in. */
export type ParsedLlmScenario = z.output<typeof llmScenarioSchema>;
export type ParsedLlmRule = ParsedLlmScenario['rules'][number];

export const emptyLlmScenario: LlmScenario = { rules: [] };

/** Validates a scenario, throwing an Error with a readable list of problems. */
export function parseLlmScenario(value: unknown): ParsedLlmScenario {
  const result = llmScenarioSchema.safeParse(value);
  if (!result.success) throw new Error(`invalid LLM scenario: ${z.prettifyError(result.error)}`);
  return result.data;
}

export async function loadLlmScenarioFile(path: string): Promise<ParsedLlmScenario> {
  let raw: unknown;
  try {
    raw = JSON.parse(await readFile(path, 'utf8'));
  } catch (err) {
    throw new Error(`cannot read LLM scenario file ${path}: ${(err as Error).message}`);
  }
  try {
    return parseLlmScenario(raw);
  } catch (err) {
    throw new Error(`${path}: ${(err as Error).message}`);
  }
}

/** The parts of a chat request a rule can match on. */
export interface ChatRequestFacts {
  model: string;
  system: string;
  lastUser: string;
  schemaName: string | null;
}

function textMatches(matcher: TextMatcher | undefined, value: string, exact: boolean): boolean {
  if (matcher === undefined) return true;
  if (typeof matcher === 'string') return exact ? value === matcher : value.includes(matcher);
  return new RegExp(matcher.regex, matcher.flags).test(value);
}

export function ruleMatches(rule: ParsedLlmRule, facts: ChatRequestFacts): boolean {
  const { match } = rule;
  if (match.schemaName !== undefined && match.schemaName !== facts.schemaName) return false;
  return (
    textMatches(match.model, facts.model, true) &&
    textMatches(match.system, facts.system, false) &&
    textMatches(match.user, facts.lastUser, false)
  );
}

/** Models to list: explicit ones plus exact model names used in matches. */
export function scenarioModels(scenario: ParsedLlmScenario): string[] {
  const named = scenario.rules.flatMap((rule) => (typeof rule.match.model === 'string' ? [rule.match.model] : []));
  return [...new Set([...(scenario.models ?? []), ...named])];
}
