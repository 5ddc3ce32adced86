/** The verify delay is a durable Temporal timer: the dev server is SIGKILLed during it, restarted on its SQLite file, and the run completes. */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { setTimeout as delay } from 'node:timers/promises';
import { after, before, test } from 'node:test';
import { Client, Connection } from '@temporalio/client';
import { NativeConnection, type Worker } from '@temporalio/worker';
import { loadConfig, type BreakwaterConfig } from '../../config';
import type { SubmitAndVerifyProgress } from './contract';
import { ensureStack } from '../../devstack/stack';
import { startPortalSimulator, type PortalSimulator } from '../../simulators/portal';
import { createPool, type Db } from '../../store/db';
import { migrate } from '../../store/migrate';
import { startPersistentTemporal, type PersistentTemporal } from '../../devstack/persistentTemporal';
import { postAttemptsFor, waitFor } from './testKit';
import { createReferenceWorker } from '../worker';
import { loadReferenceConfig } from '../config';
import { submitAndVerify } from './workflow';
import { generateKeySpec } from '../../codec/keys';
import { breakwaterDataConverter } from '../../codec/dataConverter';

let temporal: PersistentTemporal;
let portal: PortalSimulator;
let db: Db;
let config: BreakwaterConfig;
const schema = `t_${randomBytes(6).toString('hex')}`;

before(async () => {
  temporal = await startPersistentTemporal();
  portal = await startPortalSimulator({ lagMs: 500 });
  const url = process.env.DATABASE_URL ?? loadConfig({}).database.url ?? (await ensureStack()).postgres.url;
  config = loadConfig({ ...process.env, TEMPORAL_ADDRESS: temporal.address, TEMPORAL_TASK_QUEUE: `restart-${schema}`, DATABASE_URL: url, DATABASE_SCHEMA: schema, PORTAL_URL: portal.url, LOG_LEVEL: 'warn', SHUTDOWN_GRACE_MS: '1000', BREAKWATER_CODEC_KEYS: generateKeySpec('test') });
  db = createPool(config.database);
  await migrate(db, schema);
});
after(async () => {
  await db?.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`).catch(() => undefined);
  await db?.end();
  await temporal?.stop();
  await portal?.close();
});

async function startWorker(): Promise<{ worker: Worker; done: Promise<void>; close: () => Promise<void> }> {
  const connection = await NativeConnection.connect({ address: temporal.address });
  const worker = await createReferenceWorker({ config, db, connection, reference: loadReferenceConfig({ PORTAL_URL: portal.url }) });
  const done = worker.run().catch(() => undefined);
  return {
    worker,
    done,
    close: async () => {
      if (worker.getState() === 'RUNNING') worker.shutdown();
      await done;
      await connection.close().catch(() => undefined);
    },
  };
}

test('dev server killed during the verify timer and restarted on its SQLite file: the workflow completes VERIFIED', async () => {
  const connection = await Connection.connect({ address: temporal.address });
  const client = new Client({ connection, dataConverter: breakwaterDataConverter(config) });
  let w = await startWorker();
  try {
    const recordId = `RESTART-${process.pid}`;
    const handle = await client.workflow.start(submitAndVerify, {
      taskQueue: config.temporal.taskQueue,
      workflowId: `restart-${recordId}`,
      args: [{ recordId, entityId: 'ENT-1', businessDate: '2025-03-04', options: { verifyDelay: '8s', verifyDeadline: '60s', pollBackoff: { initial: 500 } } }],
    });
    const progress = await waitFor('the verify timer to start', async () => {
      const p = await handle.query<SubmitAndVerifyProgress>('progress');
      return p.phase === 'verify-delay' && p;
    });

    await temporal.kill();
    await delay(1_000);
    await temporal.restart();
    // The worker may or may not survive its server vanishing; either way a worker must be there afterwards.
    if (w.worker.getState() !== 'RUNNING') {
      await w.close();
      w = await startWorker();
    }

    const result = await handle.result();
    assert.equal(result.status, 'VERIFIED');
    if (result.status !== 'VERIFIED') return;
    assert.equal(result.confirmation, progress.submission?.confirmation);
    const waited = Date.parse(result.verifiedAt) - Date.parse(result.submittedAt);
    assert.ok(waited >= 8_000, `the timer was honoured, not lost or skipped (${waited} ms)`);
    assert.equal(await postAttemptsFor(portal.url, recordId), 1);
  } finally {
    await w.close();
    await connection.close();
  }
});
