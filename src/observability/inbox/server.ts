/**
 * The escalation inbox: a small web server on localhost listing every run awaiting a person
 * (BreakwaterStatus = "AwaitingHuman"), with why, since when, the first failure, cost so far and a Web UI
 * link, and approve / reject / retry buttons that send the same validated `resolve` Update as
 * `breakwater resolve`, recording who (in the run's history, and in audit_log when a database is given).
 *
 * Served on 127.0.0.1 by default; requests whose Host or Origin is not this server are refused (a page on
 * another site cannot make your browser resolve escalations).
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Client } from '@temporalio/client';
import { AWAITING_HUMAN_QUERY } from '../../client/commands/escalations';
import { getEscalationState, resolveEscalation, validateResolution } from '../../client/escalations';
import { redactText } from '../../redact';
import { appendAudit } from '../../store/auditLog';
import type { Db } from '../../store/db';
import { renderInbox, type InboxItem } from './page';
import { handleViewer } from '../viewer/routes';
import { groupIncidents } from '../viewer/incidents';
import { listRunEscalations } from '../../store/runEscalations';

export interface InboxOptions {
  client: Client;
  link: (workflowId: string, runId: string) => string;
  db?: Db;
  port?: number;
  host?: string;
  queryTimeoutMs?: number;
  /** The configured daily cap, for the run viewer's cost page. */
  dailyCapUsd?: number;
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

async function readForm(req: IncomingMessage): Promise<URLSearchParams> {
  let body = '';
  for await (const chunk of req) {
    body += String(chunk);
    if (body.length > 20_000) throw new Error('form too large');
  }
  return new URLSearchParams(body);
}

export async function startInbox(o: InboxOptions): Promise<InboxServer> {
  let self = '';
  const sameSite = (req: IncomingMessage): boolean => {
    const host = req.headers.host ?? '';
    const origin = req.headers.origin;
    const ok = (h: string) => h === self || h.replace(/^localhost:/, '127.0.0.1:') === self;
    return ok(host) && (!origin || ok(origin.replace(/^https?:\/\//, '')));
  };
  const send = (res: ServerResponse, status: number, type: string, body: string, headers: Record<string, string> = {}) => {
    res.writeHead(status, { 'content-type': type, 'cache-control': 'no-store', 'x-frame-options': 'DENY', ...headers });
    res.end(body);
  };

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    if (!sameSite(req)) return send(res, 403, 'text/plain', 'forbidden: open the inbox at its own address\n');
    const url = new URL(req.url ?? '/', `http://${self}`);
    if (req.method === 'GET' && url.pathname === '/') {
      const items = await listInbox(o.client, o.link, o.queryTimeoutMs);
      const done = url.searchParams.get('done');
      const error = url.searchParams.get('error');
      const flash = done ? { ok: true, text: done } : error ? { ok: false, text: error } : undefined;
      const incidents = o.db ? groupIncidents(await listRunEscalations(o.db, { openOnly: true })) : [];
      return send(res, 200, 'text/html; charset=utf-8', renderInbox(items, { by: url.searchParams.get('by') ?? '', flash, incidents }));
    }
    if (req.method === 'GET') {
      // The run viewer: runs, one run, incidents, cost (src/observability/viewer).
      const viewed = await handleViewer({ client: o.client, db: o.db, link: (id, run) => o.link(id, run ?? ''), dailyCapUsd: o.dailyCapUsd }, url);
      if (viewed) return send(res, viewed.status, 'text/html; charset=utf-8', viewed.body, { 'content-security-policy': "default-src 'none'; style-src 'unsafe-inline'; img-src 'self' data:" });
    }
    if (req.method === 'GET' && url.pathname === '/api/escalations') {
      return send(res, 200, 'application/json', JSON.stringify({ escalations: await listInbox(o.client, o.link, o.queryTimeoutMs) }));
    }
    if (req.method === 'POST' && url.pathname === '/resolve') {
      const form = await readForm(req);
      const workflowId = form.get('workflowId') ?? '';
      const by = form.get('by') ?? '';
      const back = (q: Record<string, string>) => send(res, 303, 'text/plain', '', { location: `/?${new URLSearchParams({ by, ...q }).toString()}` });
      try {
        const reason = form.get('reason') || undefined;
        // The escalation the page showed: a click that arrives after the run moved on is refused, not applied.
        const escalation = form.get('escalation') || undefined;
        const resolution = validateResolution({ decision: form.get('decision'), by, ...(reason ? { reason } : {}), ...(escalation ? { escalation } : {}) });
        const outcome = await resolveEscalation(o.client, workflowId, resolution);
        if (o.db) {
          const detail = { decision: resolution.decision, reason: resolution.reason, escalation: outcome.escalation, via: 'inbox' };
          await appendAudit(o.db, { actor: resolution.by, action: 'resolve', target: workflowId, accepted: true, detail });
        }
        return back({ done: `${workflowId}: ${resolution.decision} by ${resolution.by} (${outcome.escalation})` });
      } catch (e) {
        if (o.db) {
          const detail = { error: redactText((e as Error).message), via: 'inbox' };
          await appendAudit(o.db, { actor: by || 'unknown', action: 'resolve', target: workflowId, accepted: false, detail }).catch(() => undefined);
        }
        return back({ error: `${workflowId}: ${redactText((e as Error).message)}` });
      }
    }
    return send(res, 404, 'text/plain', 'not found\n');
  }

  const server = createServer((req, res) => {
    handle(req, res).catch((e: unknown) => send(res, 500, 'text/plain', `inbox error: ${redactText((e as Error).message)}\n`));
  });
  const host = o.host ?? '127.0.0.1';
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(o.port ?? 0, host, () => resolve());
  });
  self = `${host}:${(server.address() as AddressInfo).port}`;
  return {
    url: `http://${self}/`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
