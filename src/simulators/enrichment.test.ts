import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { setTimeout as delay } from 'node:timers/promises';
import { startEnrichmentSimulator, type EnrichmentSimulatorOptions, type EnrichmentResponse } from './enrichment';

async function start(t: TestContext, options: EnrichmentSimulatorOptions = {}) {
  const sim = await startEnrichmentSimulator(options);
  t.after(() => sim.close());
  return sim;
}

const enrich = (url: string, sku: string) => fetch(`${url}/enrich?sku=${encodeURIComponent(sku)}`);

test('returns deterministic attributes for a sku', async (t) => {
  const sim = await start(t);
  const first = await enrich(sim.url, 'SKU-123');
  assert.equal(first.status, 200);
  const a = (await first.json()) as EnrichmentResponse;
  const b = (await (await enrich(sim.url, 'SKU-123')).json()) as EnrichmentResponse;
  const other = (await (await enrich(sim.url, 'SKU-999')).json()) as EnrichmentResponse;
  assert.equal(a.sku, 'SKU-123');
  assert.deepEqual(a, b);
  assert.notDeepEqual(a.attributes, other.attributes);
  assert.equal(typeof a.attributes.category, 'string');
  assert.ok(a.attributes.weightGrams > 0);
  // Stable across simulator instances too (no per-process state).
  const sim2 = await start(t);
  assert.deepEqual((await (await enrich(sim2.url, 'SKU-123')).json()) as EnrichmentResponse, a);
});

test('the request over the window limit gets 429 with Retry-After, and is admitted after the window', async (t) => {
  const sim = await start(t, { limit: 5, windowMs: 1000 });
  for (let i = 0; i < 5; i += 1) {
    const res = await enrich(sim.url, `sku-${i}`);
    assert.equal(res.status, 200, `request ${i + 1}`);
    await res.body?.cancel();
  }
  const sixth = await enrich(sim.url, 'sku-5');
  assert.equal(sixth.status, 429);
  const retryAfter = Number(sixth.headers.get('retry-after'));
  assert.ok(Number.isInteger(retryAfter) && retryAfter >= 1, `retry-after ${retryAfter}`);
  assert.equal(((await sixth.json()) as { error: string }).error, 'rate_limited');

  await delay(1050);
  const later = await enrich(sim.url, 'sku-5');
  assert.equal(later.status, 200);
  await later.body?.cancel();

  const outcomes = sim.log().map((e) => e.outcome);
  assert.deepEqual(outcomes, ['ok', 'ok', 'ok', 'ok', 'ok', 'rate-limited', 'ok']);
  assert.equal(sim.log()[5]?.status, 429);
  assert.deepEqual(sim.stats(), { requests: 7, ok: 6, rateLimited: 1, badRequests: 0 });
  assert.equal(sim.maxInAnyWindow(), 5);
  assert.equal(sim.maxInAnyWindow(60_000), 6);
});

test('a concurrent burst admits exactly the limit', async (t) => {
  const sim = await start(t, { limit: 5, windowMs: 5000 });
  const responses = await Promise.all(Array.from({ length: 20 }, (_, i) => enrich(sim.url, `burst-${i}`)));
  const statuses = responses.map((r) => r.status);
  await Promise.all(responses.map((r) => r.body?.cancel()));
  assert.equal(statuses.filter((s) => s === 200).length, 5);
  assert.equal(statuses.filter((s) => s === 429).length, 15);
  assert.equal(sim.maxInAnyWindow(), 5);
  assert.equal(sim.stats().rateLimited, 15);
});

test('a missing sku is a 400 that uses no quota', async (t) => {
  const sim = await start(t, { limit: 1, windowMs: 5000 });
  const bad = await fetch(`${sim.url}/enrich`);
  assert.equal(bad.status, 400);
  assert.equal(((await bad.json()) as { error: string }).error, 'bad_request');
  assert.equal((await enrich(sim.url, 'x')).status, 200);
  assert.equal(sim.stats().badRequests, 1);
});

test('admin endpoints expose the log, stats and live config', async (t) => {
  const sim = await start(t, { limit: 1, windowMs: 60_000 });
  await (await enrich(sim.url, 'a')).body?.cancel();
  await (await enrich(sim.url, 'b')).body?.cancel();
  const log = (await (await fetch(`${sim.url}/_admin/log`)).json()) as {
    entries: Array<{ sku: string; outcome: string; status: number; time: string }>;
  };
  assert.deepEqual(
    log.entries.map((e) => [e.sku, e.outcome, e.status]),
    [
      ['a', 'ok', 200],
      ['b', 'rate-limited', 429],
    ],
  );
  const stats = (await (await fetch(`${sim.url}/_admin/stats`)).json()) as { stats: { ok: number }; maxInAnyWindow: number };
  assert.equal(stats.stats.ok, 1);
  assert.equal(stats.maxInAnyWindow, 1);

  const raised = await fetch(`${sim.url}/_admin/config`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ limit: 10 }),
  });
  assert.equal(raised.status, 200);
  assert.equal((await enrich(sim.url, 'c')).status, 200);
  const invalid = await fetch(`${sim.url}/_admin/config`, { method: 'POST', body: '{"limit":0}' });
  assert.equal(invalid.status, 400);
  assert.equal(sim.config().limit, 10);

  assert.equal((await fetch(`${sim.url}/_admin/reset`, { method: 'POST' })).status, 200);
  assert.deepEqual(sim.log(), []);
});

test('latencyMs delays admitted responses', async (t) => {
  const sim = await start(t, { latencyMs: 150 });
  const startedAt = Date.now();
  assert.equal((await enrich(sim.url, 'slow')).status, 200);
  assert.ok(Date.now() - startedAt >= 140);
});
