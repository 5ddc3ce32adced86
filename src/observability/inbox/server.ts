/**
 * The escalation inbox: a small web server on localhost listing every run awaiting a person
 * (BreakwaterStatus = "AwaitingHuman"), with why, since when, the first failure, cost so far and a Web UI
 * link, and approve / reject / retry buttons that send the same validated `resolve` Update as
 * `breakwater resolve`, recording who (in the run's history, and in audit_log when a database is given).
 *
 * Every page needs a login (src/observability/inbox/auth.ts); every POST a same-origin Origin header and the
 * session's CSRF token. A decision is made in the logged-in approver's name and signed by the inbox's own
 * key, which the worker trusts to vouch for approvers (BREAKWATER_DECISION_VOUCHERS). Served on 127.0.0.1 by
 * default; beyond loopback only with TLS and password logins (BW_INBOX_BIND_REFUSED otherwise).
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { KeyObject } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import type { Client } from '@temporalio/client';
import { AWAITING_HUMAN_QUERY } from '../../client/commands/escalations';
import { getEscalationState, resolveEscalation, validateResolution } from '../../client/escalations';
import { redactText } from '../../redact';
import { appendAudit } from '../../store/auditLog';
import type { Db } from '../../store/db';
import { renderInbox, renderLogin, type InboxItem } from './page';
import { checkBind, createInboxAuth, InboxRefusal, type InboxAuthOptions } from './auth';
import { resolveClaim, type Resolution } from '../../contracts/resolution';
import { BreakwaterError, InvalidInputError } from '../../errors';
import { Failure } from '../../failures';
import { createDecisionSigner } from '../../identity/decisionSignature';
import { handleViewer } from '../viewer/routes';
import { PROGRESS_ROUTE, streamAgentProgress } from '../viewer/progressStream';
import { groupIncidents } from '../viewer/incidents';
import { listRunEscalations } from '../../store/runEscalations';
import { resolveIncident, summarizeIncidentResolution } from '../../client/incidents';

export interface InboxOptions {
  client: Client;
  link: (workflowId: string, runId: string) => string;
  db?: Db;
  port?: number;
  host?: string;
  queryTimeoutMs?: number;
  /** The configured daily cap, for the run viewer's cost page. */
  dailyCapUsd?: number;
  /** Who may use it: password logins and/or a trusted proxy header (loopback only). Required. */
  auth: InboxAuthOptions;
  /** The inbox's key: it signs each decision as `name`, vouching for the logged-in approver. Unset: unsigned (development mode only). */
  signer?: { name: string; key: KeyObject };
  /** Certificate and key (PEM): required to listen beyond loopback. */
  tls?: { cert: string; key: string };
}

export interface InboxServer {
  url: string;
  close(): Promise<void>;
}

export async function listInbox(client: Client, link: InboxOptions['link'], queryTimeoutMs = 3000): Promise<InboxItem[]> {
  const items: InboxItem[] = [];
  for await (const wf of client.workflow.list({ query: AWAITING_HUMAN_QUERY })) {
    const attr = (k: string) => (wf.searchAttributes as Record<string, unknown[] | undefined>)[k]?.[0];
    const escalation = await getEscalationState(client, wf.workflowId, queryTimeoutMs).then(
      (s) => s.open,
      () => undefined,
    );
    const cost = attr('BreakwaterCostUsd');
    items.push({
      workflowId: wf.workflowId,
      runId: wf.runId,
      pipeline: String(attr('BreakwaterPipeline') ?? wf.type),
      costUsd: typeof cost === 'number' ? cost : undefined,
      link: link(wf.workflowId, wf.runId),
      startTime: wf.startTime.toISOString(),
      escalation,
    });
  }
  return items.sort((a, b) => (a.escalation?.since ?? a.startTime).localeCompare(b.escalation?.since ?? b.startTime));
}

/** The viewer's pages: nothing but their own styles, images, the same-origin progress script and its stream. */
export const VIEWER_CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src 'self' data:; script-src 'self'; connect-src 'self'";

class FormTooLarge extends Error {}

async function readForm(req: IncomingMessage): Promise<URLSearchParams> {
  let body = '';
  for await (const chunk of req) {
    body += String(chunk);
    if (body.length > 20_000) throw new FormTooLarge('form too large (at most 20000 bytes)');
  }
  return new URLSearchParams(body);
}

/** The inbox was asked to listen where it must not (BW_INBOX_BIND_REFUSED). */
export class InboxBindError extends BreakwaterError {
  readonly code = Failure.InboxBindRefused.type;
}

