/**
 * Shared state without lost updates, on a real Postgres: two agents hammer one object concurrently; every
 * accepted change survives, every stale write is refused and counted, and each change is an event.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { ApplicationFailure } from '@temporalio/common';
import { STATE_CONFLICT } from '../contracts/sharedState';
import { startTestStack, type TestStack } from '../testing/harness';
import { applySharedChange } from '../workflows/applySharedChange';
import { createSharedStateActivities } from './sharedState';

let stack: TestStack;
before(async () => {
  stack = await startTestStack();
});
after(async () => stack?.teardown());

test('two agents × 500 concurrent updates of one object: none lost, conflicts counted, every change an event', async () => {
  const store = createSharedStateActivities(stack.db);
  const key = 'catalog-context';
  let refused = 0;
  const agent = async (name: string, updates: number) => {
    let accepted = 0;
    while (accepted < updates) {
      const current = await store.readShared(key);
      const data = (current.data ?? {}) as Record<string, number>;
      const next: Record<string, number> = { ...data, total: (data.total ?? 0) + 1, [name]: (data[name] ?? 0) + 1 };
      try {
        await store.updateShared({ key, expectedVersion: current.version, data: next, actor: name });
        accepted++;
      } catch (e) {
        assert.ok(e instanceof ApplicationFailure && e.type === STATE_CONFLICT, `unexpected error ${String(e)}`);
        refused++;
      }
    }
    return accepted;
  };
  const [a, b] = await Promise.all([agent('planner', 500), agent('reviewer', 500)]);

  const final = await store.readShared(key);
  const data = final.data as { total: number; planner: number; reviewer: number };
  assert.equal(a + b, 1000);
  assert.equal(data.total, 1000, 'final state equals the sum of all accepted changes');
  assert.equal(data.planner, 500);
  assert.equal(data.reviewer, 500);
  assert.equal(final.version, 1000);
  assert.equal(await store.sharedConflicts(key), refused, 'every refused stale write is counted');
  const history = await store.sharedHistory(key);
  assert.equal(history.length, 1000, 'one event per accepted change');
  assert.deepEqual(
    history.map((h) => h.version),
    Array.from({ length: 1000 }, (_, i) => i + 1),
  );
  process.stdout.write(`# shared state: 1000 accepted, ${refused} conflicts refused and retried\n`);
});

test('a stale write is refused with BW_STATE_CONFLICT and changes nothing', async () => {
  const store = createSharedStateActivities(stack.db);
  await store.updateShared({ key: 'k2', expectedVersion: 0, data: { v: 1 }, actor: 'a' });
  await store.updateShared({ key: 'k2', expectedVersion: 1, data: { v: 2 }, actor: 'b' });
  await assert.rejects(store.updateShared({ key: 'k2', expectedVersion: 1, data: { v: 99 }, actor: 'c' }), (e: unknown) => e instanceof ApplicationFailure && e.type === STATE_CONFLICT);
  assert.deepEqual(await store.readShared('k2'), { key: 'k2', version: 2, data: { v: 2 } });
  const diffs = (await store.sharedHistory('k2')).map((h) => h.diff);
  assert.deepEqual(diffs[1], [{ path: '/v', before: 1, after: 2 }], 'the event explains the change');
});

test('oversized or malformed updates are rejected before touching the database', async () => {
  const store = createSharedStateActivities(stack.db);
  await assert.rejects(store.updateShared({ key: '', expectedVersion: 0, data: {}, actor: 'a' }));
  await assert.rejects(store.updateShared({ key: 'big', expectedVersion: 0, data: { blob: 'x'.repeat(300_000) }, actor: 'a' }));
  assert.equal((await store.readShared('big')).version, 0);
});

test('workflows contributing concurrently re-read on conflict: 2 × 10 increments all land', async () => {
  const worker = await stack.createWorker();
  const key = 'wf-counter';
  const results = await worker.runUntil(
    Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        stack.env.client.workflow.execute(applySharedChange, {
          taskQueue: stack.taskQueue,
          workflowId: `shared-${i}-${stack.schema}`,
          args: [{ key, actor: i % 2 ? 'analyst' : 'researcher', add: { findings: 1 }, maxAttempts: 30 }],
        }),
      ),
    ),
  );
  const store = createSharedStateActivities(stack.db);
  const final = await store.readShared(key);
  assert.equal((final.data as { findings: number }).findings, 20);
  assert.equal(final.version, 20);
  const conflicts = results.reduce((n, r) => n + r.conflicts, 0);
  assert.equal(await store.sharedConflicts(key), conflicts, 'conflicts seen by workflows equal conflicts counted by the store');
});
