/**
 * Decisions land where they were meant (issue 12, item 5): a resolution names the escalation it answers; a
 * late one for an earlier escalation is refused by the Update and ignored by the signal, audited either way;
 * and an escalation's `since` is workflow time, the same after a replay on another worker.
 */
import assert from 'node:assert/strict';
import path from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { after, before, test } from 'node:test';
import { WorkflowUpdateFailedError } from '@temporalio/client';
import { escalationQuery, resolveSignal, resolveUpdate } from '../contracts/messages';
import { startTestStack, type TestStack } from '../testing/harness';
import { waitFor } from '../testing/waitFor';

const workflowsPath = path.join(__dirname, '..', 'workers', 'fixtures', 'userWorkflows.js');
let stack: TestStack;
before(async () => {
  stack = await startTestStack({ worker: () => ({ workflowsPath }) });
});
after(async () => stack?.teardown());

const open = (h: { query: (q: typeof escalationQuery) => Promise<{ open?: { id: string } }> }, id?: string) =>
  waitFor(`escalation ${id ?? ''}`, async () => {
    const o = (await h.query(escalationQuery)).open;
    return o && (!id || o.id === id) ? o : undefined;
  });

test('a late decision for the first escalation does not answer the second: refused, ignored, audited', async () => {
  await stack.startWorker();
  const h = await stack.env.client.workflow.start('twoReviews', { taskQueue: stack.taskQueue, workflowId: `stale-${stack.schema}` });
  const first = await open(h);
  assert.equal(first.id, 'review-1');
  await h.executeUpdate(resolveUpdate, { args: [{ decision: 'approve', by: 'ann', escalation: first.id }] });
  const second = await open(h, 'review-2');

  // The inbox page still showed review-1: its click arrives now.
  await assert.rejects(h.executeUpdate(resolveUpdate, { args: [{ decision: 'approve', by: 'late-larry', escalation: first.id }] }), (e: unknown) => e instanceof WorkflowUpdateFailedError && /stale decision/.test(String((e.cause as Error)?.message)));
  await h.signal(resolveSignal, { decision: 'approve', by: 'late-lucy', escalation: first.id });
  const state = await waitFor('the ignored signal', async () => {
    const s = await h.query(escalationQuery);
    return s.ignored.length ? s : undefined;
  });
  assert.equal(state.open?.id, second.id, 'the second escalation is still open');
  assert.match(state.ignored[0]!.why, /stale decision: it answers escalation 'review-1', the open one is 'review-2'/);
  // The signal is marked ignored at once; its audit row follows from an activity: wait for both rows.
  const rows = await waitFor('both refusals in audit_log', async () => {
    const r = (await stack.db.query<{ actor: string; accepted: boolean }>("SELECT actor, accepted FROM audit_log WHERE target = $1 AND actor LIKE 'late-%' ORDER BY id", [h.workflowId])).rows;
    return r.length >= 2 ? r : undefined;
  });
  assert.deepEqual(rows, [{ actor: 'late-larry', accepted: false }, { actor: 'late-lucy', accepted: false }]);

  await h.executeUpdate(resolveUpdate, { args: [{ decision: 'approve', by: 'bea', escalation: second.id }] });
  assert.deepEqual(await h.result(), ['ann', 'bea']);
});

test("an escalation's `since` is workflow time: unchanged when another worker replays the run", async () => {
  const taskQueue = `${stack.taskQueue}-since`; // no other worker polls it
  const first = await stack.createWorker({ taskQueue });
  const h = await stack.env.client.workflow.start('approveOrReject', { taskQueue, workflowId: `since-${stack.schema}` });
  const sinceBefore = await first.runUntil(async () => (await open(h)) as unknown as { since: string });
  await delay(1500);
  // A new worker has no cache: answering the query replays the history.
  const second = await stack.createWorker({ taskQueue });
  const sinceAfter = await second.runUntil(async () => ((await h.query(escalationQuery)).open as { since: string } | undefined)?.since);
  assert.equal(sinceAfter, sinceBefore.since);
  await h.terminate('done');
});
