/**
 * Issue 6's "done when", on real servers at the real figures: 8 workflows × 20 enrichment calls started
 * within 3 s, against a simulator allowing 100 requests per rolling 60 s, with the enrichment calls served
 * by TWO separate worker processes holding the same limit. Takes ~70 s by design (the window is a minute).
 *
 * Ideal: 160 calls under "100 per rolling minute" cannot finish before the 101st request, which may go
 * out one window after the first: 60 s (the first 100 in a burst, the last 60 a window later). The steady
 * 100/min figure, 96 s, is the weaker bound; the test holds total time to 1.25 × 60 s = 75 s.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { Worker } from '@temporalio/worker';
import { getBrokerStats } from '../../store/brokerStats';
import { startEnrichmentSimulator, type EnrichmentSimulator } from '../../simulators/enrichment';
import { runBrokerLoad, spawnBrokerWorker, type BrokerWorkerProcess } from './load';
import { startTestStack, type TestStack } from '../testKit';

let sim: EnrichmentSimulator;
let stack: TestStack;
let workflowWorker: Worker;
let workerRun: Promise<void>;
let apiWorkers: BrokerWorkerProcess[] = [];

before(async () => {
  sim = await startEnrichmentSimulator({ limit: 100, windowMs: 60_000 });
  stack = await startTestStack({ env: { ENRICHMENT_URL: sim.url, ENRICHMENT_RATE_LIMIT_PER_MINUTE: '100' } });
  workflowWorker = await stack.createWorker();
  workerRun = workflowWorker.run();
  apiWorkers = await Promise.all([spawnBrokerWorker(stack, 'rolling-window'), spawnBrokerWorker(stack, 'rolling-window')]);
});

after(async () => {
  await Promise.all(apiWorkers.map((w) => w.stop()));
  workflowWorker?.shutdown();
  await workerRun?.catch(() => undefined);
  await stack?.teardown();
  await sim?.close();
});

test('8 workflows × 20 calls through two broker worker processes: ≤ 100 per rolling minute, no 429s, ≤ 1.25 × ideal', async () => {
  const figures = await runBrokerLoad({ client: stack.env.client, taskQueue: stack.taskQueue, simulator: sim, workflows: 8, callsPerWorkflow: 20, startSpreadMs: 3000 });
  const { results, ...summary } = figures;
  console.log(`broker load figures: ${JSON.stringify(summary)}`);

  // Every workflow completes, each SKU enriched once.
  assert.equal(results.length, 8);
  for (const r of results) {
    assert.equal(r.enriched.length, 20);
    assert.deepEqual(r.skipped, []);
  }
  // Both worker processes served calls (the limit is shared, not merely held by one worker).
  const { rows } = await stack.db.query<{ worker: string; calls: string }>(`SELECT worker, count(*)::text AS calls FROM broker_calls GROUP BY worker`);
  assert.equal(rows.length, 2, `calls by worker: ${JSON.stringify(rows)}`);
  assert.ok(rows.every((r) => Number(r.calls) >= 20), `calls by worker: ${JSON.stringify(rows)}`);
  // The provider's view: never more than 100 in any rolling 60 s, refused requests included.
  assert.ok(figures.maxReceivedInWindow <= 100, `max in a window: ${figures.maxReceivedInWindow}`);
  assert.ok(figures.rateLimitedPct <= 2, `429s: ${figures.rateLimited} (${figures.rateLimitedPct.toFixed(1)} %)`);
  assert.equal(figures.requests, 160 + figures.rateLimited);
  // Time: the ideal is 60 s (see the file comment); allow 1.25×.
  assert.equal(figures.idealMs, 60_000);
  assert.ok(figures.durationMs <= 1.25 * figures.idealMs, `took ${figures.durationMs} ms`);

  // The broker's own figures agree with the provider's.
  const [enrichment] = await getBrokerStats(stack.db, { api: 'enrichment', sinceMinutes: 10 });
  assert.ok(enrichment);
  assert.equal(enrichment.calls.ok, 160);
  assert.ok(enrichment.maxInAnyWindow <= 100);
  assert.ok(enrichment.queuedMs.max >= 55_000, `the last calls queued ~1 window: ${enrichment.queuedMs.max} ms`);
});
