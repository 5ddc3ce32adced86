/**
 * A user's own pipeline on a Breakwater worker, against a real dev server and Postgres: the user's
 * workflows bundled with Breakwater's (interceptors included), their activities and effect registered, the
 * final BreakwaterStatus of every run, the effect primitive with fields of the user's choosing, and the
 * broker serving two APIs with limits from config.
 */
import assert from 'node:assert/strict';
import path from 'node:path';
import v8 from 'node:v8';
import { after, before, test } from 'node:test';
import type { WorkflowHandle } from '@temporalio/client';
import type { Workflow } from '@temporalio/common';
import { isBreakerOpenError, createCircuitBreakerStore } from '../store/circuitBreakers';
import { apiRateLimited, createApiBroker } from '../activities/broker/apiBroker';
import { apiLimitFor } from '../config';
import { escalationQuery, resolveUpdate } from '../contracts/messages';
import { doctor } from '../workflows/doctor';
import { startEnrichmentSimulator, type EnrichmentSimulator } from '../simulators/enrichment';
import { startPortalSimulator, type PortalSimulator } from '../simulators/portal';
import { startTestStack, type TestStack } from '../testing/harness';
import { waitFor } from '../testing/waitFor';
import { createApiWorkers } from './apiWorkers';
import { defaultMaxCachedWorkflows } from './workflowCache';
import { shopEffect } from './fixtures/shop';
import type * as userWorkflows from './fixtures/userWorkflows';

const workflowsPath = path.join(__dirname, 'fixtures', 'userWorkflows.js');

let stack: TestStack;
let shop: PortalSimulator;
let prices: EnrichmentSimulator;
let stock: EnrichmentSimulator;

before(async () => {
  shop = await startPortalSimulator({ lagMs: 0 });
  prices = await startEnrichmentSimulator({ limit: 3, windowMs: 1000 });
  stock = await startEnrichmentSimulator({ limit: 5, windowMs: 1000 });
  stack = await startTestStack({
    env: { BREAKWATER_API_LIMITS: 'prices=3/1s,stock=5/1s' },
    worker: () => ({ workflowsPath, effects: [shopEffect(shop.url)], activities: { shout: async (s: string) => s.toUpperCase() } }),
  });
  await stack.startWorker();
  // Two rate-limited APIs, each with its broker (limit from BREAKWATER_API_LIMITS) on its own queue.
  const fetchJson = async (url: string) => {
    const res = await fetch(url);
    if (res.status === 429) throw apiRateLimited({ message: 'API answered 429', delayMs: 1000, retryAfterMs: Number(res.headers.get('retry-after') ?? 1) * 1000 });
    return (await res.json()) as { attributes: { weightGrams: number } };
  };
  const limit = (api: string) => ({ ...apiLimitFor(stack.config, api), marginMs: 300 });
  const priceBroker = createApiBroker({ db: stack.db, api: 'prices', limit: limit('prices') });
  const stockBroker = createApiBroker({ db: stack.db, api: 'stock', limit: limit('stock') });
  const apiWorkers = await createApiWorkers({
    config: stack.config,
    connection: stack.env.nativeConnection,
    taskQueue: stack.taskQueue,
    apis: [
      { api: 'prices', activities: { quote: priceBroker.activity(async (_call, sku: string) => (await fetchJson(`${prices.url}/enrich?sku=${sku}`)).attributes.weightGrams) } },
      { api: 'stock', activities: { stock: stockBroker.activity(async (_call, sku: string) => (await fetchJson(`${stock.url}/enrich?sku=${sku}`)).attributes.weightGrams % 7) } },
    ],
  });
  apiWorkers.forEach((w) => stack.runUntilTeardown(w));
});
after(async () => {
  await stack?.teardown();
  await Promise.all([shop?.close(), prices?.close(), stock?.close()]);
});

const start = <F extends Workflow>(name: string, args: Parameters<F>, id: string) =>
  stack.env.client.workflow.start(name, { taskQueue: stack.taskQueue, workflowId: `${id}-${stack.schema}`, args: args as unknown[] }) as Promise<WorkflowHandle<F>>;
const statusOf = async (h: WorkflowHandle) => (await h.describe()).searchAttributes.BreakwaterStatus?.[0];

test("the user's workflows and Breakwater's run on one worker; user activities are registered", async () => {
  const greet = await start<typeof userWorkflows.greet>('greet', ['ada'], 'greet');
  assert.equal(await greet.result(), 'hello ada');
  assert.equal(await (await start<typeof userWorkflows.loud>('loud', ['hi'], 'loud')).result(), 'HI');
  const report = await stack.env.client.workflow.execute(doctor, { taskQueue: stack.taskQueue, workflowId: `doctor-${stack.schema}` });
  assert.equal(report.schema, stack.schema);
});

