/**
 * `breakwater eval capture <workflowId>`: a recorded run's accepted model calls as eval cases (a JSON file a
 * team keeps in its repo). `breakwater eval run <files or dirs>`: replays them against a model, prompt or
 * endpoint profile through callModel and prints PASS/FAIL per case with tokens, cost and time.
 * Exit 0: no regression; 1: a case whose baseline passes its checks now fails (or the endpoint failed);
 * 2: bad input (a file that does not fit the case format, an unknown flag, a model without a price).
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Command } from 'commander';
import { z } from 'zod';
import { InvalidInputError } from '../../errors';
import { createOpenAiClient } from '../../activities/llm';
import { defaultModelsFile, loadModelsConfig } from '../../activities/llm/models';
import { compatPresets, type CompatPresetName } from '../../activities/llm/profiles';
import { createPool } from '../../store/db';
import { requireSetting } from '../../config';
import { captureRun } from '../../evals/capture';
import { assertionSchema, loadEvalCases } from '../../evals/caseFile';
import { runEval, type EvalReport } from '../../evals/runEval';
import { connectClient } from '../connection';
import { table } from '../output';
import type { CommandContext } from './index';

const presetNames = Object.keys(compatPresets) as [CompatPresetName, ...CompatPresetName[]];

const runFlagsSchema = z.strictObject({
  model: z.string().min(1).max(200).optional(),
  baseUrl: z.url({ protocol: /^https?$/, error: 'an http(s) URL, with /v1' }).optional(),
  profile: z.enum(presetNames, { error: `one of ${presetNames.join(', ')}` }).optional(),
  systemPromptFile: z.string().min(1).optional(),
  maxCostUsd: z.coerce.number().positive().max(1_000_000).optional(),
  timeoutMs: z.coerce.number().int().min(100).max(600_000).optional(),
});
type RunFlags = z.input<typeof runFlagsSchema>;

function parseFlags<T extends z.ZodType>(schema: T, opts: unknown, what: string): z.output<T> {
  const parsed = schema.safeParse(opts);
  if (parsed.success) return parsed.data;
  const flag = (k: PropertyKey | undefined) => `--${String(k).replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`;
  const issues = parsed.error.issues.map((i) => `${flag(i.path[0])}: ${i.message}`);
  throw new InvalidInputError(`invalid ${what} arguments: ${issues.join('; ')}`, issues);
}

const usd = (s: string): string => `${s} USD`;

export function renderReport(r: EvalReport): string {
  const rows = r.cases.map((c) => [
    c.status === 'pass' ? 'PASS' : c.regression ? 'FAIL' : 'FAIL (known)',
    `${path.basename(c.file)}:${c.name}`,
    c.model,
    `in ${c.inputTokens} out ${c.outputTokens}`,
    usd(c.costUsd) + (c.costEstimated ? ' (est.)' : ''),
    `${c.ms} ms`,
    c.reason ?? (c.baselinePassed ? '' : 'fixed: the baseline failed these checks'),
  ]);
  const total = `${r.cases.length} case(s): ${r.passed} passed, ${r.failed} failed (${r.regressions} regression(s)); ${usd(r.costUsd)} (baseline ${usd(r.baselineCostUsd)}); ${r.ms} ms`;
  return `${table(rows)}\n${total}`;
}

export function registerEval(program: Command, ctx: CommandContext): void {
  const evals = program
    .command('eval')
    .description('evals from recorded runs: capture accepted model calls as cases, replay them against a new model, prompt or profile')
    .addHelpText(
      'after',
      `
Cases are JSON files kept in your repo (breakwaterEval: 1). Each holds the messages a run sent (as recorded
in llm_calls, so redacted), the schema, the recorded answer (the baseline) with its model, tokens and cost,
and "expect": declarative checks, e.g. [{"path": "action", "baseline": true}, {"path": "confidence", "min": 0.8}]
(predicates: baseline, equals, oneOf, min, max, matches, exists). Every answer must also fit the schema.

  breakwater eval capture <workflowId> --out evals/refunds.json --expect action,orderId
  breakwater eval run evals/ --model gpt-4o-mini --system-prompt-file prompts/decider.txt

eval run exits 1 when a case whose baseline passes its checks now fails (a regression), 0 otherwise, 2 for
bad input. Eval calls are not recorded in llm_calls and do not count against the daily cap: --max-cost-usd
bounds them.`,
    );

  evals
    .command('capture <workflowId>')
    .description("write a run's accepted model calls (llm_calls outcome ok) as eval cases")
    .option('--role <role>', 'only the calls of this agent role')
    .option('--out <file>', 'write the case file here (default: print it)')
    .option('--expect <paths>', 'comma-separated answer paths each case must keep equal to its baseline (e.g. action,orderId)')
    .option('--description <text>', 'a line saying what these cases cover')
    .option('--force', 'overwrite --out if it exists', false)
    .action(async (workflowId: string, opts: { role?: string; out?: string; expect?: string; description?: string; force?: boolean }, cmd: Command) => {
      const expect = opts.expect?.split(',').map((p) => p.trim()).filter(Boolean);
      const badPath = expect?.find((p) => !assertionSchema.safeParse({ path: p, baseline: true }).success);
      if (badPath !== undefined) throw new InvalidInputError(`--expect: '${badPath}' is not a path like action, items[0].id or $`);
      if (opts.out && existsSync(opts.out) && !opts.force) throw new InvalidInputError(`${opts.out} exists: pass --force to overwrite it`);
      const config = ctx.config();
      const db = createPool({ ...config.database, url: requireSetting(config.database.url, 'DATABASE_URL', 'eval capture reads llm_calls') });
      // The history holds each call's JSON Schema and tools; without Temporal, registered schemas may still do.
      let noClient: string | undefined;
      const client = await connectClient(config).catch((e: Error) => {
        noClient = `Temporal not reachable: ${e.message}`;
        return undefined;
      });
      try {
        const { file, historyProblems } = await captureRun(db, client, workflowId, { role: opts.role, expect, description: opts.description, noClient });
        const text = `${JSON.stringify(file, null, 2)}\n`;
        if (!opts.out) {
          process.stdout.write(text);
          return;
        }
        mkdirSync(path.dirname(path.resolve(opts.out)), { recursive: true });
        writeFileSync(opts.out, text);
        const roles = [...new Set(file.cases.map((c) => c.role))];
        ctx.output(cmd).result({ ok: true, file: opts.out, cases: file.cases.length, roles, historyProblems }, () =>
          [`wrote ${file.cases.length} case(s) (${roles.join(', ')}) to ${opts.out}`, ...historyProblems.map((p) => `note: history not read for ${p}`)].join('\n'),
        );
      } finally {
        await db.end();
        await client?.connection.close();
      }
    });

  evals
    .command('run <paths...>')
    .description('replay eval cases (files, or directories of *.json) and print PASS/FAIL per case with tokens, cost and time')
    .option('--model <name>', "instead of each case's recorded model (it needs a price in the models file)")
    .option('--base-url <url>', 'the OpenAI-compatible endpoint, with /v1 (default OPENAI_BASE_URL)')
    .option('--profile <preset>', `the endpoint's compatibility profile instead of the model's (${presetNames.join(', ')})`)
    .option('--system-prompt-file <file>', "replace the cases' system messages with this file's text")
    .option('--max-cost-usd <usd>', 'what the whole eval may spend; requests that do not fit are refused before they are sent')
    .option('--timeout-ms <ms>', 'per request (default 60000)')
    .action(async (paths: string[], opts: RunFlags, cmd: Command) => {
      const o = parseFlags(runFlagsSchema, opts, 'eval run');
      let systemPrompt: string | undefined;
      if (o.systemPromptFile !== undefined) {
        try {
          systemPrompt = readFileSync(o.systemPromptFile, 'utf8');
        } catch (e) {
          throw new InvalidInputError(`--system-prompt-file: ${(e as Error).message}`);
        }
        if (systemPrompt.trim() === '') throw new InvalidInputError(`--system-prompt-file: ${o.systemPromptFile} is empty`);
      }
      const cases = loadEvalCases(paths);
      const config = ctx.config();
      const models = loadModelsConfig(config.modelsFile ?? defaultModelsFile());
      const client = createOpenAiClient({ ...config, openai: { ...config.openai, baseUrl: o.baseUrl ?? config.openai.baseUrl } }, o.timeoutMs);
      const report = await runEval(cases, { client, models }, { model: o.model, profile: o.profile, systemPrompt, maxCostUsd: o.maxCostUsd, requestTimeoutMs: o.timeoutMs });
      ctx.output(cmd).result({ ok: report.regressions === 0, ...report }, () => renderReport(report));
      if (report.regressions > 0) process.exitCode = 1;
    });
}
