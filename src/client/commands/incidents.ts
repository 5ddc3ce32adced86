/**
 * `breakwater incidents list | resolve`: open escalations grouped by cause (one breaker, one daily cap, one
 * missing resource), and one decision for every run in one, each answer signed with the approver's key.
 */
import type { Command } from 'commander';
import { resolveClaim } from '../../contracts/resolution';
import { createPool } from '../../store/db';
import { connectClient } from '../connection';
import { listIncidents, resolveIncident, summarizeIncidentResolution } from '../incidents';
import { table } from '../output';
import { KEY_OPTION, proofFor } from '../signing';
import type { CommandContext } from './index';

export function registerIncidents(program: Command, ctx: CommandContext): void {
  const incidents = program.command('incidents').description('open escalations grouped by cause, each resolved by one action');

  incidents
    .command('list')
    .description('every open incident: its cause, since when, the runs in it and the one action that releases them')
    .action(async (_opts: unknown, cmd: Command) => {
      const db = createPool(ctx.config().database, { max: 2 });
      try {
        const list = await listIncidents(db);
        ctx.output(cmd).result({ ok: true, incidents: list }, () =>
          list.length === 0
            ? 'no open incident'
            : table([['cause', 'since', 'runs', 'title'], ...list.map((i) => [i.cause, i.since, String(i.runs.length), i.title])]) +
              `\n\nresolve one: breakwater incidents resolve <cause> --decision approve|retry|reject --by <you> [--reason <text>]`,
        );
      } finally {
        await db.end();
      }
    });

  incidents
    .command('resolve <cause>')
    .description('the same decision for every run of one incident (each through its validated `resolve` Update); a breaker incident is cleared once')
    .requiredOption('--decision <decision>', 'approve | reject | retry')
    .requiredOption('--by <name>', 'who decides (recorded)')
    .option('--reason <text>', 'why (recorded)')
    .option(...KEY_OPTION)
    .action(async (cause: string, opts: { decision: string; by: string; reason?: string; key?: string }, cmd: Command) => {
      const config = ctx.config();
      const db = createPool(config.database, { max: 2 });
      const client = await connectClient(config);
      try {
        const result = await resolveIncident(client, db, {
          cause, decision: opts.decision, by: opts.by, ...(opts.reason === undefined ? {} : { reason: opts.reason }),
          sign: (workflowId, r) => ({ ...r, ...proofFor(config, resolveClaim(workflowId, r), opts.key) }),
        });
        const refused = result.runs.filter((r) => r.result === 'refused');
        ctx.output(cmd).result({ ok: refused.length === 0, ...result }, () => [summarizeIncidentResolution(result), ...result.runs.map((r) => `  ${r.workflowId}  ${r.result}${r.message ? `: ${r.message}` : ''}`)].join('\n'));
        if (refused.length) process.exitCode = 1;
      } finally {
        await client.connection.close();
        await db.end();
      }
    });
}
