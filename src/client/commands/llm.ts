/**
 * `breakwater llm probe --base-url URL --model M`: what an OpenAI-compatible endpoint supports, and the
 * compatibility profile to paste into the models file. Exit 0 with findings (even "nothing works"), 1 when
 * the endpoint never answered, 2 for bad arguments.
 */
import type { Command } from 'commander';
import { z } from 'zod';
import { InvalidInputError } from '../../errors';
import { probeEndpoint, probeOptionsSchema } from '../llmProbe';
import { renderProbe, suggestProfile } from '../llmProbeProfile';
import type { CommandContext } from './index';

interface ProbeFlags {
  baseUrl?: string;
  model?: string;
  timeoutMs?: string;
  checkKeywords?: boolean;
}

function parseProbe(opts: ProbeFlags) {
  const timeoutMs = opts.timeoutMs === undefined ? undefined : Number(opts.timeoutMs);
  const parsed = probeOptionsSchema.safeParse({ baseUrl: opts.baseUrl ?? '', model: opts.model ?? '', ...(timeoutMs === undefined ? {} : { timeoutMs }), checkKeywords: opts.checkKeywords ?? false });
  if (!parsed.success) {
    const flag = (k: PropertyKey | undefined) => `--${String(k).replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`;
    const issues = parsed.error.issues.map((i) => `${flag(i.path[0])}: ${i.message}`);
    throw new InvalidInputError(`invalid llm probe arguments: ${issues.join('; ')}`, issues);
  }
  return parsed.data satisfies z.output<typeof probeOptionsSchema>;
}

export function registerLlm(program: Command, ctx: CommandContext): void {
  const llm = program.command('llm').description('OpenAI-compatible model endpoints');
  llm
    .command('probe')
    .description('send a few small requests to an endpoint and print what it supports and the profile to paste')
    .option('--base-url <url>', 'the endpoint, with /v1 (as OPENAI_BASE_URL)')
    .option('--model <name>', 'the model to probe')
    .option('--timeout-ms <ms>', 'per request (default 60000)')
    .option('--check-keywords', 'also send a schema with a `pattern` keyword, last (it crashed one server)', false)
    .action(async (opts: ProbeFlags, cmd: Command) => {
      const o = parseProbe(opts);
      let apiKey: string | undefined;
      try {
        apiKey = ctx.config().openai.apiKey;
      } catch {
        apiKey = undefined; // a probe needs no other setting
      }
      const findings = await probeEndpoint({ ...o, apiKey });
      if (!findings.reachable) throw new Error(`no answer from ${o.baseUrl}: ${findings.tokenLimit.map((t) => t.error).join('; ')}`);
      const suggested = suggestProfile(findings);
      ctx.output(cmd).result({ findings, profile: suggested.profile, reasons: suggested.reasons, paste: suggested.paste }, () => renderProbe(findings, suggested));
    });
}
