/**
 * Shared state without lost updates, on a real Postgres: two agents hammer one object concurrently; every
 * accepted change survives, every stale write is refused and counted, and each change is an event.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { after, before, test } from 'node:test';
import { ApplicationFailure } from '@temporalio/common';
import { STATE_CONFLICT } from '../contracts/sharedState';
import { armFault, faultHits } from '../faults';
import { recordHistory } from '../devstack/histories';
import { ensureTemporalCli } from '../devstack/temporalTools';
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

test('the write commits but its acknowledgement is lost: the retried change is applied exactly once', async () => {
  const worker = await stack.createWorker();
  const key = 'ack-lost';
  armFault('sharedState.afterCommit', 'throw');
  const hitsBefore = faultHits('sharedState.afterCommit');
  const handle = await stack.env.client.workflow.start(applySharedChange, {
    taskQueue: stack.taskQueue,
    workflowId: `shared-ack-lost-${stack.schema}`,
    args: [{ key, actor: 'analyst', add: { findings: 1 }, set: { note: 'once' } }],
  });
  const result = await worker.runUntil(handle.result());
  assert.ok(faultHits('sharedState.afterCommit') >= hitsBefore + 2, 'the fault fired after the commit and the activity was retried');
  const store = createSharedStateActivities(stack.db);
  assert.deepEqual(await store.readShared(key), { key, version: 1, data: { findings: 1, note: 'once' } }, 'applied once');
  assert.equal(result.version, 1);
  const history = await store.sharedHistory(key);
  assert.equal(history.length, 1, 'one change event');
  assert.equal(await store.sharedConflicts(key), 0, 'the retry of an applied change is not a conflict');
  await recordHistory(handle, 'applySharedChange-ack-lost', stack.env.address);

  // A reset re-runs the workflow from its start under a new run id: the change id (workflow id + first run id) is the same.
  execFileSync(ensureTemporalCli(), ['workflow', 'reset', '--workflow-id', handle.workflowId, '--type', 'FirstWorkflowTask', '--reason', 'test', '--address', stack.env.address]);
  const reset = stack.env.client.workflow.getHandle(handle.workflowId);
  assert.notEqual((await reset.describe()).runId, handle.firstExecutionRunId, 'a new run');
  const afterReset = await (await stack.createWorker()).runUntil(reset.result());
  assert.equal(afterReset.version, 1, 'the reset run gets the recorded result');
  assert.deepEqual(await store.readShared(key), { key, version: 1, data: { findings: 1, note: 'once' } }, 'still applied once after a reset');
  assert.equal((await store.sharedHistory(key)).length, 1);
});

test('10 workflows at once, 5 acknowledgements lost among them: 10 changes, each applied once', async () => {
  const worker = await stack.createWorker();
  const key = 'ack-lost-concurrent';
  armFault('sharedState.afterCommit', 'throw', 5);
  await worker.runUntil(
    Promise.all(
      Array.from({ length: 10 }, (_, i) =>
        stack.env.client.workflow.execute(applySharedChange, {
          taskQueue: stack.taskQueue,
          workflowId: `shared-ack-lost-${i}-${stack.schema}`,
          args: [{ key, actor: `agent-${i}`, add: { findings: 1 }, maxAttempts: 30 }],
        }),
      ),
    ),
  );
  const store = createSharedStateActivities(stack.db);
  const final = await store.readShared(key);
  assert.deepEqual(final.data, { findings: 10 });
  assert.equal(final.version, 10);
  assert.equal((await store.sharedHistory(key)).length, 10, 'one event per change');
});

test('a change id makes an update idempotent; a different change on a stale version still conflicts', async () => {
  const store = createSharedStateActivities(stack.db);
  const key = 'ids';
  const first = await store.updateShared({ key, expectedVersion: 0, data: { n: 1 }, actor: 'a', changeId: 'change-a' });
  assert.deepEqual(first, { key, version: 1, data: { n: 1 } });
  // The retry of change-a (same input: its acknowledgement was lost) gets the recorded result.
  assert.deepEqual(await store.updateShared({ key, expectedVersion: 0, data: { n: 1 }, actor: 'a', changeId: 'change-a' }), first);
  // A different change stating the same stale version conflicts, as before.
  await assert.rejects(
    store.updateShared({ key, expectedVersion: 0, data: { n: 100 }, actor: 'b', changeId: 'change-b' }),
    (e: unknown) => e instanceof ApplicationFailure && e.type === STATE_CONFLICT,
  );
  await store.updateShared({ key, expectedVersion: 1, data: { n: 2 }, actor: 'b', changeId: 'change-b' });
  // Once the object moved on, change-a's retry still gets its own recorded result, however it was recomputed.
  assert.deepEqual(await store.updateShared({ key, expectedVersion: 2, data: { n: 3 }, actor: 'a', changeId: 'change-a' }), first);
  assert.deepEqual(await store.readShared(key), { key, version: 2, data: { n: 2 } });
  assert.equal((await store.sharedHistory(key)).length, 2);
  assert.equal(await store.sharedConflicts(key), 1, 'only the stale different change counted as a conflict');
  // Ids are per object: the same id names another change on another object.
  assert.equal((await store.updateShared({ key: 'ids-other', expectedVersion: 0, data: { n: 1 }, actor: 'a', changeId: 'change-a' })).version, 1);
});

test('attempts of one change racing each other write it once (creating the object and updating it)', async () => {
  const store = createSharedStateActivities(stack.db);
  for (const key of ['race-create', 'race-update']) {
    const expectedVersion = key === 'race-update' ? 1 : 0;
    if (expectedVersion) await store.updateShared({ key, expectedVersion: 0, data: { n: 0 }, actor: 'setup' });
    const attempts = await Promise.all(
      Array.from({ length: 8 }, () => store.updateShared({ key, expectedVersion, data: { n: 1 }, actor: 'a', changeId: `${key}-once` })),
    );
    assert.deepEqual(new Set(attempts.map((a) => a.version)), new Set([expectedVersion + 1]), 'every attempt reports the one write');
    assert.equal((await store.readShared(key)).version, expectedVersion + 1);
    assert.equal((await store.sharedHistory(key)).length, expectedVersion + 1);
    assert.equal(await store.sharedConflicts(key), 0);
  }
});

test('a caller-given change id: two workflows naming the same change apply it once', async () => {
  const worker = await stack.createWorker();
  const key = 'caller-id';
  const [a, b] = await worker.runUntil(
    Promise.all(
      ['a', 'b'].map((s) =>
        stack.env.client.workflow.execute(applySharedChange, {
          taskQueue: stack.taskQueue,
          workflowId: `shared-caller-id-${s}-${stack.schema}`,
          args: [{ key, actor: `agent-${s}`, add: { findings: 1 }, changeId: 'finding-42' }],
        }),
      ),
    ),
  );
  assert.equal(a!.version, 1);
  assert.equal(b!.version, 1);
  const store = createSharedStateActivities(stack.db);
  assert.deepEqual(await store.readShared(key), { key, version: 1, data: { findings: 1 } });
});
