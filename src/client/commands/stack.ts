/**
 * `breakwater stack start|stop|status`: the project's local stack (Temporal dev server + PostgreSQL; or with
 * `--profile cluster` the production-configured Temporal cluster + two workers, src/devstack/clusterStack.ts),
 * run from a user's project as from Breakwater's checkout (`npm run stack` is this command). State lives in the
 * project home's `stack.json`, which the CLI, workers and `breakwater/testing` read.
 */
import { Option, type Command } from 'commander';
import { parsePort } from '../../devstack/ports';
import { ensureStack, stackStatus, stopStack } from '../../devstack/stack';
import { clusterStatus, ensureClusterStack, readClusterState, stopClusterStack } from '../../devstack/clusterStack';
import { projectHome } from '../../projectHome';
import type { CommandContext } from './index';
import { InvalidInputError } from '../../errors';

interface StackFlags {
  temporalPort?: number;
  uiPort?: number;
  profile: 'dev' | 'cluster';
}

const portOption = (flags: string, description: string) => new Option(flags, description).argParser((v: string) => parsePort(v, flags.split(' ')[0] ?? flags));

export function registerStack(program: Command, ctx: CommandContext): void {
  const stack = program.command('stack').description("the project's local Temporal (dev server, or --profile cluster) and PostgreSQL (for development and tests)");

  stack
    .command('start')
    .description('start the stack, or reuse the one this project already runs (idempotent)')
    .addOption(portOption('--temporal-port <port>', 'Temporal frontend port (default: $BREAKWATER_STACK_TEMPORAL_PORT, else 7233 when free, else a free one; cluster profile: 7333 and the 40 ports above it)'))
    .addOption(portOption('--ui-port <port>', 'Web UI port (default: $BREAKWATER_STACK_UI_PORT, else 8233 when free, else a free one)'))
    .addOption(
      new Option('--profile <profile>', "dev: the CLI dev server (SQLite) and its Web UI; cluster: Temporal server v1.32.2 on Postgres (persistence + SQL visibility), its four services in four processes, frontend 127.0.0.1:7333, and two worker processes")
        .choices(['dev', 'cluster'])
        .default('dev'),
    )
    .action(async (flags: StackFlags, cmd: Command) => {
      if (flags.profile === 'cluster') {
        if (flags.uiPort !== undefined) throw new InvalidInputError('--ui-port: the cluster profile has no Web UI (the Go server ships none)');
        const c = await ensureClusterStack({ frontendPort: flags.temporalPort });
        ctx.output(cmd).result({ ok: true, profile: 'cluster', ...c }, () =>
          [
            `Temporal   ${c.temporal.address}  (cluster v1.32.2, ${c.temporal.started ? 'started' : 'already running'}: ${c.temporal.processes.map((p) => `${p.name} pid ${p.pid}`).join(', ')})`,
            `Workers    ${c.workers.length ? c.workers.map((w) => `pid ${w.pid}${w.started ? '' : ' (already running)'}`).join(', ') : 'none (no dist/pipelines/main.js here)'}`,
            `Postgres   ${c.postgres.external ? 'DATABASE_URL (external)' : c.postgres.url}  (databases temporal, temporal_visibility beside Breakwater's)`,
          ].join('\n'),
        );
        return;
      }
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
      const cluster = await stopClusterStack();
      if (cluster) {
        ctx.output(cmd).result({ ok: true, profile: 'cluster', ...cluster }, () => `Stopped: ${cluster.workers} worker(s), ${cluster.temporal} Temporal cluster process(es), Postgres ${cluster.postgres ? 'yes' : 'was not running (or external)'}`);
        return;
      }
      const stopped = await stopStack();
      ctx.output(cmd).result({ ok: true, ...stopped }, () =>
        `Stopped: Temporal dev server ${stopped.temporal ? 'yes' : 'was not running'}, Postgres ${stopped.postgres ? 'yes' : 'was not running (or external)'}`,
      );
    });

  stack
    .command('status')
    .description("what this project's stack recorded, and whether its Temporal dev server runs")
    .action((_opts: unknown, cmd: Command) => {
      const cluster = readClusterState(projectHome()) && clusterStatus();
      if (cluster) {
        ctx.output(cmd).result({ ok: true, profile: 'cluster', ...cluster }, () =>
          [
            `Temporal   ${cluster.address}  (cluster: ${cluster.processes.map((p) => `${p.name} ${p.running ? 'running' : 'NOT running'}`).join(', ')})`,
            `Workers    ${cluster.workers.map((w) => `pid ${w.pid} ${w.running ? 'running' : 'NOT running'}`).join(', ') || 'none'}`,
            `Postgres   ${cluster.postgres.external ? 'DATABASE_URL (external)' : cluster.postgres.url}`,
          ].join('\n'),
        );
        return;
      }
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
