/**
 * `npm run bench -- accounting` (issue 23): every event, activity, timer, search-attribute upsert, Postgres
 * statement and payload byte of one happy-path run, Breakwater vs the bare baseline written by hand, and
 * from the same runs the cost model: what each guarantee adds to a run. Counts, not times: they hold on a
 * busy machine. Also writes src/observability/statementCosts.json, the per-activity statement counts
 * `breakwater explain` estimates a run's statements from. `--quick` runs 2 measured runs per cell (CI size), else 5.
 */
import type { BenchSection } from './report';
import { measureAccounting, type AccountingRow } from './accounting/runs';
import { accountingMarkdown } from './accounting/tables';
import { costModelMarkdown } from './accounting/costModel';
import { statementCostsMarkdown, statementCostsOf, writeStatementCosts } from './accounting/statementCosts';

export async function bench(o: { quick?: boolean } = {}): Promise<BenchSection> {
  const runs = o.quick ? 2 : 5;
  const rows: AccountingRow[] = await measureAccounting({ runs });
  // explain's per-run estimate multiplies a run's activities by these (src/observability/statementEstimate.ts).
  const costs = statementCostsOf(rows, new Date().toISOString().slice(0, 10));
  writeStatementCosts(costs);
  return { title: 'Accounting: every event and statement of a run (issue 23)', markdown: `Command: \`npm run bench -- accounting\` (${runs} runs per cell${o.quick ? ', the `--quick` size' : ''}; \`--quick\`: 2, about a minute with the build).\n\n${accountingMarkdown(rows, runs)}\n\n### Cost model: what each guarantee costs\n\n${costModelMarkdown(rows)}\n\n${statementCostsMarkdown(costs)}` };
}
