import type { Command } from 'commander';
import { InvalidInputError } from '../../errors';
import { doctor } from '../../workflows/doctor';
import { connectClient } from '../connection';
import type { CommandContext } from './index';

export function registerDoctor(program: Command, ctx: CommandContext): void {
  program
    .command('doctor')
    .description('check the path client → Temporal → worker → Postgres by running the doctor workflow')
    .option('--timeout <seconds>', 'how long to wait for a worker', '30')
    .action(async (opts: { timeout: string }, cmd: Command) => {
      const timeout = Number(opts.timeout);
      if (!Number.isInteger(timeout) || timeout < 1 || timeout > 600) throw new InvalidInputError(`--timeout must be a whole number of seconds from 1 to 600, got '${opts.timeout}'`);
      const config = ctx.config();
      const client = await connectClient(config);
      try {
        const workflowId = `doctor-${Date.now()}`;
        const report = await client.workflow.execute(doctor, {
          taskQueue: config.temporal.taskQueue,
          workflowId,
          workflowExecutionTimeout: `${timeout} seconds`,
        });
        ctx.output(cmd).result({ ok: true, workflowId, ...report }, () =>
          `ok: worker on '${config.temporal.taskQueue}' reached PostgreSQL ${report.postgresVersion} (schema ${report.schema}, migrations ${report.migrations.join(', ')})`,
        );
      } finally {
        await client.connection.close();
      }
    });
}