export async function startInbox(o: InboxOptions): Promise<InboxServer> {
  const host = o.host ?? '127.0.0.1';
  try {
    checkBind(host, { tls: Boolean(o.tls), auth: o.auth });
  } catch (e) {
    throw new InboxBindError((e as Error).message);
  }
  const auth = createInboxAuth(o.auth, Boolean(o.tls));
  const signer = o.signer ? createDecisionSigner(o.signer.key, o.signer.name) : undefined;
  let self = '';
  const sameHost = (req: IncomingMessage): boolean => (req.headers.host ?? '').replace(/^localhost:/, '127.0.0.1:') === self;
  const send = (res: ServerResponse, status: number, type: string, body: string, headers: Record<string, string> = {}) => {
    res.writeHead(status, { 'content-type': type, 'cache-control': 'no-store', 'x-frame-options': 'DENY', ...headers });
    res.end(body);
  };
  const refuse = (res: ServerResponse, e: InboxRefusal) => send(res, e.status, 'text/plain; charset=utf-8', `${e.code}: ${e.message}\n`);

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    // Another Host is another site resolving to this address (DNS rebinding): refused before anything else.
    if (!sameHost(req)) return send(res, 403, 'text/plain', 'forbidden: open the inbox at its own address\n');
    const url = new URL(req.url ?? '/', `http://${self}`);
    if (req.method === 'GET' && url.pathname === '/login') {
      const pre = auth.preLogin(req);
      return send(res, 200, 'text/html; charset=utf-8', renderLogin(pre.session.csrf, url.searchParams.get('error') ?? undefined), pre.setCookie ? { 'set-cookie': pre.setCookie } : {});
    }
    if (req.method === 'POST') {
      const form = await readForm(req);
      if (url.pathname === '/login') {
        const pre = auth.checkPost(req, self, form);
        const setCookie = auth.login(pre, form.get('user') ?? '', form.get('password') ?? '');
        return send(res, 303, 'text/plain', '', { location: '/', 'set-cookie': setCookie });
      }
      const session = auth.checkPost(req, self, form);
      if (!session.user) throw new InboxRefusal(401, Failure.InboxUnauthenticated.type, 'refused: not logged in (log in at /login)');
      if (url.pathname === '/logout') return send(res, 303, 'text/plain', '', { location: '/login', 'set-cookie': auth.logout(session) });
      if (url.pathname === '/resolve') return resolveFromForm(res, session.user, form);
      if (url.pathname === '/incidents/resolve') return resolveIncidentFromForm(res, session.user, form);
      return send(res, 404, 'text/plain', 'not found\n');
    }
    const who = auth.current(req);
    if (!who) {
      if (url.pathname.startsWith('/api/') || PROGRESS_ROUTE.test(url.pathname)) throw new InboxRefusal(401, Failure.InboxUnauthenticated.type, 'log in first (a session cookie from /login)');
      return send(res, 303, 'text/plain', '', { location: '/login' });
    }
    const cookie: Record<string, string> = who.setCookie ? { 'set-cookie': who.setCookie } : {};
    if (req.method === 'GET' && url.pathname === '/') {
      const items = await listInbox(o.client, o.link, o.queryTimeoutMs);
      const done = url.searchParams.get('done');
      const error = url.searchParams.get('error');
      const flash = done ? { ok: true, text: done } : error ? { ok: false, text: error } : undefined;
      const incidents = o.db ? groupIncidents(await listRunEscalations(o.db, { openOnly: true })) : [];
      return send(res, 200, 'text/html; charset=utf-8', renderInbox(items, { user: who.session.user!, csrf: who.session.csrf, flash, incidents }), cookie);
    }
    const progress = PROGRESS_ROUTE.exec(url.pathname);
    if (req.method === 'GET' && progress) {
      // A running agent's progress as Server-Sent Events, for the run page's panel (src/observability/viewer/progressStream.ts).
      return streamAgentProgress({ client: o.client, headers: { 'x-frame-options': 'DENY', ...cookie } }, progress[1]!, req, res);
    }
    if (req.method === 'GET') {
      // The run viewer: runs, one run, incidents, cost (src/observability/viewer). Scripts: only its own, same-origin, none inline.
      const viewed = await handleViewer({ client: o.client, db: o.db, link: (id, run) => o.link(id, run ?? ''), dailyCapUsd: o.dailyCapUsd }, url);
      if (viewed) return send(res, viewed.status, viewed.type ?? 'text/html; charset=utf-8', viewed.body, { 'content-security-policy': VIEWER_CSP, ...cookie });
    }
    if (req.method === 'GET' && url.pathname === '/api/escalations') {
      return send(res, 200, 'application/json', JSON.stringify({ escalations: await listInbox(o.client, o.link, o.queryTimeoutMs) }), cookie);
    }
    return send(res, 404, 'text/plain', 'not found\n');
  }

  /** A decision from the page, in the logged-in approver's name, signed by the inbox vouching for them. */
  async function resolveFromForm(res: ServerResponse, user: string, form: URLSearchParams): Promise<void> {
    const workflowId = form.get('workflowId') ?? '';
    const back = (q: Record<string, string>) => send(res, 303, 'text/plain', '', { location: `/?${new URLSearchParams(q).toString()}` });
    try {
      if (!/^[^\s]{1,1000}$/.test(workflowId)) throw new InvalidInputError('workflowId: expected a workflow id');
      const named = form.get('by');
      if (named !== null && named !== user) throw new InvalidInputError(`by: you decide as yourself (${user}), not as '${named.slice(0, 100)}'`);
      const reason = form.get('reason') || undefined;
      // The escalation the page showed: a click that arrives after the run moved on is refused, not applied.
      const escalation = form.get('escalation') || undefined;
      if (!escalation) throw new InvalidInputError('escalation: the form must name the escalation it answers');
      const unsigned = validateResolution({ decision: form.get('decision'), by: user, escalation, ...(reason ? { reason } : {}) });
      const resolution = signer ? { ...unsigned, ...signer(resolveClaim(workflowId, unsigned)) } : unsigned;
      const outcome = await resolveEscalation(o.client, workflowId, resolution);
      if (o.db) {
        const detail = { decision: resolution.decision, reason: resolution.reason, escalation: outcome.escalation, via: 'inbox' };
        await appendAudit(o.db, { actor: user, action: 'resolve', target: workflowId, accepted: true, verifiedBy: user, verification: 'inbox-login', detail });
      }
      return back({ done: `${workflowId}: ${resolution.decision} by ${user} (${outcome.escalation})` });
    } catch (e) {
      if (o.db) {
        const detail = { error: redactText((e as Error).message), via: 'inbox' };
        await appendAudit(o.db, { actor: user, action: 'resolve', target: workflowId.slice(0, 1000), accepted: false, verifiedBy: user, verification: 'inbox-login', detail }).catch(() => undefined);
      }
      return back({ error: `${workflowId.slice(0, 200)}: ${redactText((e as Error).message)}` });
    }
  }

  /** One decision for every run of an incident, each answer signed as the logged-in approver's; one audit row per run. */
  async function resolveIncidentFromForm(res: ServerResponse, user: string, form: URLSearchParams): Promise<void> {
    const cause = form.get('cause') ?? '';
    const back = (q: Record<string, string>) => send(res, 303, 'text/plain', '', { location: `/?${new URLSearchParams(q).toString()}` });
    try {
      if (!o.db) throw new InvalidInputError('incidents need the database (DATABASE_URL)');
      const reason = form.get('reason') || undefined;
      const sign = signer ? (workflowId: string, r: Resolution) => ({ ...r, ...signer(resolveClaim(workflowId, r)) }) : undefined;
      const result = await resolveIncident(o.client, o.db, { cause, decision: form.get('decision') ?? '', by: user, ...(reason ? { reason } : {}), ...(sign ? { sign } : {}) });
      for (const r of result.runs) {
        const detail = { decision: result.decision, reason, escalation: r.escalation, incident: result.cause, result: r.result, ...(r.message ? { message: r.message } : {}), via: 'inbox-incident' };
        await appendAudit(o.db, { actor: user, action: 'resolve', target: r.workflowId, accepted: r.result !== 'refused', verifiedBy: user, verification: 'inbox-login', detail });
      }
      return back(result.runs.some((r) => r.result === 'refused') ? { error: summarizeIncidentResolution(result) } : { done: summarizeIncidentResolution(result) });
    } catch (e) {
      if (o.db) {
        const detail = { error: redactText((e as Error).message), incident: cause.slice(0, 1000), via: 'inbox-incident' };
        await appendAudit(o.db, { actor: user, action: 'resolve', target: cause.slice(0, 1000), accepted: false, verifiedBy: user, verification: 'inbox-login', detail }).catch(() => undefined);
      }
      return back({ error: `incident: ${redactText((e as Error).message)}` });
    }
  }

  const onRequest = (req: IncomingMessage, res: ServerResponse) => {
    handle(req, res).catch((e: unknown) => {
      if (e instanceof InboxRefusal) return refuse(res, e);
      if (e instanceof FormTooLarge) return send(res, 413, 'text/plain', `${Failure.InvalidInput.type}: ${e.message}\n`);
      send(res, 500, 'text/plain', `inbox error: ${redactText((e as Error).message)}\n`);
    });
  };
  const server = o.tls ? createHttpsServer({ cert: o.tls.cert, key: o.tls.key }, onRequest) : createServer(onRequest);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(o.port ?? 0, host, () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  self = `${host.includes(':') ? `[${host}]` : host}:${port}`;
  return {
    url: `${o.tls ? 'https' : 'http'}://${self}/`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
