/** `breakwater broker status` end to end: the real CLI binary reading a real ledger in Postgres. */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { createRollingBucket } from '../../store/brokerBucket';
import type { ApiBrokerStats } from '../../store/brokerStats';
import { loadConfig } from '../../config';
import { createPool, type Db } from '../../store/db';
import { migrate } from '../../store/migrate';

const schema = `t_${randomBytes(6).toString('hex')}`;
const config = loadConfig({ ...process.env, DATABASE_SCHEMA: schema });
let db: Db;

before(async () => {
  db = createPool(config.database);
  await migrate(db, schema);
  const bucket = createRollingBucket(db);
  const limit = { limit: 3, windowMs: 60_000, marginMs: 0 };
  for (let i = 0; i < 4; i += 1) {
    const t = await bucket.reserve('enrichment', limit, { workflowId: 'w1' });
    if (t.waitMs === 0) await bucket.complete(t.id, { outcome: i === 2 ? 'rate-limited' : 'ok', httpStatus: i === 2 ? 429 : 200 });
  }
});
after(async () => {
  await db.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`).catch(() => undefined);
  await db.end();
});

function cli(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const bin = path.resolve(__dirname, '..', 'cli.js');
  return new Promise((resolve) => {
    execFile(process.execPath, [bin, ...args], { env: { ...process.env, DATABASE_URL: config.database.url, DATABASE_SCHEMA: schema } }, (error, stdout, stderr) =>
      resolve({ code: error ? (typeof error.code === 'number' ? error.code : 1) : 0, stdout, stderr }),
    );
  });
}

test('broker status --json reports admitted, queued and 429 figures per API', async () => {
  const { code, stdout, stderr } = await cli(['broker', 'status', '--json']);
  assert.equal(code, 0, stderr);
  const doc = JSON.parse(stdout) as { ok: boolean; apis: ApiBrokerStats[] };
  assert.equal(doc.ok, true);
  const [e] = doc.apis;
  assert.equal(e?.api, 'enrichment');
  assert.deepEqual(e?.calls, { total: 4, ok: 2, rateLimited: 1, errors: 0, pending: 1 });
  assert.equal(e?.limit?.perWindow, 3);
  assert.equal(e?.admittedInCurrentWindow, 3, 'the 4th call is queued a window ahead');
  assert.ok((e?.queuedMs.max ?? 0) >= 59_000, 'the 4th call queued for about a window');
  assert.equal(e?.perMinute.reduce((n, m) => n + m.admitted, 0), 4);
});

test('broker status prints a table for people, and rejects bad --minutes with exit 2', async () => {
  const text = await cli(['broker', 'status', '--api', 'enrichment']);
  assert.equal(text.code, 0, text.stderr);
  assert.match(text.stdout, /enrichment: limit 3 per 60 s/);
  assert.match(text.stdout, /1 × 429/);
  const bad = await cli(['broker', 'status', '--minutes', 'soon']);
  assert.equal(bad.code, 2);
  assert.match(bad.stderr, /--minutes/);
});
