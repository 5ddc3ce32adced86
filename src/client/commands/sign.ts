/**
 * `breakwater sign ...`: prints a signed decision payload for tools Breakwater does not drive — the stock
 * `temporal workflow signal|update execute --input '<json>'` and the Web UI's signal form. Signing needs
 * the approver's private key (`--key`, or <BREAKWATER_APPROVER_KEY_DIR>/<by>.key); nothing is sent.
 */
import type { Command } from 'commander';
import { raiseBudgetSchema, raiseClaim } from '../../contracts/budget';
import { clearBreakerClaim, clearBreakerRequestSchema, replayDeadLetterClaim, replayDeadLetterRequestSchema } from '../../contracts/operatorDecisions';
import { resolveClaim } from '../../contracts/resolution';
import { InvalidInputError } from '../../errors';
import { createDecisionSigner, type DecisionClaim } from '../../identity/decisionSignature';
import { findSigningKey } from '../../identity/keyFiles';
import { describeIssues, validateResolution } from '../escalations';
import { KEY_OPTION } from '../signing';
import type { CommandContext } from './index';

export function registerSign(program: Command, ctx: CommandContext): void {
  const sign = program.command('sign').description('print a signed decision payload for `temporal workflow signal/update --input` or the Web UI (sends nothing)');
  const signed = (by: string, key: string | undefined, claim: Omit<DecisionClaim, 'at' | 'signer'>) => {
    const found = findSigningKey(ctx.config().identity.keyDir, by, key);
    if (!found) throw new InvalidInputError(`no key for '${by}': pass --key FILE or run \`breakwater approver add ${by}\``);
    return createDecisionSigner(found)(claim);
  };
  const print = (cmd: Command, payload: object, hint: string) => ctx.output(cmd).result({ ok: true, payload, hint }, () => `${JSON.stringify(payload)}\n\n${hint}`);

  sign
    .command('resolve <workflowId>')
    .requiredOption('--decision <decision>', 'approve | reject | retry')
    .requiredOption('--by <name>', 'who decides')
    .requiredOption('--escalation <id>', 'the escalation answered (the `escalation` query or `breakwater escalations` shows it)')
    .option('--reason <text>', 'why')
    .option(...KEY_OPTION)
    .action((workflowId: string, opts: { decision: string; by: string; escalation: string; reason?: string; key?: string }, cmd: Command) => {
      const r = validateResolution({ decision: opts.decision, by: opts.by, escalation: opts.escalation, ...(opts.reason !== undefined ? { reason: opts.reason } : {}) });
      const payload = { ...r, ...signed(r.by, opts.key, resolveClaim(workflowId, r)) };
      print(cmd, payload, `temporal workflow signal --workflow-id ${workflowId} --name resolve --input '<the JSON above>'   (or: temporal workflow update execute ... --name resolve)`);
    });

  sign
    .command('budget-raise <workflowId>')
    .requiredOption('--to <usd>', 'the new budget in USD')
    .requiredOption('--by <name>', 'who raises it')
    .option('--reason <text>', 'why')
    .option(...KEY_OPTION)
    .action((workflowId: string, opts: { to: string; by: string; reason?: string; key?: string }, cmd: Command) => {
      const parsed = raiseBudgetSchema.safeParse({ toUsd: Number(opts.to), by: opts.by, ...(opts.reason !== undefined ? { reason: opts.reason } : {}) });
      if (!parsed.success) throw new InvalidInputError(`invalid budget raise: ${describeIssues(parsed.error.issues).join('; ')}`);
      const payload = { ...parsed.data, ...signed(parsed.data.by, opts.key, raiseClaim(workflowId, parsed.data)) };
      print(cmd, payload, `temporal workflow update execute --workflow-id ${workflowId} --name raiseBudget --input '<the JSON above>'`);
    });

  sign
    .command('breaker-clear <pipeline> <step>')
    .requiredOption('--by <name>', 'who clears it')
    .option('--reason <text>', 'why')
    .option(...KEY_OPTION)
    .action((pipeline: string, step: string, opts: { by: string; reason?: string; key?: string }, cmd: Command) => {
      const parsed = clearBreakerRequestSchema.safeParse({ pipeline, step, by: opts.by, ...(opts.reason !== undefined ? { reason: opts.reason } : {}) });
      if (!parsed.success) throw new InvalidInputError(`invalid breaker clear: ${describeIssues(parsed.error.issues).join('; ')}`);
      const payload = { ...parsed.data, ...signed(parsed.data.by, opts.key, clearBreakerClaim(parsed.data)) };
      print(cmd, payload, `temporal workflow start --type clearBreaker --task-queue <queue> --input '<the JSON above>'`);
    });

  sign
    .command('dlq-replay <id>')
    .requiredOption('--by <name>', 'who replays it')
    .option(...KEY_OPTION)
    .action((id: string, opts: { by: string; key?: string }, cmd: Command) => {
      const parsed = replayDeadLetterRequestSchema.safeParse({ id: /^\d{1,15}$/.test(id) ? Number(id) : Number.NaN, by: opts.by });
      if (!parsed.success) throw new InvalidInputError(`invalid dead letter replay: ${describeIssues(parsed.error.issues).join('; ')}`);
      const payload = { ...parsed.data, ...signed(parsed.data.by, opts.key, replayDeadLetterClaim(parsed.data)) };
      print(cmd, payload, `temporal workflow start --type replayDeadLetter --task-queue <queue> --input '<the JSON above>'`);
    });
}
