/**
 * The run page: what to look at first (explain's findings and what people did), then the waterfall, the
 * sequence diagram of the agents' hand-offs, the runs it hands off to or from, every step, and each LLM call's messages and validated output.
 * Pure: an explanation and the run's LLM calls in, HTML out — everything escaped.
 */
import type { AgentProgress } from '../../contracts/agentProgress';
import type { Explanation } from '../explain';
import { fmtMs, summarize } from '../explainFormat';
import type { LlmCallDetail } from '../../store/viewerReads';
import { esc, page, safe } from './html';
import { renderProgressPanel } from './progressPanel';
import { renderSequence, type Message } from './sequence';
import { renderWaterfall } from './waterfall';
import { renderAcrossRuns } from './acrossRuns';

/** The hand-offs: the workflow asks each agent (LLM role) or system (activity) and gets an answer; people decide. */
export function handOffs(e: Explanation, calls: LlmCallDetail[]): Message[] {
  const wf = e.pipeline ?? e.workflowType;
  const out: Message[] = [];
  for (const s of e.steps) {
    if (s.kind === 'timer') continue;
    const mine = calls.filter((c) => c.activityId === s.activityId);
    const role = mine[0]?.role ?? /role=(\S+)/.exec(s.input ?? '')?.[1];
    const to = role ? `agent: ${role}` : s.name;
    const at = Date.parse(s.start);
    out.push({ at, from: wf, to, label: role ? `${mine[0]?.schema ?? s.name}: ${s.input ?? ''}` : s.input ?? s.name });
    if (s.end) out.push({ at: Date.parse(s.end), from: to, to: wf, label: s.output ?? s.outcome, failed: s.outcome !== 'completed' });
  }
  for (const a of e.actions) out.push({ at: Date.parse(a.at), from: `person: ${a.who}`, to: wf, label: `${a.action}: ${a.text}`, failed: !a.accepted });
  return out.sort((x, y) => x.at - y.at).slice(0, 120);
}

function findingsHtml(e: Explanation): string {
  const items = e.findings.map((f) => `<li class="finding ${f.severity}" data-kind="${esc(f.kind)}">${f.severity === 'problem' ? '⚠ ' : ''}${safe(f.message)}</li>`);
  return `<section id="findings"><h2>What to look at</h2>${items.length ? `<ul>${items.join('')}</ul>` : '<p>Nothing stands out: no retries, gaps, breaker trips, pauses or escalations.</p>'}</section>`;
}

function actionsHtml(e: Explanation): string {
  if (!e.actions.length) return '';
  const rows = e.actions.map((a) => `<tr class="action"><td>${esc(a.at)}</td><td>${esc(a.who)}</td><td>${esc(a.action)}${a.accepted ? '' : ' <b class="problem">refused</b>'}</td><td>${safe(a.text)}</td></tr>`);
  return `<section id="people"><h2>What people did</h2><table>${rows.join('')}</table></section>`;
}

function stepsHtml(e: Explanation): string {
  const rows = e.steps.map((s) => {
    const fails = (s.failedAttempts ?? []).map((f) => `<div class="failed-attempt">attempt ${esc(f.attempt)} at ${esc(f.at)}: <b>${esc(f.errorType)}</b> ${safe(f.message)}</div>`).join('');
    return `<tr><td>${s.n}</td><td>+${esc(fmtMs(s.startOffsetMs))}</td><td>${esc(s.name)}</td><td>${s.durationMs === undefined ? '…' : esc(fmtMs(s.durationMs))}</td><td>${esc(s.attempt ?? '')}</td><td>${esc(s.outcome)}</td><td><code>${safe(s.input ?? '')}</code> → <code>${safe(s.output ?? '')}</code>${fails}</td><td>${s.costUsd ? s.costUsd.toFixed(6) : ''}</td></tr>`;
  });
  return `<section id="steps"><h2>Steps</h2><table><tr><th>#</th><th>at</th><th>step</th><th>took</th><th>try</th><th>outcome</th><th>input → output</th><th>cost</th></tr>${rows.join('')}</table></section>`;
}

function callsHtml(calls: LlmCallDetail[]): string {
  if (!calls.length) return '';
  const items = calls.map(
    (c) => `<details class="llm-call" data-role="${esc(c.role)}"><summary>${esc(c.at)} <b>${esc(c.role)}</b> ${esc(c.model)} · ${esc(c.schema)} · ${esc(c.outcome)} · attempt ${esc(c.attempt)}${c.repair ? ` repair ${esc(c.repair)}` : ''} · ${esc(c.inputTokens)}+${esc(c.outputTokens)} tokens · $${c.costUsd.toFixed(6)}${c.latencyMs === null ? '' : ` · ${esc(c.latencyMs)} ms`}</summary>
<h4>Messages</h4><pre class="messages">${safe(JSON.stringify(c.messages, null, 2))}</pre>
<h4>Validated output</h4><pre class="output">${c.output === null || c.output === undefined ? esc(c.error ?? '(none)') : safe(JSON.stringify(c.output, null, 2))}</pre></details>`,
  );
  return `<section id="llm-calls"><h2>LLM calls (${calls.length})</h2>${items.join('')}</section>`;
}

/** `progress`: a running agent's, when the run is open (the live panel comes first). */
export function renderRunPage(e: Explanation, calls: LlmCallDetail[], progress?: AgentProgress): string {
  const head = `<h1>${esc(e.workflowId)}</h1>
<p class="summary">${esc(e.pipeline ?? e.workflowType)} · <b>${esc(e.status)}</b> · started ${esc(e.startedAt)}${e.durationMs === undefined ? ' · still running' : ` · took ${esc(fmtMs(e.durationMs))}`}${e.costUsd === undefined ? '' : ` · cost ${e.costUsd.toFixed(6)} USD`}${e.link ? ` · <a class="webui" href="${esc(e.link)}" target="_blank" rel="noopener">Temporal Web UI</a>` : ''}</p>`;
  const t0 = Date.parse(e.startedAt);
  const body = [
    head,
    progress ? renderProgressPanel(e.workflowId, progress) : '',
    findingsHtml(e),
    actionsHtml(e),
    `<section id="waterfall"><h2>Timeline</h2>${renderWaterfall(e, calls)}<p class="muted">Bars: steps (green done, red failed, grey timers); red ticks: failed attempts; circles: LLM calls; orange bands: escalations.</p></section>`,
    `<section id="sequence"><h2>Hand-offs</h2>${renderSequence(handOffs(e, calls), t0)}</section>`,
    renderAcrossRuns(e),
    stepsHtml(e),
    callsHtml(calls),
  ];
  return page(`${e.workflowId} — ${summarize(e.status, 40)}`, body.join('\n'));
}
