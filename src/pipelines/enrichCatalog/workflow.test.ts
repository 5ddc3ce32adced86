/**
 * enrichCatalog and its retry discipline on real servers, with scaled windows (seconds, not minutes):
 * the broker on with two workers (no 429s), the broker off (429s honoured with Retry-After + jitter), and a
 * call whose retry budget runs out, which escalates that SKU to a person, who skips it or rejects the run.
 */
import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, test } from 'node:test';
import { NativeConnection, type Worker } from '@temporalio/worker';
import { temporalConnectionOptions } from '../../client/connection';
import { attributesForSku } from '../../simulators/enrichmentAttributes';
import { startEnrichmentSimulator, type EnrichmentSimulator } from '../../simulators/enrichment';
import { searchAttribute, startTestStack, type TestStack } from '../testKit';
import { Failure, failureDetails, isFailure } from '../../failures';
import { recordHistory } from '../../devstack/histories';
import { createApiWorkers } from '../../workers/apiWorkers';
import { loadReferenceConfig, type ReferenceConfig } from '../config';
import { enrichmentApi, type EnrichmentApiOptions } from './apiWorker';
import { enrichCatalog } from './workflow';
import { escalationQuery, resolveUpdate } from '../../contracts/messages';

let sim: EnrichmentSimulator;
let stack: TestStack;
let workflowWorker: Worker;
let workerRun: Promise<void>;

before(async () => {
  sim = await startEnrichmentSimulator({ limit: 4, windowMs: 1500 });
  stack = await startTestStack({ env: { ENRICHMENT_URL: sim.url } });
  workflowWorker = await stack.createWorker();
  workerRun = workflowWorker.run();
});
after(async () => {
  workflowWorker?.shutdown();
  await workerRun?.catch(() => undefined);
  await stack?.teardown();
  await sim?.close();
});

/**
 * API workers in this process. Two Worker instances on one task queue need a connection each: the SDK
 * refuses a second worker for the same queue on the same connection (runtime slot key).
 */
async function withApiWorkers<T>(count: number, o: Omit<EnrichmentApiOptions, 'db' | 'reference'> & { taskQueue?: string }, fn: () => Promise<T>, reference: ReferenceConfig = loadReferenceConfig(stack.settings)): Promise<T> {
  const connections = await Promise.all(Array.from({ length: count }, () => NativeConnection.connect(temporalConnectionOptions(stack.config))));
  const workers: Worker[] = [];
  try {
    for (const connection of connections) {
      workers.push(...(await createApiWorkers({ config: stack.config, connection, taskQueue: o.taskQueue, apis: [enrichmentApi({ ...o, db: stack.db, reference })] })));
    }
    const runs = workers.map((w) => w.run());
    try {
      return await fn();
    } finally {
      for (const w of workers) w.shutdown();
      await Promise.all(runs);
    }
  } finally {
    await Promise.all(connections.map((c) => c.close().catch(() => undefined)));
  }
}

const skus = (prefix: string, n: number) => Array.from({ length: n }, (_, i) => `${prefix}-${i}`);

test('broker on, two workers: 3 workflows × 5 calls never exceed 4 per rolling 1.5 s and get no 429', async () => {
  // The margin absorbs the time between a caller's slot and its request reaching the API; on a loaded
  // 2-core CI machine that can exceed 150 ms, so the scaled-down window keeps a third of it (production: 1 s of 60 s).
  sim.reset();
  const results = await withApiWorkers(2, { limit: { windowMs: 1500, marginMs: 500, limit: 4 } }, () =>
    Promise.all(
      [0, 1, 2].map((w) =>
        stack.env.client.workflow.execute(enrichCatalog, { taskQueue: stack.taskQueue, workflowId: `on-${w}-${stack.schema}`, args: [{ skus: skus(`ON${w}`, 5) }] }),
      ),
    ),
  );
  assert.deepEqual(results.map((r) => r.enriched.length), [5, 5, 5]);
  assert.deepEqual(results[0]?.enriched[0]?.attributes, attributesForSku('ON0-0'));
  assert.equal(sim.stats().rateLimited, 0);
  assert.ok(sim.maxInAnyWindow(1500) <= 4, `max ${sim.maxInAnyWindow(1500)}`);
  assert.ok(results.some((r) => r.maxQueuedMs > 1000), 'callers queued instead of failing');
  assert.equal(results.reduce((n, r) => n + r.attempts, 0), 15, 'no call needed a retry');
});

test('broker off: 429s are retried no earlier than Retry-After, with jitter, and every call completes', async () => {
  sim.reset();
  const result = await withApiWorkers(1, { limiter: 'off', enrichment: { backoff: { baseMs: 100, capMs: 400 } } }, () =>
    stack.env.client.workflow.execute(enrichCatalog, { taskQueue: stack.taskQueue, workflowId: `off-${stack.schema}`, args: [{ skus: skus('OFF', 10), retryBudget: 10 }] }),
  );
  assert.equal(result.enriched.length, 10);
  const log = sim.log();
  const refused = log.filter((e) => e.status === 429);
  assert.ok(refused.length >= 6, `expected a burst of 429s, got ${refused.length}`);
  for (const r of refused) {
    const next = log.find((e) => e.sku === r.sku && e.seq > r.seq);
    assert.ok(next, `${r.sku} was retried`);
    assert.ok(next.timeMs - r.timeMs >= (r.retryAfterSeconds ?? 0) * 1000, `${r.sku} retried after ${next.timeMs - r.timeMs} ms, Retry-After ${r.retryAfterSeconds} s`);
  }
  // Jitter: the retries of calls refused together do not arrive together.
  const retryGaps = refused.map((r) => log.find((e) => e.sku === r.sku && e.seq > r.seq)!.timeMs - r.timeMs);
  assert.ok(new Set(retryGaps.map((g) => Math.round(g / 20))).size > 1, `retry gaps ${retryGaps.join(',')}`);
});

