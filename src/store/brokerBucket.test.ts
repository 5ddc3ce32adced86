/**
 * The rolling-window bucket on a real Postgres, with a scaled window (5 per second) so it runs in seconds:
 * callers from separate pools (as from separate workers) queue for slots, and real HTTP calls made at those
 * slots never exceed the simulator's rolling limit.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, test } from 'node:test';
import { loadConfig } from '../config';
import { maxInAnyWindow } from '../deterministic/rollingWindow';
import { startEnrichmentSimulator } from '../simulators/enrichment';
import { createRollingBucket, isBrokerError, type ApiLimit } from './brokerBucket';
import { getBrokerStats } from './brokerStats';
import { createPool, type Db } from './db';
import { migrate } from './migrate';

const schema = `t_${randomBytes(6).toString('hex')}`;
const config = loadConfig({ ...process.env, DATABASE_SCHEMA: schema });
let pools: Db[];

before(async () => {
  pools = [createPool(config.database), createPool(config.database), createPool(config.database)];
  await migrate(pools[0]!, schema);
});
after(async () => {
  await pools[0]!.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`).catch(() => undefined);
  await Promise.all(pools.map((p) => p.end()));
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

test('callers on three pools queue for slots; real calls at the slots never exceed 5 per rolling second', async () => {
  const sim = await startEnrichmentSimulator({ limit: 5, windowMs: 1000 });
  try {
    // Margin: the scaled twin of production's 1 s per minute would be 17 ms, below a cold fetch's first
    // connection (~90 ms seen here), so the test uses 150 ms.
    const limit: ApiLimit = { limit: 5, windowMs: 1000, marginMs: 150 };
    const started = Date.now();
    const results = await Promise.all(
      Array.from({ length: 24 }, async (_, i) => {
        const bucket = createRollingBucket(pools[i % 3]!);
        const ticket = await bucket.reserve('sim', limit, { workflowId: `wf-${i % 4}` });
        await sleep(ticket.waitMs);
        const res = await fetch(`${sim.url}/enrich?sku=SKU-${i}`);
        await bucket.complete(ticket.id, { outcome: res.status === 200 ? 'ok' : 'rate-limited', httpStatus: res.status });
        return { ticket, status: res.status };
      }),
    );
    const elapsed = Date.now() - started;
    assert.deepEqual(results.map((r) => r.status).filter((s) => s !== 200), [], 'no call was refused');
    assert.ok(sim.maxInAnyWindow(1000) <= 5, `simulator saw ${sim.maxInAnyWindow(1000)} in one window`);
    // The slots themselves: bursts of 5, one window + margin apart; the first burst did not wait.
    const slots = results.map((r) => r.ticket.slotAt.getTime());
    assert.equal(maxInAnyWindow(slots, 1000), 5);
    assert.equal(results.filter((r) => r.ticket.queuedMs < 50).length, 5);
    // Ideal: 24 calls = 5 bursts, the last at 4 windows (+ margins) → ≈ 4.6 s; allow scheduling slack.
    assert.ok(elapsed >= 4000 && elapsed < 6000, `took ${elapsed} ms`);

    const [stats] = await getBrokerStats(pools[0]!, { api: 'sim', sinceMinutes: 5 });
    assert.ok(stats);
    assert.equal(stats.calls.total, 24);
    assert.equal(stats.calls.ok, 24);
    assert.equal(stats.calls.rateLimited, 0);
    assert.equal(stats.maxInAnyWindow, 5);
    assert.deepEqual(stats.limit && { perWindow: stats.limit.perWindow, windowMs: stats.limit.windowMs }, { perWindow: 5, windowMs: 1000 });
    assert.ok(stats.queuedMs.max >= 4000 && stats.queuedMs.max < 5500, `max queued ${stats.queuedMs.max}`);
    assert.equal(stats.perMinute.reduce((n, m) => n + m.admitted, 0), 24);
  } finally {
    await sim.close();
  }
});

test('a 429 pauses the API for every caller until its Retry-After', async () => {
  const bucket = createRollingBucket(pools[1]!);
  const limit: ApiLimit = { limit: 100, windowMs: 60_000, marginMs: 0 };
  const first = await bucket.reserve('paused', limit);
  assert.ok(first.waitMs < 50);
  await bucket.complete(first.id, { outcome: 'rate-limited', httpStatus: 429, retryAfterMs: 700 });
  await bucket.pause('paused', 700);
  const next = await createRollingBucket(pools[2]!).reserve('paused', limit);
  assert.ok(next.waitMs > 550 && next.waitMs <= 700, `waited ${next.waitMs}`);
  const [stats] = await getBrokerStats(pools[0]!, { api: 'paused' });
  assert.equal(stats?.calls.rateLimited, 1);
  assert.equal(stats?.rateLimitedRatio, 1);
  assert.ok(stats?.limit?.pausedUntil, 'status shows the pause');
});

test('calls made with the broker off are still recorded, and an invalid limit is a BrokerError', async () => {
  const bucket = createRollingBucket(pools[0]!);
  const t = await bucket.recordUnlimited('unlimited', { workflowId: 'w' });
  assert.equal(t.limiter, 'off');
  assert.equal(t.waitMs, 0);
  const [stats] = await getBrokerStats(pools[0]!, { api: 'unlimited' });
  assert.equal(stats?.calls.pending, 1);
  assert.equal(stats?.limit, undefined);
  await assert.rejects(bucket.reserve('x', { limit: 0, windowMs: 1000, marginMs: 0 }), (e: unknown) => isBrokerError(e));
});
