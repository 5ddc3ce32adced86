/** `breakwater config check`: the effective configuration (secrets masked), each value's source, every problem named. */
import type { Command } from 'commander';
import { configReport } from '../../configReport';
import { redactText } from '../../redact';
import { table } from '../output';
import type { CommandContext } from './index';

export function registerConfig(program: Command, ctx: CommandContext): void {
  const config = program.command('config').description('the configuration: environment, breakwater.config.json, Temporal profile, local stack');
  config
    .command('check')
    .description('print the effective configuration (secrets masked) and where each value comes from; exit 1 when anything is invalid')
    .action((_opts: unknown, cmd: Command) => {
      const report = configReport();
      ctx.output(cmd).result(report, () =>
        [
          table([['variable', 'value', 'source'], ...report.settings.map((s) => [s.variable, s.value, s.source])]),
          ...report.deprecated.map((d) => `deprecated: ${d}`),
          ...report.problems.map((p) => `invalid: ${redactText(p.message)}`),
          report.ok ? 'configuration ok (unlisted settings take their defaults)' : 'configuration invalid',
        ].join('\n'),
      );
      if (!report.ok) process.exitCode = 1;
    });
}
