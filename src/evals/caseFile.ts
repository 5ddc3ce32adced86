/**
 * Eval case files: recorded model calls a team keeps in its repo (`breakwater eval capture` writes them,
 * `breakwater eval run` replays them). Plain JSON, validated here on every read: a file that does not fit is
 * a usage error naming the file and the field, never a half-run eval.
 *
 * A case is one accepted call (llm_calls outcome ok): the messages sent — as recorded, so already redacted —
 * the schema the answer had to fit (its name and its JSON Schema, so the eval needs no import of the team's
 * code), the recorded answer (the baseline) with its model, tokens and cost, and `expect`: declarative
 * checks on the answer. No code in data files: a check is a JSON path and a predicate.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { chatMessageSchema } from '../contracts/agentCall';
import { toolWireSchema } from '../contracts/tool';
import { InvalidInputError } from '../errors';

function compiles(source: string): boolean {
  try {
    new RegExp(source, 'u');
    return true;
  } catch {
    return false;
  }
}

/**
 * One check on the answer at `path` ("action", "evidence[0]", "a.b", or "$" for the whole answer). Every
 * predicate given must hold: `baseline` (equals the recorded answer there), `equals`, `oneOf`, `min`/`max`
 * (numbers, or lengths of strings and arrays), `matches` (a regular expression, strings), `exists`.
 */
export const assertionSchema = z
  .strictObject({
    path: z.string().min(1).max(200).regex(/^(\$|[A-Za-z0-9_-]+|\[\d+\])(\.[A-Za-z0-9_-]+|\[\d+\])*$/, 'a path like action, items[0].id or $'),
    baseline: z.literal(true).optional(),
    equals: z.json().optional(),
    oneOf: z.array(z.json()).min(1).max(100).optional(),
    min: z.number().optional(),
    max: z.number().optional(),
    matches: z.string().min(1).max(500).refine(compiles, 'the regular expression does not compile').optional(),
    exists: z.boolean().optional(),
  })
  .refine((a) => Object.keys(a).some((k) => k !== 'path'), 'a check needs at least one predicate (baseline, equals, oneOf, min, max, matches, exists)');
export type Assertion = z.output<typeof assertionSchema>;

const decimalUsd = z.string().regex(/^\d{1,11}(\.\d{1,9})?$/, 'a decimal USD amount, e.g. 0.000123');

export const evalCaseSchema = z.strictObject({
  /** Unique within its file; shown on every result line. */
  name: z.string().regex(/^[A-Za-z0-9_.:-]{1,100}$/, 'letters, digits, _ . : - (at most 100)'),
  role: z.string().min(1).max(100),
  /** The schema's registered name (the json_schema name the model sees). */
  schema: z.string().regex(/^[a-zA-Z0-9_-]{1,64}$/),
  /** The schema as JSON Schema: what the model is asked for, and what validates the answer when no zod schema of that name is registered. */
  jsonSchema: z.record(z.string(), z.unknown()),
  /** As recorded in llm_calls: redacted. */
  messages: z.array(chatMessageSchema).min(1).max(2000),
  tools: z.array(toolWireSchema).max(128).optional(),
  temperature: z.number().min(0).max(2).optional(),
  maxRepairs: z.number().int().min(0).max(3).optional(),
  expect: z.array(assertionSchema).max(100).default([]),
  baseline: z.strictObject({
    output: z.json(),
    model: z.string().min(1),
    responseModel: z.string().nullable().optional(),
    inputTokens: z.number().int().min(0),
    outputTokens: z.number().int().min(0),
    /** Every request of the recorded call, repair rounds included. */
    costUsd: decimalUsd,
    costEstimated: z.boolean().default(false),
    latencyMs: z.number().int().min(0).nullable().optional(),
    repairs: z.number().int().min(0).default(0),
  }),
  /** Where the case was captured from (for people; the eval does not read it). */
  source: z.strictObject({ workflowId: z.string(), runId: z.string().nullable(), activityId: z.string().nullable(), attempt: z.number().int(), callId: z.string() }).optional(),
});
export type EvalCase = z.output<typeof evalCaseSchema>;

export const evalFileSchema = z
  .strictObject({
    breakwaterEval: z.literal(1),
    description: z.string().max(2000).optional(),
    cases: z.array(evalCaseSchema).min(1).max(1000),
  })
  .superRefine((f, ctx) => {
    const seen = new Set<string>();
    f.cases.forEach((c, i) => {
      if (seen.has(c.name)) ctx.addIssue({ code: 'custom', message: `duplicate case name '${c.name}'`, path: ['cases', i, 'name'] });
      seen.add(c.name);
    });
  });
export type EvalFile = z.output<typeof evalFileSchema>;
export type EvalFileInput = z.input<typeof evalFileSchema>;

export interface LoadedCase {
  file: string;
  case: EvalCase;
}

const MAX_FILE_BYTES = 50 * 1024 * 1024;

export function parseEvalFile(text: string, file: string): EvalFile {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (e) {
    throw new InvalidInputError(`${file}: not JSON: ${(e as Error).message}`);
  }
  const parsed = evalFileSchema.safeParse(raw);
  if (!parsed.success) {
    const issues = parsed.error.issues.map((i) => `${file}: ${i.path.join('.') || '(root)'}: ${i.message}`);
    throw new InvalidInputError(`invalid eval case file: ${issues.slice(0, 10).join('; ')}`, issues);
  }
  return parsed.data;
}

/** The case files named, a directory meaning its *.json files (sorted, not recursive). */
export function loadEvalCases(paths: readonly string[]): LoadedCase[] {
  const files: string[] = [];
  for (const p of paths) {
    let st;
    try {
      st = statSync(p);
    } catch {
      throw new InvalidInputError(`no such eval case file or directory: ${p}`);
    }
    if (st.isDirectory()) {
      const inDir = readdirSync(p).filter((f) => f.endsWith('.json')).sort().map((f) => path.join(p, f));
      if (inDir.length === 0) throw new InvalidInputError(`no *.json eval case files in ${p}`);
      files.push(...inDir);
    } else files.push(p);
  }
  return files.flatMap((file) => {
    if (statSync(file).size > MAX_FILE_BYTES) throw new InvalidInputError(`${file}: larger than ${MAX_FILE_BYTES} bytes`);
    return parseEvalFile(readFileSync(file, 'utf8'), file).cases.map((c) => ({ file, case: c }));
  });
}
