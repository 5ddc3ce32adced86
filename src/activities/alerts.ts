/**
 * Alerts to people: an ntfy-style POST (ALERT_NTFY_URL: title, priority, tags and click link as headers,
 * the message as body) and/or a JSON webhook (ALERT_WEBHOOK_URL).
 *
 * The `alerts` table is a transactional outbox (src/store/alerts.ts): `sendAlert` records the alert pending,
 * then delivers it, and marks it delivered only once every channel accepted it. A channel that is down never
 * fails the run that raised the alert: `sendAlert` resolves with `pending: true`, and the worker's relay
 * (`deliverPendingAlerts`, started by `createBreakwaterWorker`) delivers it later. A crash between recording
 * and sending (fault point `alerts.afterRecord`) leaves the row pending: the activity's retry finds it by
 * its outbox key (run, activity, alert) and delivers it; without a retry, the relay does once the sender's
 * claim lapses. Delivery is at least once: receivers de-duplicate by the `Idempotency-Key` header
 * (`breakwater-alert-<id>`; the webhook body carries `alertId`).
 */
import { hostname } from 'node:os';
import { Context, log } from '@temporalio/activity';
import { alertSchema, type Alert, type AlertOut } from '../contracts/alert';
import type { BreakwaterConfig } from '../config';
import { faultPoint } from '../faults';
import { redactText, redactValue } from '../redact';
import { createAlertStore, type Delivery, type OutboxAlert } from '../store/alerts';
import type { Db } from '../store/db';

export type { Delivery };

export interface AlertResult {
  id: number;
  suppressed: boolean;
  /** True when a channel has not accepted the alert yet: it stays in the outbox and the relay delivers it. */
  pending: boolean;
  deliveries: Delivery[];
}

