/**
 * The crash window of an irreversible action: the portal accepted the POST and the worker process dies
 * (SIGKILL, at the named fault point `portal.submit.afterPost`) before the fingerprint is marked done.
 * A new worker must reconcile — not POST again.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { startPortalSimulator, type PortalSimulator } from '../../simulators/portal';
import { startTestStack, type TestStack } from '../testKit';
import { portalAdmin, postAttemptsFor, stackEnv, waitFor } from './testKit';
import { SubmitFaultPoints } from './contract';
import { submitAndVerify } from './workflow';

let stack: TestStack;
let portal: PortalSimulator;
before(async () => {
  portal = await startPortalSimulator({ lagMs: 500 });
  stack = await startTestStack({ env: { PORTAL_URL: portal.url } });
});
after(async () => {
  await stack?.teardown();
  await portal?.close();
});

test('worker SIGKILLed right after the portal accepted the POST: a new worker leaves exactly one submission, VERIFIED', async () => {
  const workerMain = path.resolve(__dirname, '..', 'main.js');
  const doomed = spawn(process.execPath, [workerMain], {
    env: { ...process.env, ...stackEnv(stack, portal.url), BREAKWATER_FAULTS: `${SubmitFaultPoints.afterPost}:crash` },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  doomed.stderr.on('data', (b: Buffer) => (stderr += b.toString()));
  const exited = once(doomed, 'exit') as Promise<[number | null, NodeJS.Signals | null]>;

  const recordId = `CRASH-${process.pid}`;
  const handle = await stack.env.client.workflow.start(submitAndVerify, {
    taskQueue: stack.taskQueue,
    workflowId: `crash-${recordId}`,
    args: [{ recordId, entityId: 'ENT-1', businessDate: '2025-03-04', payload: { amount: 1 }, options: { verifyDelay: '1s', verifyDeadline: '20s', submitTimeout: '5s' } }],
  });
  const [code, signal] = await exited;
  assert.equal(signal, 'SIGKILL', `worker exited with code ${code}, stderr: ${stderr}`);
  assert.match(stderr, /fault point portal\.submit\.afterPost/);

  // The crash window, as the next worker finds it: accepted by the portal, fingerprint still pending.
  assert.equal((await portalAdmin(portal.url, recordId)).submissions.length, 1);
  const { rows } = await stack.db.query<{ status: string; posted: boolean }>("SELECT status, posted_at IS NOT NULL AS posted FROM fingerprints WHERE fields->>'recordId' = $1", [recordId]);
  assert.deepEqual(rows, [{ status: 'pending', posted: true }]);

  const clean = await stack.createWorker();
  const result = await clean.runUntil(handle.result());
  assert.equal(result.status, 'VERIFIED');
  assert.equal(result.status === 'VERIFIED' && result.via, 'reconciled');
  assert.equal(await postAttemptsFor(portal.url, recordId), 1, 'no second POST');
  const held = await waitFor('the portal view', async () => (await portalAdmin(portal.url, recordId)).submissions);
  assert.equal(held.length, 1, 'the portal holds exactly one submission');
  assert.equal(result.status === 'VERIFIED' && result.confirmation, held[0]!.confirmation);
});
