/**
 * `breakwater explain` through the real CLI on real runs of submit-and-verify: on the lag scenario (verify
 * queried shortly after the submit, the portal needing longer) it names the gap between the submit and the
 * first verification and the portal's lag; on the breaker scenario it names the first failure, the trip and
 * who resolved the escalation.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { startPortalSimulator, type PortalSimulator } from '../../simulators/portal';
import { startTestStack, type TestStack } from '../testKit';
import { breakwaterCli, stackEnv, waitFor } from '../submitAndVerify/testKit';
import type { EscalationState } from '../../contracts/resolution';
import { submitAndVerify } from '../submitAndVerify/workflow';
import type { Explanation } from '../../observability/explain';
import { measuredStatementCosts } from '../../observability/statementEstimate';

let stack: TestStack;
let portal: PortalSimulator;
const LAG_MS = 2500;

before(async () => {
  portal = await startPortalSimulator({ lagMs: LAG_MS });
  stack = await startTestStack({ env: { PORTAL_URL: portal.url } });
  await stack.startWorker();
});
after(async () => {
  await stack?.teardown();
  await portal?.close();
});

const explain = async (workflowId: string) => {
  const r = await breakwaterCli(stackEnv(stack, portal.url), ['explain', workflowId, '--json']);
  assert.equal(r.code, 0, r.stderr || r.stdout);
  return JSON.parse(r.stdout) as Explanation;
};

test('lag scenario: explain names the gap between the submit and the first verification, and the portal lag', async () => {
  portal.configure({ mode: 'normal', lagMs: LAG_MS });
  const handle = await stack.env.client.workflow.start(submitAndVerify, {
    taskQueue: stack.taskQueue,
    workflowId: `lag-${stack.schema}`,
    args: [{ recordId: 'LAG-1', entityId: 'E', businessDate: '2025-03-04', options: { verifyDelay: 500, verifyDeadline: '15s', pollBackoff: { initial: 400, factor: 2, max: 1600 } } }],
  });
  assert.equal((await handle.result()).status, 'VERIFIED');

  const e = await explain(handle.workflowId);
  const names = e.steps.map((s) => s.name);
  assert.equal(names[0], 'performEffectOnce');
  assert.ok(names.includes('observeEffect') && names.some((n) => n.startsWith('sleep')), names.join(', '));
  assert.ok(e.steps.every((s) => s.start && s.end && s.durationMs !== undefined), 'every step has start, end and duration');

  // What the run cost Temporal, counted from the history the server stores (issue 23).
  const stored = await handle.fetchHistory();
  const cost = e.historyCost!;
  assert.ok(cost, 'explain --json carries historyCost');
  assert.equal(cost.events, stored.events?.length, 'every stored event counted');
  assert.equal(cost.activities, stored.events?.filter((ev) => ev.activityTaskScheduledEventAttributes).length);
  assert.ok(cost.timers >= 1 && cost.searchAttributeUpserts >= 1 && cost.payloadBytes > 0, JSON.stringify(cost));
  // Statements are estimated (activities × the accounting bench's per-activity counts), and said to be.
  const per = measuredStatementCosts.perActivity;
  const expected = Object.entries(cost.activitiesByType).reduce((a, [type, n]) => a + (per[type] ?? 0) * n, 0);
  assert.equal(cost.statements.estimated, Math.round(expected), JSON.stringify(cost.statements));
  assert.ok(cost.statements.estimated > 0, 'performEffectOnce and observeEffect have measured figures');
  assert.deepEqual(cost.statements.unknownActivities, Object.keys(cost.activitiesByType).filter((t) => per[t] === undefined).sort());

  const gap = e.findings.find((f) => f.kind === 'verify-gap')!;
  assert.ok(gap, JSON.stringify(e.findings, null, 2));
  assert.match(gap.message, /observeEffect queried the portal \d+(\.\d)? m?s after performEffectOnce completed and saw 0 results \(not visible yet\): the first look came before the portal's lag \(\d+\.\d s–\d+\.\d s\) had passed/);
  const gapMs = gap.data!.gapMs as number;
  assert.ok(gapMs >= 450 && gapMs < 2000, `gap ${gapMs} ms ~ the 500 ms verify delay`);
  assert.equal(gap.severity, 'problem', 'the first look came before the portal showed the record');

  const lag = e.findings.find((f) => f.kind === 'portal-lag')!;
  assert.ok(lag, JSON.stringify(e.findings, null, 2));
  const lagMs = lag.data!.lagMs as number;
  assert.ok(lagMs >= LAG_MS && lagMs < LAG_MS + 3000, `observed lag ${lagMs} ms vs the portal's ${LAG_MS} ms`);
  assert.match(lag.message, /portal lag: the record was first seen \d+\.\d s after the portal received it and was still absent at \d+\.\d s: the lag is /);

  // The screen for people says the same.
  const text = await breakwaterCli(stackEnv(stack, portal.url), ['explain', handle.workflowId]);
  assert.equal(text.code, 0);
  assert.match(text.stdout, /What to look at:/);
  assert.match(text.stdout, /queried the portal .* after performEffectOnce/);
  assert.match(text.stdout, /portal lag/);
  assert.match(text.stdout, new RegExp(`Postgres statements: ~${cost.statements.estimated} \\(estimated from this run's activities × the per-activity counts measured by npm run bench -- accounting on \\d{4}-\\d{2}-\\d{2}`));
  process.stdout.write(`${text.stdout}\n`); // kept in the test log: what a person sees
});

test('breaker scenario: explain names the first failure, the trip, and who resolved the escalation', async () => {
  portal.configure({ mode: 'failing' });
  const handle = await stack.env.client.workflow.start(submitAndVerify, {
    taskQueue: stack.taskQueue,
    workflowId: `brk-${stack.schema}`,
    args: [{ recordId: 'BRK-1', entityId: 'E', businessDate: '2025-03-04', options: { verifyDelay: 500, verifyDeadline: '5s' } }],
  });
  await waitFor('the breaker escalation', async () => (await handle.query<EscalationState>('escalation')).open);
  await handle.executeUpdate('resolve', { args: [{ decision: 'reject', by: 'alice', reason: 'portal down, will resubmit tomorrow' }] });
  const result = await handle.result();
  assert.equal(result.status, 'NOT_SUBMITTED');

  const e = await explain(handle.workflowId);
  const breaker = e.findings.find((f) => f.kind === 'breaker' && /opened/.test(f.message))!;
  assert.ok(breaker, JSON.stringify(e.findings, null, 2));
  assert.match(breaker.message, /breaker submitAndVerify\/portal\.submit opened at .*; first failure: .*503.* \(attempt 1\)/);
  const first = breaker.data!.firstFailure as { error: string; attempt: number };
  assert.equal(first.attempt, 1);

  const failed = e.findings.find((f) => f.kind === 'failure' && f.message.startsWith('performEffectOnce'))!;
  assert.ok(failed, JSON.stringify(e.findings, null, 2));
  assert.match(failed.message, /failed at attempt 2 \[BW_BREAKER_OPEN\]: .*; first error: .*503/);

  const resolved = e.findings.find((f) => f.kind === 'escalation')!;
  assert.match(resolved.message, /breaker-open: .* — resolved 'reject' by alice \(portal down, will resubmit tomorrow\)/);
  assert.ok(e.findings.some((f) => f.kind === 'outcome' && /NOT_SUBMITTED \(breaker-open\)/.test(f.message)));
});
