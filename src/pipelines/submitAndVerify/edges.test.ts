/**
 * The guarantees at their edges (issue 12), on real servers: reconciliation that adopts only this
 * fingerprint's record, and a different payload that is not reported VERIFIED.
 */
import assert from 'node:assert/strict';
import { after, before, beforeEach, test } from 'node:test';
import { escalationQuery, resolveUpdate } from '../../contracts/messages';
import type { PortalSimulator } from '../../simulators/portal';
import type { TestStack } from '../testKit';
import type { SubmitAndVerifyInput } from './contract';
import { portalAdmin, postAttemptsFor, startPortalStack, waitFor } from './testKit';
import { submitAndVerify } from './workflow';

let stack: TestStack;
let portal: PortalSimulator;

let stop: (() => Promise<void>) | undefined;
before(async () => ({ stack, portal, stop } = await startPortalStack(200)));
after(async () => stop?.());
beforeEach(() => portal.configure({ mode: 'normal', lagMs: 200 }));

const fast = { verifyDelay: '500ms', verifyDeadline: '4s', pollBackoff: { initial: 300, factor: 2, max: 1000 }, submitTimeout: '10s' };
const run = (i: SubmitAndVerifyInput, id: string) => stack.env.client.workflow.start(submitAndVerify, { taskQueue: stack.taskQueue, workflowId: `${id}-${stack.schema}`, args: [i] });

test('reconcile after a lost response adopts the record of this business date, not an older one of the same record', async () => {
  const recordId = `DATE-${process.pid}`;
  const day1 = await (await run({ recordId, entityId: 'E', businessDate: '2026-11-20', payload: { day: 1 }, options: fast }, 'd1')).result();
  assert.equal(day1.status, 'VERIFIED');
  const c1 = day1.status === 'VERIFIED' ? day1.confirmation : '';

  // Day 2: the portal persists the POST but the answer is lost, so the next attempt must ask the portal.
  portal.configure({ mode: 'response-lost' });
  const h2 = await run({ recordId, entityId: 'E', businessDate: '2026-11-21', payload: { day: 2 }, options: fast }, 'd2');
  await waitFor('the lost POST', async () => (await postAttemptsFor(portal.url, recordId)) === 2 || undefined);
  portal.configure({ mode: 'normal' });
  const day2 = await h2.result();

  const held = (await portalAdmin(portal.url, recordId)).submissions;
  const c2 = held.find((s) => (s.payload as { day?: number }).day === 2)?.confirmation;
  assert.ok(c2, 'the portal holds the day-2 submission');
  assert.equal(day2.status, 'VERIFIED');
  assert.equal(day2.status === 'VERIFIED' && day2.confirmation, c2, `day 2 must adopt its own confirmation ${c2}, not day 1's ${c1}`);
  assert.equal(await postAttemptsFor(portal.url, recordId), 2, 'no third POST: the lost one was found');
});

test('a different payload under a fingerprint already sent is not VERIFIED: it escalates, and a reject ends NOT_SUBMITTED', async () => {
  const base = { recordId: `PAY-${process.pid}`, entityId: 'E', businessDate: '2026-11-20', options: fast };
  const first = await (await run({ ...base, payload: { amount: 10 } }, 'pay-1')).result();
  assert.equal(first.status, 'VERIFIED');

  const h = await run({ ...base, payload: { amount: 99 } }, 'pay-2');
  const open = await waitFor('the payload-mismatch escalation', async () => (await h.query(escalationQuery)).open, 20_000);
  assert.equal(open.kind, 'payload-mismatch');
  await h.executeUpdate(resolveUpdate, { args: [{ decision: 'reject', by: 'erin', reason: 'wrong amount' }] });
  const second = await h.result();
  assert.equal(second.status, 'NOT_SUBMITTED');
  assert.equal(second.status === 'NOT_SUBMITTED' && second.reason, 'payload-mismatch');
  assert.equal(await postAttemptsFor(portal.url, base.recordId), 1, 'the portal was not sent the other payload');
});
