/**
 * Dead letters end to end: a submission the portal accepted but did not show before the deadline ends
 * NOT_SUBMITTED (a person rejects) and lands in the DLQ with its context; `breakwater dlq replay` starts it
 * again, and the fingerprint makes the replay verify the existing submission — no second POST.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { startPortalSimulator, type PortalSimulator } from '../../simulators/portal';
import { startTestStack, type TestStack } from '../testKit';
import { breakwaterCli, postAttemptsFor, stackEnv, waitFor } from './testKit';
import { getEscalationState, resolveEscalation } from '../../client/escalations';
import { startSubmitAndVerify } from './client';

let stack: TestStack;
let portal: PortalSimulator;
before(async () => {
  portal = await startPortalSimulator({ lagMs: 5_000 });
  stack = await startTestStack({ env: { PORTAL_URL: portal.url } });
  await stack.startWorker();
});
after(async () => {
  await stack?.teardown();
  await portal?.close();
});

test('a DLQ replay of a submit that had reached the portal does not submit again', async () => {
  const env = stackEnv(stack, portal.url);
  const recordId = `dlq-${stack.schema}`;
  // 1. The portal accepts the POST but shows it only after 5 s; we give up looking after 1.5 s.
  const handle = await startSubmitAndVerify(
    stack.env.client,
    { recordId, entityId: 'E-1', businessDate: '2026-11-22', payload: { amount: 10 }, options: { verifyDelay: '300 ms', verifyDeadline: '1500 ms', pollBackoff: { initial: '300 ms', factor: 1, max: '300 ms' } } },
    { taskQueue: stack.taskQueue },
  );
  await waitFor('the not-submitted escalation', async () => (await getEscalationState(stack.env.client, handle.workflowId)).open?.kind === 'not-submitted');
  await resolveEscalation(stack.env.client, handle.workflowId, { decision: 'reject', by: 'alice', reason: 'give up for now' });
  const result = await handle.result();
  assert.equal(result.status, 'NOT_SUBMITTED');
  assert.equal(await postAttemptsFor(portal.url, recordId), 1, 'the original run reached the portal once');

  // 2. It is a dead letter with its full context.
  const listed = await breakwaterCli(env, ['dlq', 'list', '--json']);
  assert.equal(listed.code, 0, listed.stderr);
  const letters = (JSON.parse(listed.stdout) as { deadLetters: { id: number; workflowId: string }[] }).deadLetters;
  const letter = letters.find((d) => d.workflowId === handle.workflowId);
  assert.ok(letter, 'the NOT_SUBMITTED run is in the DLQ');
  const shown = JSON.parse((await breakwaterCli(env, ['dlq', 'show', String(letter.id), '--json'])).stdout) as {
    deadLetter: { input: { recordId: string }; errors: { error: string }[]; pipeline: string; step: string };
  };
  assert.equal(shown.deadLetter.input.recordId, recordId);
  assert.equal(shown.deadLetter.pipeline, 'submitAndVerify');
  assert.equal(shown.deadLetter.step, 'not-visible-by-deadline');
  assert.match(shown.deadLetter.errors.at(-1)!.error, /NOT_SUBMITTED.*reject.*alice/);

  // 3. Replay once the portal shows the record: the fingerprint is done, so the new run verifies, no POST.
  await waitFor('the submission to become visible', async () => portal.submissions().find((s) => s.recordId === recordId)?.visible, 15_000);
  const replay = await breakwaterCli(env, ['dlq', 'replay', String(letter.id), '--by', 'alice', '--json']);
  assert.equal(replay.code, 0, replay.stderr || replay.stdout);
  const { workflowId } = (JSON.parse(replay.stdout) as { replay: { workflowId: string } }).replay;
  const replayed = await stack.env.client.workflow.getHandle(workflowId).result();
  assert.equal(replayed.status, 'VERIFIED');
  assert.equal(await postAttemptsFor(portal.url, recordId), 1, 'no second POST reached the portal');
  assert.equal(portal.submissions().filter((s) => s.recordId === recordId).length, 1);
  const again = JSON.parse((await breakwaterCli(env, ['dlq', 'show', String(letter.id), '--json'])).stdout) as { deadLetter: { replays: { by: string }[] } };
  assert.deepEqual(again.deadLetter.replays.map((r) => r.by), ['alice']);
});

test('malformed dlq arguments are usage errors and change nothing', async () => {
  const env = stackEnv(stack, portal.url);
  assert.equal((await breakwaterCli(env, ['dlq', 'show', 'abc', '--json'])).code, 2);
  assert.equal((await breakwaterCli(env, ['dlq', 'replay', '999999', '--by', 'alice', '--json'])).code, 2);
  assert.equal((await breakwaterCli(env, ['dlq', 'list', '--limit', '0', '--json'])).code, 2);
  assert.equal((await breakwaterCli(env, ['dlq', 'replay', '1', '--json'])).code, 2, '--by is required');
});
