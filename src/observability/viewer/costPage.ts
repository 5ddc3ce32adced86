/** The cost page: spend per pipeline per day, top runs by cost, runs paused on budget, the daily cap's headroom. Pure. */
import type { RunSummary } from '../../client/runs';
import type { CostFigures } from '../../store/viewerReads';
import { esc, page } from './html';

export function renderCostPage(c: CostFigures, capUsd: number, paused: RunSummary[]): string {
  const perDay = c.perDay.map((r) => `<tr class="spend"><td>${esc(r.day)}</td><td>${esc(r.pipeline)}</td><td>${esc(r.calls)}</td><td>${esc(r.tokens)}</td><td>${r.costUsd.toFixed(6)}</td></tr>`);
  const top = c.topRuns.map((r) => `<tr class="top-run"><td><a href="/runs/${encodeURIComponent(r.workflowId)}">${esc(r.workflowId)}</a></td><td>${esc(r.pipeline)}</td><td>${esc(r.calls)}</td><td>${r.costUsd.toFixed(6)}</td></tr>`);
  const days = c.days.map((d) => {
    const cap = d.capUsd ?? capUsd;
    return `<tr class="day"><td>${esc(d.day)}</td><td>${d.spentUsd.toFixed(6)}</td><td>${d.reservedUsd.toFixed(6)}</td><td>${cap}</td><td class="headroom">${(cap - d.spentUsd - d.reservedUsd).toFixed(6)}</td><td>${esc(d.refusals)}</td></tr>`;
  });
  const pausedRows = paused.map((r) => `<tr class="paused"><td><a href="/runs/${encodeURIComponent(r.workflowId)}">${esc(r.workflowId)}</a></td><td>${esc(r.pipeline)}</td><td>${r.escalations.filter((e) => /budget|cap/.test(e.kind)).map((e) => `${esc(e.kind)}: ${esc(e.ended)}`).join('<br>')}</td><td>${r.costUsd?.toFixed(6) ?? ''}</td></tr>`);
  return page(
    'Cost',
    `<h1>LLM cost</h1>
<section id="per-day"><h2>Spend per pipeline per day</h2><table><tr><th>day (UTC)</th><th>pipeline</th><th>calls</th><th>tokens</th><th>USD</th></tr>${perDay.join('')}</table></section>
<section id="top-runs"><h2>Top runs by cost</h2><table><tr><th>run</th><th>pipeline</th><th>calls</th><th>USD</th></tr>${top.join('')}</table></section>
<section id="budget-pauses"><h2>Runs paused on budget</h2>${pausedRows.length ? `<table><tr><th>run</th><th>pipeline</th><th>pause</th><th>USD</th></tr>${pausedRows.join('')}</table>` : '<p>None.</p>'}</section>
<section id="daily-cap"><h2>Daily cap headroom</h2><table><tr><th>day</th><th>spent</th><th>reserved</th><th>cap</th><th>headroom</th><th>refusals</th></tr>${days.join('')}</table></section>`,
  );
}
