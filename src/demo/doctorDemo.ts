/** Demo part 0: the path client → Temporal → worker → Postgres works, shown through the CLI. */
import type { DemoContext, DemoRow } from './context';

export async function runDoctorDemo(ctx: DemoContext): Promise<DemoRow[]> {
  const result = await ctx.cli(['doctor', '--json']);
  if (result.code !== 0) throw new Error(`breakwater doctor failed: ${result.stderr || result.stdout}`);
  const report = JSON.parse(result.stdout) as { workflowId: string; postgresVersion: string; migrations: number[] };
  ctx.log(`doctor: ${report.workflowId} reached PostgreSQL ${report.postgresVersion.split(' ')[0]}`);
  return [{ scenario: 'doctor', outcome: 'ok', detail: `workflow ${report.workflowId}, migrations ${report.migrations.join(',')}` }];
}
