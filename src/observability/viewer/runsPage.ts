/** The runs page (filters as a plain GET form) and the incidents page: open escalations grouped by cause. Pure. */
import type { RunFilters, RunSummary } from '../../client/runs';
import { fmtMs } from '../explainFormat';
import type { Incident } from './incidents';
import { esc, page, safe } from './html';

export function renderRunsPage(runs: RunSummary[], f: Partial<RunFilters>, raw: Record<string, string>): string {
  const input = (name: string, label: string, ph = '') => `<label>${label} <input name="${name}" value="${esc(raw[name] ?? '')}" placeholder="${esc(ph)}"></label>`;
  const form = `<form class="filters" method="get" action="/runs">${input('pipeline', 'pipeline')}${input('status', 'status', 'AwaitingHuman')}${input('escalation', 'escalation', 'breaker-open')}${input('since', 'since', '2h')}${input('minCostUsd', 'min cost')}<button>Filter</button></form>`;
  const rows = runs.map(
    (r) => `<tr class="run" data-workflow-id="${esc(r.workflowId)}"><td><a href="/runs/${encodeURIComponent(r.workflowId)}?run=${encodeURIComponent(r.runId)}">${esc(r.workflowId)}</a></td><td>${esc(r.pipeline)}</td><td>${esc(r.status)}${r.budgetState && r.budgetState !== 'ok' ? ` [budget ${esc(r.budgetState)}]` : ''}</td><td>${esc(r.startedAt)}</td><td>${r.durationMs === undefined ? 'running' : esc(fmtMs(r.durationMs))}</td><td>${r.costUsd === undefined ? '' : r.costUsd.toFixed(6)}</td><td>${r.escalations.map((e) => `${esc(e.kind)}: ${esc(e.ended)}`).join('<br>')}</td><td>${r.actions.map((a) => safe(a)).join('<br>')}</td></tr>`,
  );
  void f;
  return page(`Runs (${runs.length})`, `<h1>Runs (${runs.length})</h1>${form}<table><tr><th>workflow</th><th>pipeline</th><th>status</th><th>started</th><th>took</th><th>cost USD</th><th>escalations</th><th>people</th></tr>${rows.join('')}</table>`);
}

export function renderIncidentsPage(incidents: Incident[]): string {
  const items = incidents.map(
    (i) => `<li class="incident" data-cause="${esc(i.cause)}"><h2>${esc(i.title)}</h2><p>${esc(i.runs.length)} run(s) waiting since ${esc(i.since)}</p>
<p class="action">Resolve it once: <code>${esc(i.action)}</code></p>
<ul>${i.runs.map((r) => `<li><a href="/runs/${encodeURIComponent(r.workflowId)}">${esc(r.workflowId)}</a> (${esc(r.escalation)}, ${esc(r.reason)})</li>`).join('')}</ul></li>`,
  );
  return page(`Incidents (${incidents.length})`, `<h1>Open incidents (${incidents.length})</h1><p class="muted">Escalations that share a cause — one breaker, one daily cap, one missing resource — are one incident, resolved by one action that releases every run in it.</p>${items.length ? `<ul>${items.join('')}</ul>` : '<p>No open incident.</p>'}`);
}
