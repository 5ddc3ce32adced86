/** `breakwater broker status`: per external API, what the broker admitted, how long calls queued, 429s. */
import type { Command } from 'commander';
import { InvalidInputError } from '../../errors';
import { getBrokerStats, type ApiBrokerStats } from '../../store/brokerStats';
import { createPool } from '../../store/db';
import { table } from '../output';
import type { CommandContext } from './index';

export function registerBroker(program: Command, ctx: CommandContext): void {
  const broker = program.command('broker').description('the shared resource broker: one rate limit per external API');
  broker
    .command('status')
    .description('per API: requests admitted per minute, time queued, 429s received')
    .option('--api <name>', 'only this API (e.g. enrichment)')
    .option('--minutes <n>', 'how far back to look', '60')
    .action(async (opts: { api?: string; minutes: string }, cmd: Command) => {
      const minutes = Number(opts.minutes);
      if (!Number.isInteger(minutes) || minutes < 1 || minutes > 24 * 60) {
        throw new InvalidInputError(`--minutes must be a whole number from 1 to 1440, got '${opts.minutes}'`);
      }
      const config = ctx.config();
      const db = createPool(config.database, { max: 2 });
      try {
        const apis = await getBrokerStats(db, { api: opts.api, sinceMinutes: minutes });
        ctx.output(cmd).result({ ok: true, sinceMinutes: minutes, apis }, () => formatStatus(apis, minutes));
      } finally {
        await db.end();
      }
    });
}

export function formatStatus(apis: ApiBrokerStats[], minutes: number): string {
  if (apis.length === 0) return `no broker activity in the last ${minutes} min`;
  return apis
    .map((a) => {
      const limit = a.limit ? `${a.limit.perWindow} per ${a.limit.windowMs / 1000} s (+${a.limit.marginMs} ms margin)` : 'not limited';
      const lines = [
        `${a.api}: limit ${limit}${a.limit?.pausedUntil ? `, paused until ${a.limit.pausedUntil} (429)` : ''}`,
        `  last ${minutes} min: ${a.calls.total} calls, ${a.calls.ok} ok, ${a.calls.rateLimited} × 429 (${(a.rateLimitedRatio * 100).toFixed(1)} %), ${a.calls.errors} errors, ${a.calls.pending} in flight`,
        `  in the current window: ${a.admittedInCurrentWindow}; max in any window: ${a.maxInAnyWindow}`,
        `  queued: avg ${a.queuedMs.avg} ms, p95 ${a.queuedMs.p95} ms, max ${a.queuedMs.max} ms`,
      ];
      if (a.perMinute.length) {
        lines.push(table([['minute (UTC)', 'admitted', '429s'], ...a.perMinute.map((m) => [m.minute.slice(0, 16).replace('T', ' '), String(m.admitted), String(m.rateLimited)])]).replace(/^/gm, '  '));
      }
      return lines.join('\n');
    })
    .join('\n\n');
}
