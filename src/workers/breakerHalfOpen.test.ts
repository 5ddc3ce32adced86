/**
 * The opt-in half-open probe end to end, on a real dev server and Postgres: a user's effect declared with
 * `breaker: { halfOpenAfter }` opens its breaker when the shop fails, and the runs waiting on it resume with
 * no person acting — after the cool-down one of them probes (a failed probe re-opens it for another
 * cool-down), and only that one call reaches the shop while the breaker is open. An effect without the
 * opt-in keeps today's design: its breaker stays open until a person clears it.
 */
import assert from 'node:assert/strict';
import path from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { after, before, test } from 'node:test';
import type { WorkflowHandle } from '@temporalio/client';
import { escalationQuery } from '../contracts/messages';
import { startPortalSimulator, type PortalSimulator } from '../simulators/portal';
import { createCircuitBreakerStore, HALF_OPEN_PROBE_ACTOR } from '../store/circuitBreakers';
import { startTestStack, type TestStack } from '../testing/harness';
import { waitFor } from '../testing/waitFor';
import { shopEffect } from './fixtures/shop';
import type * as userWorkflows from './fixtures/userWorkflows';

const COOL_DOWN_MS = 2_000;
const PIPELINE = 'user-read';

let stack: TestStack;
let shop: PortalSimulator;

before(async () => {
  shop = await startPortalSimulator({ lagMs: 0 });
  stack = await startTestStack({
    worker: () => ({
      workflowsPath: path.join(__dirname, 'fixtures', 'userWorkflows.js'),
      // A read that may be probed after a cool-down, and an irreversible write that keeps the default.
      effects: [shopEffect(shop.url, 'shop.read', { halfOpenAfter: COOL_DOWN_MS }), shopEffect(shop.url, 'shop.write')],
    }),
  });
  await stack.startWorker();
});
after(async () => {
  await stack?.teardown();
  await shop?.close();
});

const start = (effect: string, sku: string) =>
  stack.env.client.workflow.start('readThrough', {
    taskQueue: stack.taskQueue,
    workflowId: `${sku}-${stack.schema}`,
    args: [{ effect, sku, channel: 'web', title: `item ${sku}` }],
  }) as Promise<WorkflowHandle<typeof userWorkflows.readThrough>>;
const escalated = (h: WorkflowHandle) => waitFor(`an escalation on ${h.workflowId}`, async () => (await h.query(escalationQuery)).open, 30_000);
const posts = (skus: string[]) => shop.log().filter((e) => e.method === 'POST' && skus.includes(e.recordId ?? ''));
const eventsOf = async (step: string) => (await createCircuitBreakerStore(stack.db).events(PIPELINE, step, 500)).reverse();

test('opted in: the waiting runs resume with no person acting; one probe per cool-down reaches the shop while open', async () => {
  const breakers = createCircuitBreakerStore(stack.db);
  shop.configure({ mode: 'failing' });
  const skus = ['HO-1', 'HO-2', 'HO-3'];
  const first = await start('shop.read', skus[0]!);
  assert.equal((await escalated(first)).kind, 'breaker-open');
  const opened = await breakers.get(PIPELINE, 'shop.read');
  assert.deepEqual([opened.state, opened.halfOpenAfterMs], ['open', COOL_DOWN_MS]);
  const others = await Promise.all(skus.slice(1).map((s) => start('shop.read', s)));
  await Promise.all(others.map(escalated));
  assert.equal(posts(skus).length, 2, 'the two failures that opened it; the other runs never called the open step');

  // The shop is still down at the first cool-down's end: one run probes, fails, and the breaker re-opens.
  await waitFor('the first probe to fail', async () => (await eventsOf('shop.read')).some((e) => e.kind === 'reopened'), 30_000);
  const reopened = await breakers.get(PIPELINE, 'shop.read');
  assert.equal(reopened.state, 'open');
  assert.ok(Date.parse(reopened.openedAt!) > Date.parse(opened.openedAt!), 'a fresh cool-down');
  assert.equal(posts(skus).length, 3, 'exactly one probe reached the shop in the first cool-down');

  // The shop recovers: after the fresh cool-down one probe succeeds, closes the breaker, and every run finishes.
  shop.configure({ mode: 'normal' });
  const results = await Promise.all([first, ...others].map((h) => h.result()));
  assert.deepEqual(results.map((r) => r.status), ['VERIFIED', 'VERIFIED', 'VERIFIED']);

  const events = await eventsOf('shop.read');
  const cleared = events.filter((e) => e.kind === 'cleared');
  assert.equal(cleared.length, 1);
  assert.equal(cleared[0]!.actor, HALF_OPEN_PROBE_ACTOR, 'no person closed it');
  const episode = events.map((e) => e.kind).filter((k) => k !== 'failure' && k !== 'success');
  assert.deepEqual(episode, ['opened', 'probe', 'reopened', 'probe', 'cleared'], 'two probes: the failed one and the one that closed it');
  const closedAt = Date.parse(cleared[0]!.at);
  const whileOpen = posts(skus).filter((p) => Date.parse(p.time) > Date.parse(opened.openedAt!) && Date.parse(p.time) < closedAt);
  assert.equal(whileOpen.length, 2, `one call per cool-down while open: ${JSON.stringify(whileOpen)}`);
  assert.ok(Date.parse(whileOpen[0]!.time) >= Date.parse(opened.openedAt!) + COOL_DOWN_MS - 50, 'the first probe waited out the cool-down');
  assert.ok(Date.parse(whileOpen[1]!.time) >= Date.parse(reopened.openedAt!) + COOL_DOWN_MS - 50, 'the second probe waited out the fresh one');
  assert.deepEqual(whileOpen.map((p) => p.status), [503, 201]);
  assert.equal(posts(skus).filter((p) => p.status === 201).length, 3, 'each run sent its call once');
  const { rows: audit } = await stack.db.query<{ actor: string }>("SELECT actor FROM audit_log WHERE action = 'breaker.clear'");
  assert.deepEqual(audit, [{ actor: HALF_OPEN_PROBE_ACTOR }]);
});

test('without the opt-in nothing closes an open breaker on its own: it waits for a person', async () => {
  const breakers = createCircuitBreakerStore(stack.db);
  shop.configure({ mode: 'failing' });
  const h = await start('shop.write', 'HW-1');
  assert.equal((await escalated(h)).kind, 'breaker-open');
  // The shop recovers, and well past the opted-in step's cool-down nothing has probed it.
  shop.configure({ mode: 'normal' });
  await delay(COOL_DOWN_MS * 2 + 1_000);
  const still = await breakers.get(PIPELINE, 'shop.write');
  assert.deepEqual([still.state, still.halfOpenAfterMs, still.probeDue], ['open', null, false]);
  assert.equal(posts(['HW-1']).length, 2, 'no call since it opened');
  assert.equal((await h.query(escalationQuery)).open?.kind, 'breaker-open', 'the run still waits for a person');
  assert.ok(!(await eventsOf('shop.write')).some((e) => e.kind === 'probe' || e.kind === 'cleared'));

  await breakers.clear({ pipeline: PIPELINE, step: 'shop.write', by: 'dana', reason: 'shop back' });
  assert.equal((await h.result()).status, 'VERIFIED');
  assert.equal(posts(['HW-1']).length, 3);
});