test('a call whose retry budget runs out escalates its SKU; a bad response escalates at once; approve skips them', async () => {
  // A real HTTP server that misbehaves: 500 for one SKU, a response of the wrong shape for another.
  let calls500 = 0;
  const bad = http.createServer((req, res) => {
    const sku = new URL(req.url ?? '/', 'http://x').searchParams.get('sku') ?? '';
    if (sku === 'BROKEN') {
      calls500 += 1;
      res.writeHead(500).end('{"error":"boom"}');
    } else if (sku === 'MANGLED') res.writeHead(200, { 'content-type': 'application/json' }).end('{"sku":"MANGLED","attributes":{"color":7}}');
    else res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ sku, attributes: attributesForSku(sku) }));
  });
  await new Promise<void>((r) => bad.listen(0, '127.0.0.1', r));
  const badUrl = `http://127.0.0.1:${(bad.address() as AddressInfo).port}`;
  try {
    const reference = { ...loadReferenceConfig(stack.settings), enrichmentUrl: badUrl };
    await withApiWorkers(
      1,
      { taskQueue: 'misbehaving', enrichment: { backoff: { baseMs: 50, capMs: 100 } } },
      async () => {
        const handle = await stack.env.client.workflow.start(enrichCatalog, {
          taskQueue: stack.taskQueue,
          workflowId: `budget-${stack.schema}`,
          args: [{ skus: ['GOOD-1', 'BROKEN', 'MANGLED'], retryBudget: 3, apiTaskQueue: 'misbehaving-api-enrichment', concurrency: 1 }],
        });
        const seen: string[] = [];
        for (const expected of ['BROKEN', 'MANGLED']) {
          const open = await waitFor(async () => (await handle.query(escalationQuery)).open);
          assert.equal(open.kind, 'enrichment-failed');
          assert.equal(open.step, `enrich:${expected}`);
          seen.push(String(open.details?.type));
          await handle.executeUpdate(resolveUpdate, { args: [{ decision: 'approve', by: 'test', reason: 'skip it' }] });
        }
        assert.deepEqual(seen, ['BW_RETRY_BUDGET_EXHAUSTED', 'BW_ENRICHMENT_BAD_RESPONSE']);
        const result = await handle.result();
        await recordHistory(handle, 'enrichCatalog-budget-escalated', stack.env.address);
        assert.deepEqual(result.enriched.map((e) => e.sku), ['GOOD-1']);
        assert.deepEqual(result.skipped, ['BROKEN', 'MANGLED']);
      },
      reference,
    );
    assert.equal(calls500, 3, 'exactly the budget of 3 attempts');
  } finally {
    await new Promise((r) => bad.close(r));
  }
});

test("a person's reject of an escalated SKU ends the run as a human rejection: BW_REJECTED_BY_HUMAN, BreakwaterStatus Rejected", async () => {
  // An API that answers every SKU with a response of the wrong shape: the first call escalates at once.
  const bad = http.createServer((req, res) => {
    const sku = new URL(req.url ?? '/', 'http://x').searchParams.get('sku') ?? '';
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ sku, attributes: { color: 7 } }));
  });
  await new Promise<void>((r) => bad.listen(0, '127.0.0.1', r));
  try {
    const reference = { ...loadReferenceConfig(stack.settings), enrichmentUrl: `http://127.0.0.1:${(bad.address() as AddressInfo).port}` };
    await withApiWorkers(
      1,
      { taskQueue: 'rejecting' },
      async () => {
        const handle = await stack.env.client.workflow.start(enrichCatalog, {
          taskQueue: stack.taskQueue,
          workflowId: `rejected-${stack.schema}`,
          args: [{ skus: ['MANGLED-1', 'MANGLED-2'], apiTaskQueue: 'rejecting-api-enrichment', concurrency: 1 }],
        });
        const open = await waitFor(async () => (await handle.query(escalationQuery)).open);
        assert.equal(open.step, 'enrich:MANGLED-1');
        assert.equal(open.details?.type, 'BW_ENRICHMENT_BAD_RESPONSE');
        await handle.executeUpdate(resolveUpdate, { args: [{ decision: 'reject', by: 'test', reason: 'the catalog feed is broken' }] });
        await assert.rejects(handle.result(), (e: unknown) => {
          assert.ok(isFailure(e, Failure.HumanRejected), `a human rejection, got ${String(e)} (cause ${String((e as Error).cause)})`);
          assert.deepEqual(failureDetails(e, Failure.HumanRejected), { step: 'enrich MANGLED-1', decision: 'reject', by: 'test', reason: 'the catalog feed is broken' });
          return true;
        });
        assert.equal(await searchAttribute(handle, 'BreakwaterStatus'), 'Rejected');
      },
      reference,
    );
  } finally {
    await new Promise((r) => bad.close(r));
  }
});

test('invalid input is refused non-retryably before any call', async () => {
  await assert.rejects(
    stack.env.client.workflow.execute(enrichCatalog, { taskQueue: stack.taskQueue, workflowId: `invalid-${stack.schema}`, args: [{ skus: [] }] }),
    (e: Error) => /BW_INVALID_INPUT|skus/.test(`${e.message} ${(e.cause as Error | undefined)?.message}`) && (e.cause as { type?: string } | undefined)?.type === 'BW_INVALID_INPUT',
  );
});

async function waitFor<T>(probe: () => Promise<T | undefined>, timeoutMs = 20_000): Promise<T> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > until) throw new Error('timed out waiting');
    await new Promise((r) => setTimeout(r, 200));
  }
}