export interface AlertDeps {
  db: Db;
  config: BreakwaterConfig;
  /** Window within which a repeat of the same dedupeKey is suppressed (no alert storms). */
  dedupeWindowMs?: number;
  /** Pauses between tries of one channel within one delivery round. */
  retryDelaysMs?: number[];
  /** How long a sender holds a row before the relay may take it over. Default 60 s (over a round's worst case). */
  claimLeaseMs?: number;
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

/** HTTP header values are Latin-1: anything outside printable ASCII becomes '?'. */
const headerSafe = (v: string): string => v.replace(/[^\x20-\x7e]/g, '?');

/** The next relay round for an alert that failed `attempts` rounds: 30 s, doubling, at most 10 min. */
const relayBackoffMs = (attempts: number): number => Math.min(30_000 * 2 ** Math.max(0, attempts - 1), 600_000);

/** Logs through the activity's logger; outside an activity (the relay, the alert-rule evaluator) there is none. */
function warn(message: string, meta: Record<string, unknown>): void {
  try {
    log.warn(message, meta);
  } catch {
    // Not in an activity context: the row's last_error keeps the failure.
  }
}

/** The activity attempt's identity, stable across its retries; undefined outside an activity. */
function activityKey(): string | undefined {
  try {
    const { workflowExecution: run, activityId } = Context.current().info;
    return run ? `${run.workflowId}/${run.runId}/${activityId}` : undefined;
  } catch {
    return undefined;
  }
}

function createDelivery(deps: AlertDeps) {
  const delays = deps.retryDelaysMs ?? [200, 1000];
  const alerts = createAlertStore(deps.db);
  /** One delivery round of a claimed alert: each channel that has not accepted it yet; the outcome recorded. */
  return async function deliver(p: OutboxAlert): Promise<{ deliveries: Delivery[]; error?: string }> {
    const { ntfyUrl, webhookUrl } = deps.config.alerts;
    const a = p.body;
    const done = new Set(p.deliveries.filter((d) => d.ok).map((d) => d.channel));
    const ids: Record<string, string> = { 'Idempotency-Key': `breakwater-alert-${p.id}`, 'X-Breakwater-Alert-Id': String(p.id) };
    if (a.dedupeKey) ids['X-Breakwater-Dedupe-Key'] = headerSafe(a.dedupeKey);
    const now: Delivery[] = [];
    if (ntfyUrl && !done.has('ntfy')) {
      const headers: Record<string, string> = { ...ids, Title: headerSafe(a.title), Priority: String(a.priority), Tags: a.tags.join(',') };
      if (a.link) headers.Click = a.link;
      now.push({ channel: 'ntfy', ...(await postWithRetry(() => fetch(ntfyUrl, { method: 'POST', headers, body: ntfyBody(a), signal: AbortSignal.timeout(5000) }), delays)) });
    }
    if (webhookUrl && !done.has('webhook')) {
      const body = JSON.stringify({ ...(redactValue(a) as AlertOut), alertId: p.id });
      const headers = { ...ids, 'content-type': 'application/json' };
      now.push({ channel: 'webhook', ...(await postWithRetry(() => fetch(webhookUrl, { method: 'POST', headers, body, signal: AbortSignal.timeout(5000) }), delays)) });
    }
    const failed = now.filter((d) => !d.ok);
    for (const d of failed) warn('alert channel failed; the alert stays in the outbox', { alertId: p.id, channel: d.channel, error: d.error, attempts: d.attempts });
    const deliveries = [...p.deliveries.filter((d) => !now.some((n) => n.channel === d.channel)), ...now];
    const error = failed.length ? failed.map((d) => `${d.channel}: ${d.error ?? 'failed'}`).join('; ') : undefined;
    await alerts.recordAttempt(p.id, deliveries, error, relayBackoffMs(p.attempts + 1));
    return { deliveries, error };
  };
}

export function createAlertActivities(deps: AlertDeps) {
  const window = deps.dedupeWindowMs ?? 10 * 60_000;
  const lease = deps.claimLeaseMs ?? 60_000;
  const alerts = createAlertStore(deps.db);
  const deliver = createDelivery(deps);

  return {
    /**
     * Records an alert in the outbox and delivers it. Never throws for a channel failure (the alert stays
     * pending for the relay); a bad alert payload is a bug and does throw. A repeat of a dedupeKey sent
     * within its window is recorded as suppressed and not sent.
     */
    async sendAlert(input: Alert): Promise<AlertResult> {
      const a = redactValue(alertSchema.parse(input));
      const attemptKey = activityKey();
      const outboxKey = attemptKey && `${attemptKey}/${a.dedupeKey ?? a.title}`;
      const sender = `sender:${outboxKey ?? `${hostname()}:${process.pid}:${Date.now()}`}`;
      const earlier = outboxKey ? await alerts.byOutboxKey(outboxKey) : undefined; // an earlier attempt of this activity
      let row: OutboxAlert | undefined;
      if (earlier) {
        if (earlier.status !== 'pending') return { id: earlier.id, suppressed: earlier.status === 'suppressed', pending: false, deliveries: earlier.deliveries };
        row = await alerts.claim(earlier.id, sender, lease); // from the dead attempt, unless the relay holds it now
        if (!row) return { id: earlier.id, suppressed: false, pending: true, deliveries: earlier.deliveries };
      } else {
        const suppressed = Boolean(a.dedupeKey && (await alerts.sentWithin(a.dedupeKey, window)));
        row = await alerts.add(a, { outboxKey, suppressed, claimedBy: sender, leaseMs: lease }); // recorded claimed by this sender
        faultPoint('alerts.afterRecord'); // recorded, not yet sent: the retry or the relay delivers it
        if (row.status !== 'pending') return { id: row.id, suppressed: row.status === 'suppressed', pending: false, deliveries: row.deliveries };
      }
      const { deliveries, error } = await deliver(row);
      return { id: row.id, suppressed: false, pending: error !== undefined, deliveries };
    },
  };
}

/**
 * One relay round: claims the pending alerts that are due (a channel was down, or their sender crashed
 * and its claim lapsed) and delivers each. Returns how many were delivered and how many are still pending.
 */
export async function deliverPendingAlerts(deps: AlertDeps & { limit?: number }): Promise<{ delivered: number; failed: number }> {
  const alerts = createAlertStore(deps.db);
  const deliver = createDelivery(deps);
  const due = await alerts.claimDue(`relay:${hostname()}:${process.pid}`, deps.claimLeaseMs ?? 60_000, deps.limit ?? 50);
  let delivered = 0;
  for (const p of due) if ((await deliver(p)).error === undefined) delivered++;
  return { delivered, failed: due.length - delivered };
}
