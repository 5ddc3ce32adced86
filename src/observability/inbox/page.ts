/** The inbox page: server-rendered HTML, plain forms (works without JavaScript), everything escaped. */
import type { Escalation, FailureContext } from '../../contracts/resolution';

export interface InboxItem {
  workflowId: string;
  runId: string;
  pipeline: string;
  costUsd: number | undefined;
  link: string;
  startTime: string;
  /** Undefined when no worker answered the `escalation` query in time. */
  escalation: Escalation | undefined;
}

export const esc = (s: unknown): string =>
  String(s ?? '').replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

const ago = (iso: string, now: number): string => {
  const s = Math.max(0, Math.round((now - Date.parse(iso)) / 1000));
  return s < 120 ? `${s} s ago` : s < 7200 ? `${Math.round(s / 60)} min ago` : `${Math.round(s / 3600)} h ago`;
};

const failure = (label: string, f: FailureContext | undefined): string =>
  f ? `<div class="failure"><b>${label}</b> <time>${esc(f.at)}</time>${f.attempt ? ` (attempt ${esc(f.attempt)})` : ''}: <code>${esc(f.error)}</code></div>` : '';

function card(item: InboxItem, csrf: string, now: number): string {
  const e = item.escalation;
  const allowed = e?.allowed ?? ['approve', 'reject', 'retry'];
  const details = e?.details ? `<details><summary>details</summary><pre>${esc(JSON.stringify(e.details, null, 2).slice(0, 4000))}</pre></details>` : '';
  return `<li class="escalation" data-workflow-id="${esc(item.workflowId)}">
  <h2><a href="${esc(item.link)}" target="_blank" rel="noopener">${esc(item.workflowId)}</a> <span class="pipeline">${esc(item.pipeline)}</span></h2>
  <p class="why"><b class="kind">${esc(e?.kind ?? 'unknown')}</b> ${esc(e?.reason ?? 'no worker answered the escalation query; the run is still waiting')}</p>
  <p class="meta">waiting since <time>${esc(e?.since ?? item.startTime)}</time> (${ago(e?.since ?? item.startTime, now)})${e?.step ? ` · step <code>${esc(e.step)}</code>` : ''} · cost so far <span class="cost">${item.costUsd === undefined ? 'n/a' : `${item.costUsd.toFixed(6)} USD`}</span> · <a href="${esc(item.link)}" target="_blank" rel="noopener">Temporal Web UI</a></p>
  ${failure('First failure', e?.firstFailure)}${failure('Latest failure', e?.latestFailure)}${details}
  <form method="post" action="/resolve">
    <input type="hidden" name="csrf" value="${esc(csrf)}">
    <input type="hidden" name="workflowId" value="${esc(item.workflowId)}">
    ${e?.id ? `<input type="hidden" name="escalation" value="${esc(e.id)}">` : ''}
    <label>Reason <input name="reason" maxlength="2000" placeholder="optional"></label>
    ${allowed.map((d) => `<button type="submit" name="decision" value="${esc(d)}" class="${esc(d)}">${esc(d[0]!.toUpperCase() + d.slice(1))}</button>`).join(' ')}
  </form>
</li>`;
}

/** Escalations sharing a cause (src/observability/viewer/incidents.ts), shown above the cards they group. */
export interface InboxIncident {
  cause: string;
  title: string;
  action: string;
  runs: { workflowId: string }[];
}

/** One form resolves the whole incident (POST /incidents/resolve): the server re-reads its runs from Postgres. */
const incidentsHtml = (incidents: InboxIncident[] = [], csrf = ''): string => {
  const shared = incidents.filter((i) => i.runs.length > 1);
  if (!shared.length) return '';
  const li = shared.map(
    (i) => `<li class="incident" data-cause="${esc(i.cause)}"><b>${esc(i.title)}</b>: ${esc(i.runs.length)} runs wait on it (${i.runs.map((r) => `<a href="/runs/${encodeURIComponent(r.workflowId)}">${esc(r.workflowId)}</a>`).join(', ')}). One action releases them all: <code>${esc(i.action)}</code>
<form method="post" action="/incidents/resolve" class="resolve-incident"><input type="hidden" name="csrf" value="${esc(csrf)}"><input type="hidden" name="cause" value="${esc(i.cause)}">
<label>Reason <input name="reason" maxlength="2000"></label> ${['approve', 'retry', 'reject'].map((d) => `<button type="submit" name="decision" value="${d}" class="${d}">${d[0]!.toUpperCase() + d.slice(1)} all ${esc(i.runs.length)}</button>`).join(' ')}</form></li>`,
  );
  return `<section class="incidents" id="incidents"><h2>Incidents (<a href="/incidents">all</a>)</h2><ul>${li.join('')}</ul></section>`;
};

/** The login form (its CSRF token belongs to a pre-login session). */
export function renderLogin(csrf: string, error?: string): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Breakwater inbox: log in</title></head>
<body><h1>Breakwater inbox</h1>${error ? `<p class="flash error" role="status">${esc(error)}</p>` : ''}
<form method="post" action="/login"><input type="hidden" name="csrf" value="${esc(csrf)}">
<label>Name <input name="user" required maxlength="100" autocomplete="username"></label>
<label>Password <input name="password" type="password" required maxlength="1024" autocomplete="current-password"></label>
<button type="submit">Log in</button></form></body></html>`;
}

export function renderInbox(items: InboxItem[], o: { user: string; csrf: string; flash?: { ok: boolean; text: string }; now?: number; incidents?: InboxIncident[] }): string {
  const now = o.now ?? Date.now();
  const flash = o.flash ? `<p class="flash ${o.flash.ok ? 'ok' : 'error'}" role="status">${esc(o.flash.text)}</p>` : '';
  const list = items.length ? `<ul>${items.map((i) => card(i, o.csrf, now)).join('\n')}</ul>` : '<p class="empty">Nothing is waiting for a person.</p>';
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Breakwater inbox (${items.length})</title>
<meta http-equiv="refresh" content="30">
<style>
body{font:15px/1.4 system-ui,sans-serif;max-width:60rem;margin:2rem auto;padding:0 1rem;color:#222}
ul{list-style:none;padding:0}li{border:1px solid #ccc;border-radius:6px;padding:.8rem 1rem;margin:.8rem 0}
h2{font-size:1.05rem;margin:0 0 .3rem}.pipeline{font-weight:normal;color:#666}.kind{color:#a40}
.failure code{white-space:pre-wrap}.meta{color:#555;font-size:.9rem}form{margin-top:.6rem}
button{margin-right:.3rem;padding:.3rem .8rem}.approve{background:#dfd}.reject{background:#fdd}.retry{background:#ddf}
.flash.ok{color:#060}.flash.error{color:#a00}
</style></head>
<body><p><a href="/runs">Runs</a> · <a href="/incidents">Incidents</a> · <a href="/cost">Cost</a> · deciding as <b class="user">${esc(o.user)}</b> <form method="post" action="/logout" style="display:inline"><input type="hidden" name="csrf" value="${esc(o.csrf)}"><button type="submit">Log out</button></form></p><h1>Waiting for a person: ${items.length}</h1>${flash}
${incidentsHtml(o.incidents, o.csrf)}
${list}
</body></html>`;
}
