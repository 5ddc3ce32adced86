/**
 * Alerts are a transactional outbox: every alert `sendAlert` records is delivered at least once, and a
 * channel failure never fails the run that raised it. A crash between recording and sending, or a channel
 * that is down, leaves the row pending; the retry of the same activity or the worker's relay delivers it.
 * Against a real Postgres schema and a webhook receiver on 127.0.0.1.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, beforeEach, test } from 'node:test';
import { MockActivityEnvironment } from '@temporalio/testing';
import { loadConfig, type BreakwaterConfig } from '../config';
import { ensureStack } from '../devstack/stack';
import { armFault } from '../faults';
import { createPool, type Db } from '../store/db';
import { migrate } from '../store/migrate';
import { waitFor } from '../testing/waitFor';
import { startAlertRelay } from '../workers/alertRelay';
import { createAlertActivities, deliverPendingAlerts, type AlertResult } from './alerts';

let db: Db;
let schema: string;
let config: BreakwaterConfig;
let receiver: Server;
let failNext = 0;
const received: { title: string; idempotencyKey?: string }[] = [];

before(async () => {
  receiver = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += String(c)));
    req.on('end', () => {
      if (failNext > 0) {
        failNext--;
        res.writeHead(500).end('receiver down');
        return;
      }
      received.push({ title: (JSON.parse(body) as { title: string }).title, idempotencyKey: req.headers['idempotency-key'] as string | undefined });
      res.writeHead(200).end();
    });
  });
  await new Promise<void>((r) => receiver.listen(0, '127.0.0.1', r));
  schema = `t_${randomBytes(6).toString('hex')}`;
  const url = process.env.DATABASE_URL ?? loadConfig({}).database.url ?? (await ensureStack()).postgres.url;
  config = loadConfig({ ...process.env, DATABASE_URL: url, DATABASE_SCHEMA: schema, ALERT_NTFY_URL: '', ALERT_WEBHOOK_URL: `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hook` });
  db = createPool(config.database);
  await migrate(db, schema);
});
beforeEach(() => {
  received.length = 0;
  failNext = 0;
});
after(async () => {
  await db?.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`).catch(() => undefined);
  await db?.end();
  await new Promise<void>((r) => receiver.close(() => r()));
});

const alert = (key: string) => ({ title: `disk full (${key})`, message: 'the volume is at 100 %', dedupeKey: key, pipeline: 'p', step: 's' });
const activities = () => createAlertActivities({ db, config, retryDelaysMs: [] });
/** Runs sendAlert the way Temporal does: each attempt of one activity a fresh call with the same input and activity id. */
const attempt = (key: string, n = 1): Promise<AlertResult> =>
  new MockActivityEnvironment({ activityId: `alert-${key}`, attempt: n, workflowExecution: { workflowId: `wf-${key}`, runId: 'run-1' } }).run(activities().sendAlert, alert(key));
const statusOf = async (key: string) => (await db.query<{ status: string }>('SELECT status FROM alerts WHERE dedupe_key = $1 ORDER BY id', [key])).rows.map((r) => r.status);

test('a crash between recording the alert and sending it: the retry of the activity delivers it, once', async () => {
  armFault('alerts.afterRecord', 'throw');
  await assert.rejects(attempt('crash-after-record'), /Injected fault at alerts.afterRecord/);
  assert.equal(received.length, 0);
  assert.deepEqual(await statusOf('crash-after-record'), ['pending'], 'recorded before the crash, not yet delivered');
  const retry = await attempt('crash-after-record', 2);
  assert.equal(retry.suppressed, false, 'the retry delivers the recorded alert; it is not a suppressed repeat');
  assert.deepEqual(received.map((r) => r.title), ['disk full (crash-after-record)']);
  assert.equal(received[0]!.idempotencyKey, `breakwater-alert-${retry.id}`, 'receivers de-duplicate by the alert id');
  assert.deepEqual(await statusOf('crash-after-record'), ['delivered'], 'one row, delivered');
});

test('a crash after recording, and no retry: the relay delivers the pending alert once its claim lapses', async () => {
  armFault('alerts.afterRecord', 'throw');
  await assert.rejects(attempt('relay-after-crash'), /Injected fault/);
  assert.equal((await deliverPendingAlerts({ db, config, retryDelaysMs: [] })).delivered, 0, 'the sender still holds its claim');
  await db.query("UPDATE alerts SET claimed_until = now() - interval '1 second' WHERE dedupe_key = 'relay-after-crash'");
  const relayed = await deliverPendingAlerts({ db, config, retryDelaysMs: [] });
  assert.equal(relayed.delivered, 1);
  assert.deepEqual(received.map((r) => r.title), ['disk full (relay-after-crash)']);
  assert.deepEqual(await statusOf('relay-after-crash'), ['delivered']);
  assert.equal((await deliverPendingAlerts({ db, config, retryDelaysMs: [] })).delivered, 0, 'nothing is sent twice by the relay');
});

test('a channel that is down does not fail the run: the alert stays pending and the relay delivers it later', async () => {
  failNext = 1;
  const first = await attempt('channel-down');
  assert.equal(first.suppressed, false);
  assert.equal(first.pending, true, 'the caller learns the alert is still pending');
  const row = await db.query<{ status: string; attempts: number; last_error: string }>("SELECT status, attempts, last_error FROM alerts WHERE dedupe_key = 'channel-down'");
  assert.deepEqual(row.rows, [{ status: 'pending', attempts: 1, last_error: 'webhook: HTTP 500' }]);
  await db.query("UPDATE alerts SET next_attempt_at = now(), claimed_until = NULL WHERE dedupe_key = 'channel-down'");
  assert.equal((await deliverPendingAlerts({ db, config, retryDelaysMs: [] })).delivered, 1);
  assert.deepEqual(received.map((r) => r.title), ['disk full (channel-down)']);
  const done = await db.query<{ status: string; attempts: number }>("SELECT status, attempts FROM alerts WHERE dedupe_key = 'channel-down'");
  assert.deepEqual(done.rows, [{ status: 'delivered', attempts: 2 }]);
  // A repeat within the window, from another activity, is suppressed, not re-sent.
  const repeat: AlertResult = await new MockActivityEnvironment({ activityId: 'other', workflowExecution: { workflowId: 'wf-other', runId: 'r' } }).run(activities().sendAlert, alert('channel-down'));
  assert.equal(repeat.suppressed, true);
  assert.equal(received.length, 1);
});

test('the relay loop delivers a pending alert on its own, without a call', async () => {
  failNext = 1;
  assert.equal((await attempt('relay-loop')).pending, true);
  await db.query("UPDATE alerts SET next_attempt_at = now() + interval '300 milliseconds' WHERE dedupe_key = 'relay-loop'");
  const relay = startAlertRelay({ db, config, retryDelaysMs: [], intervalMs: 100 });
  try {
    await waitFor('the relay delivers the alert', async () => (await statusOf('relay-loop'))[0] === 'delivered', 10_000, 50);
  } finally {
    await relay.stop();
  }
  assert.deepEqual(received.map((r) => r.title), ['disk full (relay-loop)']);
});
