/**
 * `breakwater stack start|stop|status`: the project's local stack (Temporal dev server + PostgreSQL), run
 * from a user's project as from Breakwater's checkout (`npm run stack` is this command). State lives in the
 * project home's `stack.json`, which the CLI, workers and `breakwater/testing` read.
 */
import { Option, type Command } from 'commander';
import { parsePort } from '../../devstack/ports';
import { ensureStack, stackStatus, stopStack } from '../../devstack/stack';
import type { CommandContext } from './index';

interface StackFlags {
  temporalPort?: number;
  uiPort?: number;
}

const portOption = (flags: string, description: string) => new Option(flags, description).argParser((v: string) => parsePort(v, flags.split(' ')[0] ?? flags));

export function registerStack(program: Command, ctx: CommandContext): void {
  const stack = program.command('stack').description("the project's local Temporal dev server and PostgreSQL (for development and tests)");

  stack
    .command('start')
    .description('start the stack, or reuse the one this project already runs (idempotent)')
    .addOption(portOption('--temporal-port <port>', 'Temporal frontend port (default: $BREAKWATER_STACK_TEMPORAL_PORT, else 7233 when free, else a free one)'))
    .addOption(portOption('--ui-port <port>', 'Web UI port (default: $BREAKWATER_STACK_UI_PORT, else 8233 when free, else a free one)'))
    .action(async (flags: StackFlags, cmd: Command) => {
      const info = await ensureStack({ temporalPort: flags.temporalPort, uiPort: flags.uiPort });
      ctx.output(cmd).result({ ok: true, ...info }, () =>
        [
          `Temporal   ${info.temporal.address}  (${info.temporal.started ? 'started' : 'already running'}, history in ${info.temporal.dbFile})`,
          `Web UI     ${info.temporal.uiUrl}`,
          `Postgres   ${info.postgres.external ? 'DATABASE_URL (external)' : info.postgres.url}  (${info.postgres.started ? 'started' : 'already running'})`,
        ].join('\n'),
      );
    });

  stack
    .command('stop')
    .description("stop this project's stack (another project's is never touched)")
    .action(async (_opts: unknown, cmd: Command) => {
      const stopped = await stopStack();
      ctx.output(cmd).result({ ok: true, ...stopped }, () =>
        `Stopped: Temporal dev server ${stopped.temporal ? 'yes' : 'was not running'}, Postgres ${stopped.postgres ? 'yes' : 'was not running (or external)'}`,
      );
    });

  stack
    .command('status')
    .description("what this project's stack recorded, and whether its Temporal dev server runs")
    .action((_opts: unknown, cmd: Command) => {
      const status = stackStatus();
      ctx.output(cmd).result({ ok: true, ...status }, () =>
        status.temporal
          ? [
              `Temporal   ${status.temporal.address}  (${status.temporal.running ? 'running' : 'not running'})`,
              `Web UI     ${status.temporal.uiUrl}`,
              `Postgres   ${status.postgres?.external ? 'DATABASE_URL (external)' : (status.postgres?.url ?? '-')}`,
            ].join('\n')
          : `No stack recorded in ${status.home}: start one with 'npx breakwater stack start'`,
      );
    });
}
