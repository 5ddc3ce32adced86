/**
 * The run page's live progress panel for a running agent: rendered on the server with the progress as it
 * stood (readable without JavaScript), then kept current by a same-origin script (`/viewer/progress.js`, the
 * viewer's CSP allows `script-src 'self'` and nothing inline) reading `/runs/<id>/progress` as Server-Sent
 * Events. The script only sets text (`textContent`), never markup: what a model or a tool wrote stays text.
 */
import type { AgentProgress } from '../../contracts/agentProgress';
import { formatProgressEntry } from '../../client/agentFollow';
import { esc, safe } from './html';

export const PROGRESS_SCRIPT_PATH = '/viewer/progress.js';

/** What one SSE `progress` event carries: the lines already formatted (one formatting, here), and the raw progress. */
export interface ProgressView {
  seq: number;
  head: string;
  steps: { state: string; text: string }[];
  progress: AgentProgress;
}

export function progressView(p: AgentProgress): ProgressView {
  const head = `${p.role} · turn ${p.turn} · ${p.status}${p.reason ? ` (${p.reason})` : ''} · ${p.toolCalls} tool call(s), ${p.refused} refused · ${p.costUsd.toFixed(6)} USD so far`;
  return { seq: p.seq, head, steps: p.recent.map((e) => ({ state: e.state, text: formatProgressEntry(e) })), progress: p };
}

export const progressStreamPath = (workflowId: string): string => `/runs/${encodeURIComponent(workflowId)}/progress`;

export function renderProgressPanel(workflowId: string, p: AgentProgress): string {
  const v = progressView(p);
  const steps = v.steps.map((s) => `<li class="step ${esc(s.state)}">${safe(s.text)}</li>`).join('');
  return `<section id="agent-progress" data-stream="${esc(progressStreamPath(workflowId))}" data-seq="${esc(v.seq)}"><h2>Live progress</h2>
<p class="progress-head"><b>${safe(v.head)}</b></p><ol class="progress-steps">${steps}</ol>
<p class="progress-state muted">Live while the run is open; each model answer appears when its call completes.</p></section>
<script src="${PROGRESS_SCRIPT_PATH}"></script>`;
}

/** Served at PROGRESS_SCRIPT_PATH. Plain browser JavaScript, no build. */
export const PROGRESS_SCRIPT = `(() => {
  const panel = document.getElementById('agent-progress');
  if (!panel || !window.EventSource) return;
  const head = panel.querySelector('.progress-head');
  const list = panel.querySelector('.progress-steps');
  const state = panel.querySelector('.progress-state');
  const es = new EventSource(panel.dataset.stream);
  es.addEventListener('progress', (ev) => {
    const v = JSON.parse(ev.data);
    const b = document.createElement('b');
    b.textContent = v.head;
    head.replaceChildren(b);
    list.replaceChildren(...v.steps.map((s) => {
      const li = document.createElement('li');
      li.className = 'step ' + s.state;
      li.textContent = s.text;
      return li;
    }));
    panel.dataset.seq = String(v.seq);
    state.textContent = 'Live: updated ' + new Date().toLocaleTimeString();
  });
  es.addEventListener('end', (ev) => {
    es.close();
    panel.dataset.closed = 'true';
    state.textContent = 'The run closed (' + JSON.parse(ev.data).status + ').';
  });
  es.addEventListener('error', () => { if (panel.dataset.closed !== 'true') state.textContent = 'Reconnecting…'; });
})();
`;
