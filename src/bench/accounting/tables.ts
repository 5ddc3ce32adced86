/** The accounting bench's markdown: per-run counts side by side, and the cost model by guarantee. */
import type { AccountingRow } from './runs';

const kb = (n: number) => (n >= 1024 ? `${(n / 1024).toFixed(1)} KiB` : `${n} B`);
const ratio = (a: number, b: number) => (b > 0 ? `${(a / b).toFixed(2)}×` : a > 0 ? '—' : '=');

export function accountingMarkdown(rows: AccountingRow[], runs: number): string {
  const out: string[] = [];
  out.push(`Per happy-path run (median of ${runs} runs after a warm-up, one run at a time): history figures from`);
  out.push('`fetchHistory` of the real run (payload bytes as stored, encrypted on Breakwater\'s side), statements counted');
  out.push('at the pool every store function goes through (`src/store/statementCounter.ts`, BEGIN/COMMIT included).');
  out.push('');
  out.push('| pipeline | side | events | activities | timers | search-attr upserts | Postgres statements | payload bytes |');
  out.push('|---|---|---:|---:|---:|---:|---:|---:|');
  for (const r of rows) {
    const m = r.median;
    out.push(`| ${r.pipeline} | ${r.mode === 'bare' ? 'bare Temporal' : 'Breakwater'} | ${m.events} | ${m.activities} | ${m.timers} | ${m.searchAttributeUpserts} | ${m.statements} | ${kb(m.payloadBytes)} |`);
  }
  for (const p of [...new Set(rows.map((r) => r.pipeline))]) {
    const b = rows.find((r) => r.pipeline === p && r.mode === 'breakwater')?.median;
    const a = rows.find((r) => r.pipeline === p && r.mode === 'bare')?.median;
    if (a && b) out.push(`| ${p} | **ratio** | ${ratio(b.events, a.events)} | ${ratio(b.activities, a.activities)} | ${ratio(b.timers, a.timers)} | ${ratio(b.searchAttributeUpserts, a.searchAttributeUpserts)} | ${ratio(b.statements, a.statements)} | ${ratio(b.payloadBytes, a.payloadBytes)} |`);
  }
  out.push('');
  out.push('Rows with child workflows count every child\'s history too (supervisor: the parent and its two sub-agents, three histories on both sides).');
  out.push('examples/shop is the example project\'s own source (examples/shop/src, transpiled unchanged into dist/bench/shop, run on its own');
  out.push('`createWorker` with the Breakwater plugin and its catalog API worker, as its tests run it). Each bare row is a workflow written by hand');
  out.push('in `src/bench/scale/bareWorkflows.ts` doing the same model calls, tool calls and HTTP effects with plain activities, no guards.');
  out.push('');
  out.push('Where the activities and statements go, per run (Breakwater side; `(worker)` = statements outside any activity while the run was open):');
  out.push('');
  out.push('| pipeline | activity | scheduled | statements | which |');
  out.push('|---|---|---:|---:|---|');
  for (const r of rows.filter((x) => x.mode === 'breakwater')) {
    const types = new Set([...Object.keys(r.median.activitiesByType), ...Object.keys(r.median.statementsByActivity)]);
    for (const t of [...types].sort()) {
      const which = Object.entries(r.median.statementsByHead).filter(([k]) => k.split('\t')[0] === t).map(([k, n]) => `${k.split('\t')[1]} ×${n}`).join(', ');
      out.push(`| ${r.pipeline} | ${t || '(worker)'} | ${r.median.activitiesByType[t] ?? 0} | ${r.median.statementsByActivity[t] ?? 0} | ${which} |`);
    }
  }
  out.push('');
  out.push('Search attributes each run upserts (one upsert event may set several; each is a history event and a visibility write):');
  out.push('');
  for (const r of rows.filter((x) => x.mode === 'breakwater')) {
    const keys = Object.entries(r.median.upsertsByKey).map(([k, n]) => `${k} ×${n}`).join(', ');
    out.push(`- ${r.pipeline}: ${r.median.searchAttributeUpserts} upserts — ${keys || 'none'}`);
  }
  return out.join('\n');
}
