/**
 * The circuit breaker end to end, through the real CLI: a failing portal opens it after exactly 2 POSTs,
 * one alert carries the first failure's context, runs wait AwaitingHuman, and `breakwater breaker clear`
 * resumes them within 30 s.
 */
import assert from 'node:assert/strict';
import { setTimeout as delay } from 'node:timers/promises';
import { after, before, test } from 'node:test';
import type { EscalationState, FailureContext } from '../../contracts/resolution';
import type { SubmitAndVerifyInput } from './contract';
import { startPortalSimulator, type PortalSimulator } from '../../simulators/portal';
import { startTestStack, type TestStack } from '../testKit';
import { recordHistory } from '../../devstack/histories';
import { breakwaterCli, postAttemptsFor, stackEnv, waitFor } from './testKit';
import { submitAndVerify } from './workflow';

let stack: TestStack;
let portal: PortalSimulator;
let cli: (args: string[]) => ReturnType<typeof breakwaterCli>;

before(async () => {
  portal = await startPortalSimulator({ lagMs: 200 });
  stack = await startTestStack({ env: { PORTAL_URL: portal.url } });
  await stack.startWorker();
  cli = (args) => breakwaterCli(stackEnv(stack, portal.url), args);
});
after(async () => {
  await stack?.teardown();
  await portal?.close();
});

let n = 0;
const input = (): SubmitAndVerifyInput => ({
  recordId: `BRK-${process.pid}-${++n}`,
  entityId: 'ENT-1',
  businessDate: '2025-03-04',
  payload: { amount: 7 },
  // breakerPollInterval stays at its default (10 s): the 30 s promise is tested as shipped.
  options: { verifyDelay: '1s', verifyDeadline: '10s', pollBackoff: { initial: 500 } },
});
const start = (i: SubmitAndVerifyInput) => stack.env.client.workflow.start(submitAndVerify, { taskQueue: stack.taskQueue, workflowId: `brk-${i.recordId}`, args: [i] });
const escalationOf = (workflowId: string) =>
  waitFor(`an escalation on ${workflowId}`, async () => (await stack.env.client.workflow.getHandle(workflowId).query<EscalationState>('escalation')).open);

test('portal failing: exactly 2 POSTs, one alert with the first failure, runs wait; breaker clear → resumed and VERIFIED', async () => {
  portal.configure({ mode: 'failing' });
  const first = input();
  const handle = await start(first);
  const escalation = await escalationOf(handle.workflowId);
  assert.equal(escalation.kind, 'breaker-open');
  assert.equal(await postAttemptsFor(portal.url, first.recordId), 2, 'the breaker opened at the second failed POST');

  // While open, no execution calls the step: a second run does not POST either, it waits too.
  const second = input();
  const handle2 = await start(second);
  assert.equal((await escalationOf(handle2.workflowId)).kind, 'breaker-open');
  await delay(3_000);
  assert.equal(await postAttemptsFor(portal.url, first.recordId), 2, 'the waiting run made no further attempt');
  assert.equal(await postAttemptsFor(portal.url, second.recordId), 0, 'the other run never called the open step');

  // One alert (the second run's is suppressed as a repeat), carrying the first failure and the latest, and a link.
  const { rows: alerts } = await stack.db.query<{ workflow_id: string; body: { firstFailure: FailureContext; latestFailure: FailureContext; link: string } }>(
    "SELECT workflow_id, body FROM alerts WHERE pipeline = 'submitAndVerify' AND step = 'portal.submit' AND NOT suppressed",
  );
  assert.equal(alerts.length, 1);
  const alert = alerts[0]!.body;
  assert.match(alert.firstFailure.error, /503/);
  assert.equal((alert.firstFailure.input as { recordId: string }).recordId, first.recordId);
  assert.ok(Date.parse(alert.firstFailure.at) < Date.parse(alert.latestFailure.at), 'first and latest are two different failures');
  assert.ok(alert.link.includes(encodeURIComponent(handle.workflowId)), alert.link);

  // What a person sees from the CLI.
  const status = JSON.parse((await cli(['status', handle.workflowId, '--json'])).stdout) as { breakwaterStatus: string; escalation: { kind: string }; progress: { phase: string } };
  assert.deepEqual([status.breakwaterStatus, status.escalation.kind, status.progress.phase], ['AwaitingHuman', 'breaker-open', 'awaiting-breaker']);
  const listed = await waitFor('both runs in `breakwater escalations`', async () => {
    const rows = (JSON.parse((await cli(['escalations', '--json'])).stdout) as { escalations: { workflowId: string }[] }).escalations;
    return rows.length === 2 && rows;
  });
  assert.deepEqual(listed.map((r) => r.workflowId).sort(), [handle.workflowId, handle2.workflowId].sort());
  const breakers = JSON.parse((await cli(['breaker', 'list', '--json'])).stdout) as { breakers: { state: string; consecutiveFailures: number }[] };
  assert.deepEqual(breakers.breakers.map((b) => [b.state, b.consecutiveFailures]), [['open', 2]]);

  // The portal recovers; a person clears the breaker; both runs resume within 30 s.
  portal.configure({ mode: 'normal' });
  const cleared = await cli(['breaker', 'clear', 'submitAndVerify', 'portal.submit', '--by', 'alice', '--reason', 'portal back', '--json']);
  assert.equal(cleared.code, 0, cleared.stderr);
  const clearedAt = Date.parse((JSON.parse(cleared.stdout) as { breaker: { clearedAt: string } }).breaker.clearedAt);
  const [r1, r2] = await Promise.all([handle.result(), handle2.result()]);
  await recordHistory(handle, 'submitAndVerify-breaker-cleared', stack.env.address);
  assert.equal(r1.status, 'VERIFIED');
  assert.equal(r2.status, 'VERIFIED');
  for (const r of [r1, r2]) {
    const resumedAfter = Date.parse(r.status === 'VERIFIED' ? r.submittedAt : '') - clearedAt;
    assert.ok(resumedAfter < 30_000, `resumed ${resumedAfter} ms after the clearing`);
  }
  assert.equal(await postAttemptsFor(portal.url, first.recordId), 3);
  assert.equal(await postAttemptsFor(portal.url, second.recordId), 1);
  const { rows } = await stack.db.query('SELECT state, cleared_by, clear_reason FROM circuit_breakers');
  assert.deepEqual(rows, [{ state: 'closed', cleared_by: 'alice', clear_reason: 'portal back' }]);
});

