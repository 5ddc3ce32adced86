/** `breakwater setup`: registers Breakwater's search attributes on the configured namespace (once per namespace). */
import type { Command } from 'commander';
import { connectClient } from '../connection';
import { ensureSearchAttributes } from '../setup';
import type { CommandContext } from './index';

export function registerSetup(program: Command, ctx: CommandContext): void {
  program
    .command('setup')
    .description("register Breakwater's search attributes on the namespace (idempotent)")
    .action(async (_opts: unknown, cmd: Command) => {
      const config = ctx.config();
      const client = await connectClient(config);
      try {
        const report = await ensureSearchAttributes(client.connection, config.temporal.namespace);
        ctx.output(cmd).result({ ok: true, ...report }, () =>
          report.added.length ? `namespace '${report.namespace}': added ${report.added.join(', ')}` : `namespace '${report.namespace}': search attributes already present`,
        );
      } finally {
        await client.connection.close();
      }
    });
}
