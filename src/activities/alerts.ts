/**
 * Alerts to people: an ntfy-style POST (ALERT_NTFY_URL: title, priority, tags and click link as headers,
 * the message as body) and/or a JSON webhook (ALERT_WEBHOOK_URL). Every alert is recorded in `alerts`
 * first (src/store/alerts.ts). A failing channel is retried a few times and logged, and never fails the
 * pipeline: `sendAlert` always resolves and reports what each channel did.
 */
import { log } from '@temporalio/activity';
import { alertSchema, type Alert, type AlertOut } from '../contracts/alert';
import type { BreakwaterConfig } from '../config';
import { redactText, redactValue } from '../redact';
import { createAlertStore, type Delivery } from '../store/alerts';
import type { Db } from '../store/db';

export type { Delivery };

export interface AlertResult {
  id: number;
  suppressed: boolean;
  deliveries: Delivery[];
}

export interface AlertDeps {
  db: Db;
  config: BreakwaterConfig;
  /** Window within which a repeat of the same dedupeKey is suppressed (no alert storms). */
  dedupeWindowMs?: number;
  retryDelaysMs?: number[];
}

async function postWithRetry(send: () => Promise<Response>, delays: number[]): Promise<Omit<Delivery, 'channel'>> {
  let error = '';
  for (let attempt = 1; attempt <= delays.length + 1; attempt++) {
    try {
      const res = await send();
      if (res.ok) return { ok: true, attempts: attempt };
      error = `HTTP ${res.status}`;
    } catch (e) {
      error = (e as Error).message;
    }
    const delay = delays[attempt - 1];
    if (delay !== undefined) await new Promise((r) => setTimeout(r, delay));
  }
  return { ok: false, attempts: delays.length + 1, error: redactText(error) };
}

function ntfyBody(a: AlertOut): string {
  const lines = [a.message];
  if (a.firstFailure) lines.push(`First failure (${a.firstFailure.at}): ${a.firstFailure.error}`);
  if (a.latestFailure) lines.push(`Latest failure (${a.latestFailure.at}): ${a.latestFailure.error}`);
  if (a.workflowId) lines.push(`Workflow: ${a.workflowId}`);
  return redactText(lines.join('\n'));
}

export function createAlertActivities(deps: AlertDeps) {
  const window = deps.dedupeWindowMs ?? 10 * 60_000;
  const delays = deps.retryDelaysMs ?? [200, 1000];
  const alerts = createAlertStore(deps.db);

  async function deliver(a: AlertOut): Promise<Delivery[]> {
    const { ntfyUrl, webhookUrl } = deps.config.alerts;
    const out: Delivery[] = [];
    if (ntfyUrl) {
      const headers: Record<string, string> = { Title: a.title.replace(/[^\x20-\x7e]/g, '?'), Priority: String(a.priority), Tags: a.tags.join(',') };
      if (a.link) headers.Click = a.link;
      out.push({ channel: 'ntfy', ...(await postWithRetry(() => fetch(ntfyUrl, { method: 'POST', headers, body: ntfyBody(a), signal: AbortSignal.timeout(5000) }), delays)) });
    }
    if (webhookUrl) {
      const body = JSON.stringify(redactValue(a));
      out.push({
        channel: 'webhook',
        ...(await postWithRetry(() => fetch(webhookUrl, { method: 'POST', headers: { 'content-type': 'application/json' }, body, signal: AbortSignal.timeout(5000) }), delays)),
      });
    }
    for (const d of out) if (!d.ok) log.warn('alert channel failed', { channel: d.channel, error: d.error, attempts: d.attempts });
    return out;
  }

  return {
    /** Records and sends an alert. Never throws for a channel failure; a bad alert payload is a bug and does throw. */
    async sendAlert(input: Alert): Promise<AlertResult> {
      const a = redactValue(alertSchema.parse(input));
      if (a.dedupeKey && (await alerts.sentWithin(a.dedupeKey, window))) {
        return { id: await alerts.addSuppressed({ ...a, dedupeKey: a.dedupeKey }), suppressed: true, deliveries: [] };
      }
      const id = await alerts.add(a);
      const deliveries = await deliver(a);
      await alerts.recordDeliveries(id, deliveries);
      return { id, suppressed: false, deliveries };
    },
  };
}