test('resolving a breaker-open escalation with `breakwater resolve --decision retry` clears it in that person\'s name', async () => {
  portal.configure({ mode: 'failing' });
  const handle = await start(input());
  await escalationOf(handle.workflowId);
  portal.configure({ mode: 'normal' });
  const out = await cli(['resolve', handle.workflowId, '--decision', 'retry', '--by', 'carol']);
  assert.equal(out.code, 0, out.stderr);
  assert.equal((await handle.result()).status, 'VERIFIED');
  const { rows } = await stack.db.query("SELECT actor FROM circuit_breaker_events WHERE kind = 'cleared' ORDER BY id DESC LIMIT 1");
  assert.deepEqual(rows, [{ actor: 'carol' }]);
});

test('CLI: invalid input exits 2 and changes nothing; an unknown run exits 1', async () => {
  portal.configure({ mode: 'failing' });
  const handle = await start(input());
  await escalationOf(handle.workflowId);
  const badDecision = await cli(['resolve', handle.workflowId, '--decision', 'maybe', '--by', 'x', '--json']);
  assert.equal(badDecision.code, 2);
  assert.equal((JSON.parse(badDecision.stdout) as { error: { code: string } }).error.code, 'BW_INVALID_INPUT');
  assert.equal((await cli(['resolve', handle.workflowId, '--decision', 'approve', '--by', '  '])).code, 2);
  assert.equal((await escalationOf(handle.workflowId)).kind, 'breaker-open', 'still waiting');
  const unknownBreaker = await cli(['breaker', 'clear', 'nope', 'step', '--by', 'x']);
  assert.equal(unknownBreaker.code, 2, unknownBreaker.stderr);
  const before = (await cli(['escalations', '--json'])).stdout;
  const badDate = await cli(['submit', '--record', 'R', '--entity', 'E', '--date', '2025-13-01', '--json']);
  assert.equal(badDate.code, 2, badDate.stderr + badDate.stdout);
  assert.match(badDate.stdout, /businessDate/);
  const badFile = await cli(['submit', '--record', 'R', '--entity', 'E', '--date', '2025-01-01', '--payload-file', '/nonexistent.json']);
  assert.equal(badFile.code, 2, badFile.stderr);
  const unknownRun = await cli(['status', 'no-such-workflow']);
  assert.equal(unknownRun.code, 1, unknownRun.stderr);
  assert.equal((await cli(['escalations', '--json'])).stdout, before);
  // Leave the breaker as the next file expects nothing: clear it and let the run finish.
  portal.configure({ mode: 'normal' });
  await cli(['breaker', 'clear', 'submitAndVerify', 'portal.submit', '--by', 'test']);
  assert.equal((await handle.result()).status, 'VERIFIED');
});

test('breakwater submit --wait runs the pipeline from the CLI and prints the verified result', async () => {
  const out = await cli(['submit', '--record', `CLI-${process.pid}`, '--entity', 'E', '--date', '2025-01-02', '--verify-delay', '1s', '--wait', '--json']);
  assert.equal(out.code, 0, out.stderr + out.stdout);
  const doc = JSON.parse(out.stdout) as { workflowId: string; result: { status: string; confirmation: string } };
  assert.equal(doc.workflowId, `submitAndVerify:CLI-${process.pid}:E:2025-01-02`);
  assert.equal(doc.result.status, 'VERIFIED');
  const again = await cli(['submit', '--record', `CLI-${process.pid}`, '--entity', 'E', '--date', '2025-01-02', '--verify-delay', '1s', '--wait', '--json']);
  assert.equal((JSON.parse(again.stdout) as { result: { confirmation: string } }).result.confirmation, doc.result.confirmation, 'same record again: the cached submission');
  assert.equal(await postAttemptsFor(portal.url, `CLI-${process.pid}`), 1);
});
