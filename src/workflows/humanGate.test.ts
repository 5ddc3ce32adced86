/**
 * The human gate on a real dev server: the `resolve` Update and signal, validation, the approver allowlist
 * (refusals change nothing and are recorded), the stock `temporal workflow signal`, and the search attribute.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { after, before, test } from 'node:test';
import { WorkflowUpdateFailedError } from '@temporalio/client';
import { ensureTemporalCli } from '../devstack/temporalTools';
import { startTestStack, type TestStack } from '../testing/harness';
import { recordHistory } from '../devstack/histories';
import { escalationQuery, resolveUpdate } from '../contracts/messages';
import { requestApproval } from './requestApproval';

let stack: TestStack;
before(async () => {
  stack = await startTestStack({ env: { BREAKWATER_APPROVERS: 'alice, bob' } });
  await stack.startWorker();
});
after(async () => {
  await stack?.teardown();
});

const start = (id: string) =>
  stack.env.client.workflow.start(requestApproval, { taskQueue: stack.taskQueue, workflowId: `${id}-${stack.schema}`, args: [{ subject: `ship ${id}?` }] });

async function waitOpen(handle: Awaited<ReturnType<typeof start>>) {
  for (let i = 0; i < 100; i++) {
    if ((await handle.query(escalationQuery)).open) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error('escalation never opened');
}

const audit = async (target: string) =>
  (await stack.db.query<{ actor: string; accepted: boolean }>('SELECT actor, accepted FROM audit_log WHERE target = $1 ORDER BY id', [target])).rows;

test('an approver on the allowlist resolves through the Update; the decision is returned and audited', async () => {
  const handle = await start('ok');
  await waitOpen(handle);
  const ack = await handle.executeUpdate(resolveUpdate, { args: [{ decision: 'approve', by: 'alice', reason: 'looks right' }] });
  assert.equal(ack.accepted, true);
  assert.deepEqual(await handle.result(), { decision: 'approve', by: 'alice', reason: 'looks right' });
  assert.deepEqual(await audit(handle.workflowId), [{ actor: 'alice', accepted: true }]);
  await recordHistory(handle, 'requestApproval-approved', stack.env.address);
});

test('an invalid payload is rejected by the validator and changes nothing', async () => {
  const handle = await start('invalid');
  await waitOpen(handle);
  await assert.rejects(handle.executeUpdate(resolveUpdate, { args: [{ decision: 'maybe', by: 'alice' } as never] }), WorkflowUpdateFailedError);
  await assert.rejects(handle.executeUpdate(resolveUpdate, { args: [{ decision: 'approve', by: '' }] }), WorkflowUpdateFailedError);
  const state = await handle.query(escalationQuery);
  assert.ok(state.open, 'still waiting for a person');
  assert.equal(state.resolved.length, 0);
  await handle.terminate('test done');
});

test('an unknown approver is refused (Update fails, signal ignored), recorded, and changes nothing', async () => {
  const handle = await start('mallory');
  await waitOpen(handle);
  await assert.rejects(
    handle.executeUpdate(resolveUpdate, { args: [{ decision: 'approve', by: 'mallory' }] }),
    (e: unknown) => e instanceof WorkflowUpdateFailedError && /not on the approver allowlist/.test(String((e.cause as Error | undefined)?.message)),
  );
  await handle.signal('resolve', { decision: 'approve', by: 'mallory' });
  for (let i = 0; i < 50 && (await handle.query(escalationQuery)).ignored.length === 0; i++) await new Promise((r) => setTimeout(r, 100));
  const state = await handle.query(escalationQuery);
  assert.ok(state.open, 'still waiting: a refused approver decides nothing');
  assert.match(state.ignored[0]?.why ?? '', /not on the approver allowlist/);
  assert.deepEqual(await audit(handle.workflowId), [
    { actor: 'mallory', accepted: false },
    { actor: 'mallory', accepted: false },
  ]);
  await handle.executeUpdate(resolveUpdate, { args: [{ decision: 'reject', by: 'bob' }] });
  assert.equal((await handle.result()).decision, 'reject');
});

test('the stock CLI resolves an escalation: temporal workflow signal --name resolve', async () => {
  const handle = await start('stock-cli');
  await waitOpen(handle);
  const listed = await stack.env.client.workflow.count(`BreakwaterStatus = "AwaitingHuman" AND WorkflowId = "${handle.workflowId}"`);
  assert.equal(listed.count, 1, 'findable by the BreakwaterStatus search attribute');
  execFileSync(ensureTemporalCli(), [
    'workflow', 'signal', '--address', stack.env.address, '--namespace', 'default',
    '--workflow-id', handle.workflowId, '--name', 'resolve', '--input', '{"decision":"approve","by":"bob","reason":"via temporal CLI"}',
  ]);
  assert.deepEqual(await handle.result(), { decision: 'approve', by: 'bob', reason: 'via temporal CLI' });
});
