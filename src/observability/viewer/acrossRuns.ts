/**
 * The run page's "Across runs": the runs this one hands work to or from, drawn as a sequence (the parent
 * starting it, each child it starts and how that child ended, the run it continued from or as) with a link
 * to each, and the open incident it waits in with every other run released by the same one action. Pure.
 */
import type { Explanation } from '../explain';
import { esc } from './html';
import { renderSequence, type Message } from './sequence';

const runLink = (workflowId: string, runId?: string) => `/runs/${encodeURIComponent(workflowId)}${runId ? `?run=${encodeURIComponent(runId)}` : ''}`;
const a = (workflowId: string, runId?: string, text = workflowId) => `<a class="related-run" href="${esc(runLink(workflowId, runId))}">${esc(text)}</a>`;

export function acrossRunsMessages(e: Explanation): Message[] {
  const r = e.related;
  if (!r) return [];
  const me = `this run: ${e.workflowId}`;
  const t0 = Date.parse(e.startedAt);
  const out: Message[] = [];
  if (r.parent) out.push({ at: t0, from: `parent: ${r.parent.workflowId}`, to: me, label: `started ${e.workflowType}` });
  if (r.continuedFrom) out.push({ at: t0, from: 'previous run', to: me, label: 'continued as new' });
  for (const c of r.children) {
    const child = `child: ${c.workflowId}`;
    out.push({ at: Date.parse(c.startedAt), from: me, to: child, label: `started ${c.workflowType}` });
    if (c.endedAt) out.push({ at: Date.parse(c.endedAt), from: child, to: me, label: c.failure ? `${c.outcome}: ${c.failure}` : c.outcome, failed: c.outcome !== 'completed' });
  }
  if (r.continuedAs && e.closedAt) out.push({ at: Date.parse(e.closedAt), from: me, to: 'next run', label: 'continued as new' });
  return out.sort((x, y) => x.at - y.at);
}

export function renderAcrossRuns(e: Explanation): string {
  const r = e.related;
  if (!r) return '';
  const links: string[] = [];
  if (r.parent) links.push(`<li>parent ${a(r.parent.workflowId, r.parent.runId)}</li>`);
  if (r.continuedFrom) links.push(`<li>continues ${a(e.workflowId, r.continuedFrom, `run ${r.continuedFrom}`)}</li>`);
  for (const c of r.children) links.push(`<li class="child" data-outcome="${esc(c.outcome)}">child ${a(c.workflowId, c.runId)} · ${esc(c.workflowType)} · <b>${esc(c.outcome)}</b></li>`);
  if (r.continuedAs) links.push(`<li>continued as ${a(e.workflowId, r.continuedAs, `run ${r.continuedAs}`)}</li>`);
  const incident = r.incident
    ? `<div class="incident" data-cause="${esc(r.incident.cause)}"><h3>${esc(r.incident.title)}</h3><p>${esc(r.incident.runs.length)} run(s) wait on it since ${esc(r.incident.since)}; one action releases them all: <code>${esc(r.incident.action)}</code> — or from the <a href="/#incidents">inbox</a>.</p><ul>${r.incident.runs.map((x) => `<li>${x.workflowId === e.workflowId ? `<b>${esc(x.workflowId)}</b> (this run)` : a(x.workflowId, x.runId)} · ${esc(x.escalation)}</li>`).join('')}</ul></div>`
    : '';
  const messages = acrossRunsMessages(e);
  const drawing = messages.length ? renderSequence(messages, Date.parse(e.startedAt)) : '';
  return `<section id="across-runs"><h2>Across runs</h2>${drawing}${links.length ? `<ul>${links.join('')}</ul>` : ''}${incident}</section>`;
}
