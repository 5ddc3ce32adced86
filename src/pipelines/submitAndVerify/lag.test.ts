/**
 * The incident itself, with the figure the issue names: the portal needs 60 s before a submission is
 * visible. A verification before the lag sees nothing; the result is still VERIFIED, never NOT_SUBMITTED.
 * This test really waits ~65 s (default options: verify delay 60 s, deadline 10 min).
 */
import assert from 'node:assert/strict';
import { setTimeout as delay } from 'node:timers/promises';
import { after, before, test } from 'node:test';
import type { SubmitAndVerifyProgress } from './contract';
import type { PortalSimulator } from '../../simulators/portal';
import type { TestStack } from '../testKit';
import { portalAdmin, postAttemptsFor, startPortalStack, waitFor } from './testKit';
import { submitAndVerify } from './workflow';

let stack: TestStack;
let portal: PortalSimulator;
let stop: (() => Promise<void>) | undefined;
before(async () => ({ stack, portal, stop } = await startPortalStack(60_000)));
after(async () => stop?.());

test('lag 60 s: a verification before the lag sees nothing, yet the result is VERIFIED, never NOT_SUBMITTED', async () => {
  const recordId = `REF-2847-${process.pid}`;
  const handle = await stack.env.client.workflow.start(submitAndVerify, {
    taskQueue: stack.taskQueue,
    workflowId: `lag-${recordId}`,
    args: [{ recordId, entityId: 'ENT-1', businessDate: '2025-03-04', payload: { form: 'APP-2847' } }],
  });
  const submitted = await waitFor('the portal to accept the submission', async () => {
    const p = await handle.query<SubmitAndVerifyProgress>('progress');
    return p.phase === 'verify-delay' && p.submission;
  });

  // The verify agent of the incident: it asks the portal 5 s after the submission.
  await delay(Math.max(0, Date.parse(submitted.submittedAt) + 5_000 - Date.now()));
  const early = ((await (await fetch(`${portal.url}/submissions?recordId=${encodeURIComponent(recordId)}`)).json()) as { results: unknown[] }).results;
  assert.deepEqual(early, [], 'a verification before the lag sees nothing');
  assert.equal((await portalAdmin(portal.url, recordId)).submissions.length, 1, 'although the portal has it');
  const during = await handle.query<SubmitAndVerifyProgress>('progress');
  assert.equal(during.phase, 'verify-delay', 'the run waits on its durable timer instead of concluding');
  assert.equal(during.result, undefined);

  const result = await handle.result();
  assert.equal(result.status, 'VERIFIED');
  if (result.status !== 'VERIFIED') return;
  assert.equal(result.confirmation, submitted.confirmation);
  const seenAfter = Date.parse(result.verifiedAt) - Date.parse(result.submittedAt);
  assert.ok(seenAfter >= 60_000, `seen only after the lag (${seenAfter} ms)`);
  assert.ok(result.observations.every((o) => !o.error));
  assert.ok(result.observations.at(-1)!.visible);
  assert.equal(await postAttemptsFor(portal.url, recordId), 1);
});
