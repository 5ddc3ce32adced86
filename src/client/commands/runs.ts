/**
 * `breakwater runs [--pipeline P] [--status S] [--escalation KIND] [--since 2h] [--min-cost USD] [--limit N]`:
 * the runs, newest first, with cost, what each escalated for and how that ended, and what people did.
 * `breakwater runs follow <workflowId>`: a running agent, step by step (src/client/agentFollow.ts).
 */
import type { Command } from 'commander';
import { createPool } from '../../store/db';
import { fmtMs } from '../../observability/explainFormat';
import { connectClient } from '../connection';
import { table } from '../output';
import { listRuns, parseRunFilters, type RunSummary } from '../runs';
import { registerRunsFollow } from './runsFollow';
import type { CommandContext } from './index';

export function formatRuns(runs: RunSummary[]): string {
  if (!runs.length) return 'no run matches';
  const rows = [['workflow', 'pipeline', 'status', 'started', 'took', 'cost USD', 'escalations (how they ended)']];
  for (const r of runs) {
    rows.push([
      r.workflowId,
      r.pipeline,
      r.status + (r.budgetState && r.budgetState !== 'ok' ? ` [budget ${r.budgetState}]` : ''),
      r.startedAt.replace('T', ' ').slice(0, 19),
      r.durationMs === undefined ? 'running' : fmtMs(r.durationMs),
      r.costUsd === undefined ? '' : r.costUsd.toFixed(6),
      r.escalations.map((e) => `${e.kind}: ${e.ended}`).join('; '),
    ]);
  }
  const people = runs.flatMap((r) => r.actions.map((a) => `  ${r.workflowId}: ${a}`));
  return table(rows) + (people.length ? `\n\nwhat people did:\n${people.join('\n')}` : '') + '\n\nmore: breakwater explain <workflow>';
}

export function registerRuns(program: Command, ctx: CommandContext): void {
  const runs = program
    .command('runs')
    .description('list runs (newest first) with cost, escalations and how they ended, and what people did')
    .option('--pipeline <name>', 'only this pipeline (BreakwaterPipeline)')
    .option('--status <status>', 'Running | AwaitingHuman | Completed | Failed | Rejected | Terminated | Canceled | TimedOut')
    .option('--escalation <kind>', 'only runs that escalated with this kind (e.g. breaker-open, budget-exhausted)')
    .option('--since <when>', 'started since: 30m, 2h, 1d or an ISO time')
    .option('--min-cost <usd>', 'only runs that cost at least this much')
    .option('--limit <n>', 'at most this many runs (default 50)')
    .action(async (opts: { pipeline?: string; status?: string; escalation?: string; since?: string; minCost?: string; limit?: string }, cmd: Command) => {
      const filters = parseRunFilters({ pipeline: opts.pipeline, status: opts.status, escalation: opts.escalation, since: opts.since, minCostUsd: opts.minCost, limit: opts.limit });
      const config = ctx.config();
      const client = await connectClient(config);
      const db = config.database.url ? createPool(config.database, { max: 2 }) : undefined;
      try {
        const runs = await listRuns(client, db, filters);
        ctx.output(cmd).result({ ok: true, runs }, () => formatRuns(runs));
      } finally {
        await db?.end();
        await client.connection.close();
      }
    });
  registerRunsFollow(runs, ctx);
}
