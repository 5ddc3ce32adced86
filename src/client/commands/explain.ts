/**
 * `breakwater explain <workflowId>`: one screen reconstructing a run from its Temporal history and its
 * Postgres records, with what a person looks for first (gaps, first errors, breaker trips, pauses,
 * escalations). `--json` prints the same as one document.
 */
import type { Command } from 'commander';
import { createPool } from '../../store/db';
import { explainWorkflow } from '../../observability/explainData';
import { renderExplanation } from '../../observability/explain';
import { connectClient, webUiLink } from '../connection';
import type { CommandContext } from './index';

export function registerExplain(program: Command, ctx: CommandContext): void {
  program
    .command('explain <workflowId>')
    .description('reconstruct a run: every step with times, attempt, input/output and cost; gaps, first errors, breaker trips, escalations')
    .option('--run <runId>', 'a specific run (default: the latest)')
    .action(async (workflowId: string, opts: { run?: string }, cmd: Command) => {
      const config = ctx.config();
      const client = await connectClient(config);
      const db = config.database.url ? createPool(config.database) : undefined;
      try {
        const explanation = await explainWorkflow({ client, db, link: (id, run) => webUiLink(config, id, run) }, workflowId, opts.run);
        ctx.output(cmd).result({ ok: true, ...explanation }, () => renderExplanation(explanation));
      } finally {
        await db?.end();
        await client.connection.close();
      }
    });
}
