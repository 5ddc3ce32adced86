/**
 * The shop pipeline end to end on this project's own worker (`createWorker`), against a real Temporal dev
 * server and Postgres (`startTestStack` from breakwater/testing), with stand-ins on loopback for what we do
 * not own: an OpenAI-compatible model, the supplier's rate-limited catalog, and the shop. Escalations and
 * breakers are answered with this project's installed `breakwater` CLI, as an operator would.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { promisify } from 'node:util';
import {
  searchAttribute,
  startEnrichmentSimulator,
  startLlmSimulator,
  startTestStack,
  waitForEscalation,
  type EnrichmentSimulator,
  type LlmSimulator,
  type TestStack,
} from 'breakwater/testing';
import { startListing } from './client';
import { PIPELINE, type Product } from './contract';
import { startShopServer, type ShopServer } from './shopServer';
import { createWorker, MODELS_FILE } from './worker';

let stack: TestStack;
let shop: ShopServer;
let catalog: EnrichmentSimulator;
let llm: LlmSimulator;

/** The classifier's scripted answer for one SKU (the simulator matches the SKU in the prompt). */
const classifies = (sku: string, category: string, confidence: number) => ({
  id: sku,
  match: { schemaName: 'productCategory', user: `"sku":"${sku}"` },
  responses: [{ json: { category, confidence, evidence: [`${sku}: the title`] } }],
});

before(async () => {
  shop = await startShopServer();
  catalog = await startEnrichmentSimulator({ limit: 5, windowMs: 1000 }); // the supplier's catalog: 5 requests a second
  llm = await startLlmSimulator({
    scenario: {
      rules: [classifies('MUG-1', 'kitchen', 0.95), classifies('ODD-7', 'toys', 0.55), classifies('LAMP-2', 'electronics', 0.9), classifies('RAKE-3', 'garden', 0.92)],
    },
  });
  stack = await startTestStack({
    env: { OPENAI_BASE_URL: `${llm.url}/v1`, BREAKWATER_MODELS_FILE: MODELS_FILE, BREAKWATER_API_LIMITS: 'catalog=5/1s' },
  });
  const workers = await createWorker({ config: stack.config, db: stack.db, connection: stack.env.nativeConnection, shopUrl: shop.url, catalogUrl: catalog.url });
  for (const worker of workers) stack.runUntilTeardown(worker);
});

after(async () => {
  await stack?.teardown();
  await Promise.all([shop?.close(), catalog?.close(), llm?.close()]);
});

const product = (sku: string, title: string): Product => ({ sku, title, description: `${title}, as the supplier describes it` });
const start = (p: Product, id: string) => startListing(stack.env.client, p, { taskQueue: stack.taskQueue, workflowId: `${id}-${stack.schema}` });

/** This project's installed CLI (node_modules/.bin/breakwater), pointed at the test's stack. */
async function breakwater(...args: string[]): Promise<string> {
  const cli = path.resolve(__dirname, '..', 'node_modules', '.bin', 'breakwater');
  const { stdout } = await promisify(execFile)(cli, args, { env: stack.settings });
  return stdout;
}

test('a confident classification completes: the catalog is called through the broker, the listing is VERIFIED', async () => {
  const run = await start(product('MUG-1', 'Blue mug'), 'confident');
  const result = await run.result();
  assert.equal(result.category, 'kitchen');
  assert.equal(result.decidedBy, 'confidence-gate');
  assert.equal(result.published.status, 'VERIFIED');
  assert.deepEqual(
    shop.listings('MUG-1').map((l) => [l.title, l.category]),
    [['Blue mug', 'kitchen']],
  );
  assert.equal(await searchAttribute(run, 'BreakwaterStatus'), 'Completed');
  // The broker's ledger: the catalog call took a slot and succeeded; the catalog never answered 429.
  const status = JSON.parse(await breakwater('broker', 'status', '--api', 'catalog', '--json')) as { apis: { api: string; calls: { ok: number } }[] };
  assert.equal(status.apis[0]?.calls.ok, 1);
  assert.equal(catalog.stats().rateLimited, 0);
});

test('a low-confidence classification waits for a person; `breakwater resolve` approves it and the run completes', async () => {
  const run = await start(product('ODD-7', 'Wooden thing'), 'unsure');
  const escalation = await waitForEscalation(run, 'low-confidence');
  assert.match(escalation.reason, /confidence 0\.55 is below the threshold 0\.8/);
  assert.equal(await searchAttribute(run, 'BreakwaterStatus'), 'AwaitingHuman');
  assert.equal(shop.posts('ODD-7').length, 0, 'nothing is published before a person decides');

  await breakwater('resolve', run.workflowId, '--decision', 'approve', '--by', 'ada', '--reason', 'it is a toy');
  const result = await run.result();
  assert.equal(result.decidedBy, 'ada');
  assert.equal(result.category, 'toys');
  assert.equal(result.published.status, 'VERIFIED');
  assert.equal(await searchAttribute(run, 'BreakwaterStatus'), 'Completed');
});

test('the same product published by two runs: the shop receives one POST, both runs are VERIFIED', async () => {
  const [a, b] = await Promise.all([start(product('LAMP-2', 'Desk lamp'), 'twice-a'), start(product('LAMP-2', 'Desk lamp'), 'twice-b')]);
  const [ra, rb] = await Promise.all([a.result(), b.result()]);
  assert.deepEqual([ra.published.status, rb.published.status], ['VERIFIED', 'VERIFIED']);
  if (ra.published.status !== 'VERIFIED' || rb.published.status !== 'VERIFIED') return;
  assert.equal(ra.published.confirmation, rb.published.confirmation, 'both runs report the one listing');
  assert.equal(shop.posts('LAMP-2').length, 1, 'one POST for one SKU');
  assert.equal(shop.listings('LAMP-2').length, 1);
});

test('a failing shop opens the breaker after 2 attempts; `breakwater breaker clear` resumes the run, VERIFIED', async () => {
  shop.setFailing(true);
  const run = await start(product('RAKE-3', 'Garden rake'), 'breaker');
  const escalation = await waitForEscalation(run, 'breaker-open');
  assert.match(escalation.reason, /2 consecutive failures of publish/);
  assert.equal(shop.posts('RAKE-3').length, 2, 'two attempts, then nobody calls the shop');

  shop.setFailing(false);
  await breakwater('breaker', 'clear', PIPELINE, 'publish', '--by', 'dana', '--reason', 'shop is back');
  const result = await run.result();
  assert.equal(result.published.status, 'VERIFIED');
  assert.equal(shop.posts('RAKE-3').length, 3);
  assert.equal(shop.listings('RAKE-3').length, 1);
});
