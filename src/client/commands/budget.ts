/**
 * `breakwater budget raise <workflowId> --to USD --by NAME`: raise a run's LLM budget (the `raiseBudget`
 * Update — validated by the workflow, so a budget at or below the current one is refused with exit 2).
 * `breakwater budget show <workflowId>`: where the budget stands (the `budget` query).
 */
import type { Command } from 'commander';
import { WorkflowNotFoundError, WorkflowUpdateFailedError } from '@temporalio/client';
import { raiseBudgetSchema, raiseClaim, type BudgetStatus, type RaiseBudget } from '../../contracts/budget';
import { budgetQuery, raiseBudgetUpdate } from '../../contracts/messages';
import { InvalidInputError } from '../../errors';
import { connectClient, webUiLink } from '../connection';
import type { CommandContext } from './index';
import { KEY_OPTION, proofFor } from '../signing';

const usd = (n: number): string => `${Number(n.toFixed(9))} USD`;

function parseRaise(opts: { to?: string; by?: string; reason?: string }): RaiseBudget {
  const toUsd = opts.to === undefined || opts.to.trim() === '' ? Number.NaN : Number(opts.to);
  const parsed = raiseBudgetSchema.safeParse({ toUsd, by: opts.by ?? '', ...(opts.reason ? { reason: opts.reason } : {}) });
  if (!parsed.success) {
    const issues = parsed.error.issues.map((i) => `--${i.path[0] === 'toUsd' ? 'to' : String(i.path[0])}: ${i.message}`);
    throw new InvalidInputError(`invalid budget raise: ${issues.join('; ')}`, issues);
  }
  return parsed.data;
}

function describe(id: string, s: BudgetStatus): string {
  return `${id}: spent ${usd(s.spentUsd)} of ${usd(s.limitUsd)} (${(s.fraction * 100).toFixed(1)} %, ${s.level})`;
}

export function registerBudget(program: Command, ctx: CommandContext): void {
  const budget = program.command('budget').description("a run's LLM budget");

  budget
    .command('raise <workflowId>')
    .description('raise the LLM budget of a run (a paused run resumes)')
    .option('--to <usd>', 'the new budget in USD (above the current one)')
    .option('--by <name>', 'who raises it (recorded)')
    .option('--reason <text>', 'why (recorded)')
    .option(...KEY_OPTION)
    .action(async (workflowId: string, opts: { to?: string; by?: string; reason?: string; key?: string }, cmd: Command) => {
      const unsigned = parseRaise(opts);
      const config = ctx.config();
      const raise: RaiseBudget = { ...unsigned, ...proofFor(config, raiseClaim(workflowId, unsigned), opts.key) };
      const client = await connectClient(config);
      try {
        const handle = client.workflow.getHandle(workflowId);
        let status: BudgetStatus;
        try {
          status = await handle.executeUpdate(raiseBudgetUpdate, { args: [raise] });
        } catch (e) {
          if (e instanceof WorkflowUpdateFailedError) throw new InvalidInputError(`budget not raised: ${e.cause?.message ?? e.message}`);
          if (e instanceof WorkflowNotFoundError) throw new Error(`no running workflow '${workflowId}'`);
          throw e;
        }
        ctx.output(cmd).result({ ok: true, workflowId, budget: status, link: webUiLink(config, workflowId) }, () => `raised by ${raise.by}: ${describe(workflowId, status)}`);
      } finally {
        await client.connection.close();
      }
    });

  budget
    .command('show <workflowId>')
    .description('where the LLM budget of a run stands')
    .action(async (workflowId: string, _opts: unknown, cmd: Command) => {
      const config = ctx.config();
      const client = await connectClient(config);
      try {
        const status = await client.workflow.getHandle(workflowId).query(budgetQuery);
        ctx.output(cmd).result({ workflowId, budget: status }, () => describe(workflowId, status));
      } finally {
        await client.connection.close();
      }
    });
}