test('every run ends with a final BreakwaterStatus: Completed, Rejected or Failed', async () => {
  const ok = await start<typeof userWorkflows.greet>('greet', ['bob'], 'status-ok');
  await ok.result();
  const rejected = await start<typeof userWorkflows.approveOrReject>('approveOrReject', [], 'status-rejected');
  await waitFor('the escalation', async () => (await rejected.query(escalationQuery)).open);
  await rejected.executeUpdate(resolveUpdate, { args: [{ decision: 'reject', by: 'carol' }] });
  await assert.rejects(rejected.result());
  const failed = await start<typeof userWorkflows.alwaysFails>('alwaysFails', [], 'status-failed');
  await assert.rejects(failed.result());
  assert.deepEqual(await Promise.all([ok, rejected, failed].map(statusOf)), ['Completed', 'Rejected', 'Failed']);
});

test('the effect primitive with the user’s fingerprint fields: two runs, one POST, both VERIFIED', async () => {
  shop.configure({ mode: 'normal' });
  const input = { sku: 'SKU-1', channel: 'web', title: 'Blue mug' };
  const [a, b] = await Promise.all([start<typeof userWorkflows.publishProduct>('publishProduct', [input], 'pub-a'), start<typeof userWorkflows.publishProduct>('publishProduct', [input], 'pub-b')]);
  const [ra, rb] = await Promise.all([a.result(), b.result()]);
  assert.deepEqual([ra.status, rb.status], ['VERIFIED', 'VERIFIED']);
  assert.equal(ra.confirmation, rb.confirmation);
  assert.equal(shop.log().filter((e) => e.method === 'POST' && e.recordId === 'SKU-1').length, 1, 'one POST for one fingerprint');
  // Another channel is another fingerprint: it is published too.
  const other = await (await start<typeof userWorkflows.publishProduct>('publishProduct', [{ ...input, channel: 'app' }], 'pub-c')).result();
  assert.equal(other.status, 'VERIFIED');
  assert.notEqual(other.fingerprint, ra.fingerprint);
});

test("a failing shop opens the user's breaker after 2 attempts; a clear resumes the waiting run", async () => {
  shop.configure({ mode: 'failing' });
  const h = await start<typeof userWorkflows.publishProduct>('publishProduct', [{ sku: 'SKU-9', channel: 'web', title: 'Red mug' }], 'pub-breaker');
  const open = await waitFor('the breaker-open escalation', async () => (await h.query(escalationQuery)).open, 30_000);
  assert.equal(open.kind, 'breaker-open');
  const breakers = createCircuitBreakerStore(stack.db);
  assert.equal((await breakers.get('user-publish', 'shop.publish')).state, 'open');
  assert.equal(shop.log().filter((e) => e.method === 'POST' && e.recordId === 'SKU-9').length, 2);
  shop.configure({ mode: 'normal' });
  await breakers.clear({ pipeline: 'user-publish', step: 'shop.publish', by: 'dana', reason: 'shop back' });
  const result = await h.result();
  assert.equal(result.status, 'VERIFIED');
  assert.equal(shop.log().filter((e) => e.method === 'POST' && e.recordId === 'SKU-9').length, 3);
  assert.ok(!isBreakerOpenError(result));
});

test('the broker serves two APIs, each held to its own limit from config, with no 429', async () => {
  prices.reset();
  stock.reset();
  const skus = Array.from({ length: 8 }, (_, i) => `Q-${i}`);
  const quotes = await (await start<typeof userWorkflows.quoteAll>('quoteAll', [skus], 'quotes')).result();
  assert.equal(quotes.length, 8);
  assert.equal(prices.stats().rateLimited + stock.stats().rateLimited, 0);
  assert.ok(prices.maxInAnyWindow(1000) <= 3, `prices: ${prices.maxInAnyWindow(1000)} in a second`);
  assert.ok(stock.maxInAnyWindow(1000) <= 5, `stock: ${stock.maxInAnyWindow(1000)} in a second`);
  const { rows } = await stack.db.query<{ api: string; n: number }>("SELECT api, count(*)::int AS n FROM broker_calls WHERE outcome = 'ok' GROUP BY api ORDER BY api");
  assert.deepEqual(rows, [{ api: 'prices', n: 8 }, { api: 'stock', n: 8 }]);
});

test("a Breakwater worker's workflow cache is sized from its heap at a Breakwater run's size; the user's choice wins", async () => {
  const sized = await stack.createWorker({ taskQueue: `cache-default-${stack.schema}` });
  const chosen = await stack.createWorker({ taskQueue: `cache-chosen-${stack.schema}`, workerOptions: { maxCachedWorkflows: 7 } });
  await Promise.all([sized.runUntil(Promise.resolve()), chosen.runUntil(Promise.resolve())]);
  assert.equal(sized.options.maxCachedWorkflows, defaultMaxCachedWorkflows());
  assert.ok(sized.options.maxCachedWorkflows < Math.floor(((v8.getHeapStatistics().heap_size_limit / 2 ** 20 - 200) * 600) / 1024), "below the SDK's default");
  assert.equal(chosen.options.maxCachedWorkflows, 7);
});
