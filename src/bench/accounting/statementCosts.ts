/**
 * The per-activity statement counts explain multiplies by (src/observability/statementCosts.json): from the
 * accounting runs' Breakwater side, statements each activity type sent ÷ how many of it were scheduled, over
 * every pipeline the bench ran. Written to src/ (committed) and to dist/ (so explain sees it without a build).
 */
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import type { StatementCosts } from '../../observability/statementEstimate';
import type { AccountingRow } from './runs';

export function statementCostsOf(rows: AccountingRow[], measuredOn: string): StatementCosts {
  const sent: Record<string, number> = {};
  const scheduled: Record<string, number> = {};
  for (const r of rows.filter((x) => x.mode === 'breakwater')) {
    for (const [type, n] of Object.entries(r.median.activitiesByType)) {
      scheduled[type] = (scheduled[type] ?? 0) + n;
      sent[type] = (sent[type] ?? 0) + (r.median.statementsByActivity[type] ?? 0);
    }
  }
  const perActivity = Object.fromEntries(Object.keys(scheduled).sort().map((t) => [t, Math.round((sent[t]! / scheduled[t]!) * 10) / 10]));
  return { measuredOn, command: 'npm run bench -- accounting', perActivity };
}

export function writeStatementCosts(costs: StatementCosts): string[] {
  const json = `${JSON.stringify(costs, null, 2)}\n`;
  // This file runs as dist/bench/accounting/statementCosts.js.
  const targets = [path.resolve(__dirname, '..', '..', '..', 'src', 'observability', 'statementCosts.json'), path.resolve(__dirname, '..', '..', 'observability', 'statementCosts.json')];
  for (const t of targets) writeFileSync(t, json);
  return targets;
}

export function statementCostsMarkdown(c: StatementCosts): string {
  const types = Object.entries(c.perActivity);
  return [
    '### Statements per activity (what `breakwater explain` estimates a run\'s statements from)',
    '',
    `Written to \`src/observability/statementCosts.json\` by this bench (${c.measuredOn}): the statements each activity type sent ÷ how many were scheduled, over the Breakwater runs above. \`breakwater explain\` multiplies a run's activities by them and prints \`statements: ~N (estimated …)\`, naming the activity types it has no figure for.`,
    '',
    '| activity | statements per activity |',
    '|---|---:|',
    ...types.map(([t, n]) => `| ${t} | ${n} |`),
  ].join('\n');
}
