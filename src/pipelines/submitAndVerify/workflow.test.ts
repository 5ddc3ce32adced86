/**
 * submitAndVerify end to end: a real dev server, a real worker, real Postgres, real HTTP to the portal
 * simulator. Each test names the "done when" line of issue 3 it shows.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { after, before, beforeEach, test } from 'node:test';
import { WorkflowFailedError } from '@temporalio/client';
import type { EscalationState } from '../../contracts/resolution';
import type { SubmitAndVerifyInput, SubmitAndVerifyResult } from './contract';
import { ensureTemporalCli } from '../../devstack/temporalTools';
import type { PortalSimulator } from '../../simulators/portal';
import type { TestStack } from '../testKit';
import { recordHistory } from '../../devstack/histories';
import { breakwaterCli, portalAdmin, postAttemptsFor, stackEnv, startPortalStack, waitFor } from './testKit';
import { resolveEscalation } from '../../client/escalations';
import { isInvalidInputError } from '../../errors';
import { submitAndVerify } from './workflow';

let stack: TestStack;
let portal: PortalSimulator;

let stop: (() => Promise<void>) | undefined;
before(async () => ({ stack, portal, stop } = await startPortalStack(300)));
after(async () => stop?.());
beforeEach(() => portal.configure({ mode: 'normal', lagMs: 300 }));

let n = 0;
const fast = { verifyDelay: '1s', verifyDeadline: '4s', pollBackoff: { initial: 500, factor: 2, max: 2000 }, submitTimeout: '10s' };
const input = (extra: Partial<SubmitAndVerifyInput> = {}): SubmitAndVerifyInput => ({
  recordId: `REF-${process.pid}-${++n}`,
  entityId: 'ENT-1',
  businessDate: '2025-03-04',
  payload: { amount: 12 },
  options: fast,
  ...extra,
});
const start = (i: SubmitAndVerifyInput, workflowId = `sv-${i.recordId}`) => stack.env.client.workflow.start(submitAndVerify, { taskQueue: stack.taskQueue, workflowId, args: [i] });
const openEscalation = (workflowId: string) =>
  waitFor(`an open escalation on ${workflowId}`, async () => (await stack.env.client.workflow.getHandle(workflowId).query<EscalationState>('escalation')).open, 30_000);

test('response lost: the portal persisted the POST but the answer was dropped → reconciled, exactly one submission, VERIFIED', async () => {
  portal.configure({ mode: 'response-lost' });
  const i = input();
  const result = await (await start(i)).result();
  assert.equal(result.status, 'VERIFIED');
  assert.equal(result.status === 'VERIFIED' && result.via, 'reconciled', 'the confirmation came from asking the portal, not from a second POST');
  assert.equal(await postAttemptsFor(portal.url, i.recordId), 1);
  assert.equal((await portalAdmin(portal.url, i.recordId)).submissions.length, 1);
  const { rows } = await stack.db.query('SELECT consecutive_failures FROM circuit_breakers');
  assert.deepEqual(rows, [{ consecutive_failures: 0 }], 'the dropped answer counted as a failure, the reconciled success reset it');
});

test('20 workflows (distinct ids) started at once for the same fingerprint → exactly one submission', async () => {
  const i = input();
  const handles = await Promise.all(Array.from({ length: 20 }, (_, k) => start(i, `dup-${i.recordId}-${k}`)));
  const results = await Promise.all(handles.map((h) => h.result()));
  assert.ok(results.every((r) => r.status === 'VERIFIED'), results.map((r) => r.status).join(','));
  const confirmations = new Set(results.map((r) => (r.status === 'VERIFIED' ? r.confirmation : '')));
  assert.equal(confirmations.size, 1, 'all twenty report the one submission');
  assert.equal(await postAttemptsFor(portal.url, i.recordId), 1, 'exactly one POST reached the portal');
  assert.equal((await portalAdmin(portal.url, i.recordId)).submissions.length, 1);
  assert.equal(results.filter((r) => r.status === 'VERIFIED' && r.via === 'posted').length, 1);
});

test('silently lost (201, never persisted) → NOT_SUBMITTED after the deadline, escalated, never success', async () => {
  portal.configure({ mode: 'silently-lost' });
  const i = input();
  const handle = await start(i);
  const escalation = await openEscalation(handle.workflowId);
  assert.equal(escalation.kind, 'not-submitted');
  // Escalated: findable by the search attribute, alerted, and the run has not completed.
  const listed = await waitFor('the run in the AwaitingHuman listing', async () => {
    const out = await breakwaterCli(stackEnv(stack, portal.url), ['escalations', '--json']);
    const rows = (JSON.parse(out.stdout) as { escalations: { workflowId: string; escalation?: { kind: string } }[] }).escalations;
    return rows.find((r) => r.workflowId === handle.workflowId);
  });
  assert.equal(listed.escalation?.kind, 'not-submitted');
  const { rows: alerts } = await stack.db.query<{ title: string; body: { link: string } }>('SELECT title, body FROM alerts WHERE workflow_id = $1', [handle.workflowId]);
  assert.equal(alerts.length, 1);
  assert.match(alerts[0]!.title, /NOT_SUBMITTED/);
  assert.match(alerts[0]!.body.link, new RegExp(encodeURIComponent(handle.workflowId)));
  assert.equal((await handle.describe()).status.name, 'RUNNING', 'no result while a person has not decided');

  const resolved = await breakwaterCli(stackEnv(stack, portal.url), ['resolve', handle.workflowId, '--decision', 'reject', '--by', 'alice', '--reason', 'lost', '--json']);
  assert.equal(resolved.code, 0, resolved.stderr + resolved.stdout);
  const result = await handle.result();
  await recordHistory(handle, 'submitAndVerify-not-submitted-rejected', stack.env.address);
  assert.equal(result.status, 'NOT_SUBMITTED');
  if (result.status !== 'NOT_SUBMITTED') return;
  assert.equal(result.reason, 'not-visible-by-deadline');
  assert.equal(result.resolution?.by, 'alice');
  assert.ok(result.evidence.length >= 3, `every look is evidence (${result.evidence.length})`);
  assert.ok(result.evidence.every((o) => !o.visible && !Number.isNaN(Date.parse(o.at))));
  const span = Date.parse(result.evidence.at(-1)!.at) - Date.parse(result.submittedAt!);
  assert.ok(span >= 3_500, `the last look was at the deadline (${span} ms after submission)`);
  const d = await handle.describe();
  assert.equal(d.searchAttributes.BreakwaterStatus?.[0], 'Failed');
});

test('retry after NOT_SUBMITTED: reconcile first, re-POST only once shown absent after the window → VERIFIED', async () => {
  portal.configure({ mode: 'silently-lost' });
  const i = input();
  const handle = await start(i);
  await openEscalation(handle.workflowId);
  portal.configure({ mode: 'normal' });
  await breakwaterCli(stackEnv(stack, portal.url), ['resolve', handle.workflowId, '--decision', 'retry', '--by', 'bob']);
  const result = await handle.result();
  await recordHistory(handle, 'submitAndVerify-retry-reconciled', stack.env.address);
  assert.equal(result.status, 'VERIFIED');
  assert.equal(await postAttemptsFor(portal.url, i.recordId), 2, 'one lost POST, one deliberate re-POST');
  assert.equal((await portalAdmin(portal.url, i.recordId)).submissions.length, 1);
});

test('stock CLI: `temporal workflow signal --name resolve` resolves an escalation; an invalid payload changes nothing', async () => {
  portal.configure({ mode: 'silently-lost' });
  const handle = await start(input());
  await openEscalation(handle.workflowId);
  const signal = (payload: unknown) =>
    promisify(execFile)(ensureTemporalCli(), ['workflow', 'signal', '--address', stack.env.address, '--namespace', 'default', '--workflow-id', handle.workflowId, '--name', 'resolve', '--input', JSON.stringify(payload)]);
  await signal({ decision: 'maybe', by: 'x' });
  const state = await waitFor('the invalid signal to be recorded', async () => {
    const s = await handle.query<EscalationState>('escalation');
    return s.ignored.length > 0 && s;
  });
  assert.equal(state.open?.kind, 'not-submitted', 'still waiting');
  assert.match(state.ignored[0]!.why, /decision/);
  await signal({ decision: 'reject', by: 'ops-oncall', reason: 'checked the portal by hand' });
  const result = await handle.result();
  assert.equal(result.status, 'NOT_SUBMITTED');
  assert.equal(result.status === 'NOT_SUBMITTED' && result.resolution?.by, 'ops-oncall');
});

test('breakwater submit --wait exits 1 with BW_NOT_SUBMITTED once a person rejects a NOT_SUBMITTED (typed resolveEscalation)', async () => {
  portal.configure({ mode: 'silently-lost' });
  const recordId = `CLI-LOST-${process.pid}`;
  const pending = breakwaterCli(stackEnv(stack, portal.url), ['submit', '--record', recordId, '--entity', 'E', '--date', '2025-03-04', '--verify-delay', '1s', '--verify-deadline', '3s', '--wait', '--json']);
  const workflowId = `submitAndVerify:${recordId}:E:2025-03-04`;
  await openEscalation(workflowId);
  await assert.rejects(resolveEscalation(stack.env.client, workflowId, { decision: 'approve', by: 'dana' }), isInvalidInputError, 'approve is not allowed on not-submitted');
  assert.deepEqual(await resolveEscalation(stack.env.client, workflowId, { decision: 'reject', by: 'dana' }), { accepted: true, escalation: 'not-submitted', escalationId: 'not-submitted-1' });
  const out = await pending;
  assert.equal(out.code, 1, out.stdout + out.stderr);
  assert.equal((JSON.parse(out.stdout) as { error: { code: string } }).error.code, 'BW_NOT_SUBMITTED');
});

test('invalid input fails the run at once with BW_INVALID_INPUT and submits nothing', async () => {
  const before = (await portalAdmin(portal.url)).stats.postAttempts;
  const handle = await start({ ...input(), businessDate: '2025-02-30' });
  await assert.rejects(handle.result(), (e: unknown) => e instanceof WorkflowFailedError && /businessDate/.test(String((e.cause as Error).message)));
  assert.equal((await portalAdmin(portal.url)).stats.postAttempts, before);
});

export type { SubmitAndVerifyResult };
