/**
 * The true first error of a step: every failed attempt is recorded by the worker's activity interceptor, so
 * `explain` and the run viewer name the first failure even where Temporal's history kept only the last one
 * (and the one before it). A portal failing once then succeeding; a model call failing twice, differently
 * (a 500, then a 429), before it succeeds.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { webUiLink } from '../../client/connection';
import type { Explanation } from '../../observability/explain';
import { startInbox, type InboxServer } from '../../observability/inbox/server';
import { startPortalSimulator, type PortalSimulator } from '../../simulators/portal';
import type { LlmScenario } from '../../simulators/llm';
import { loadActivityFailures } from '../../store/activityFailures';
import { agentDecision } from '../agentDecision/workflow';
import { breakwaterCli, stackEnv, waitFor } from '../submitAndVerify/testKit';
import { submitAndVerify } from '../submitAndVerify/workflow';
import { startAgentLayerStack, type AgentLayerStack } from '../testKit';

let t: AgentLayerStack;
let portal: PortalSimulator;
let viewer: InboxServer;

before(async () => {
  portal = await startPortalSimulator({ lagMs: 100 });
  t = await startAgentLayerStack({ env: { PORTAL_URL: portal.url } });
  viewer = await startInbox({ client: t.stack.env.client, db: t.stack.db, link: (id, run) => webUiLink(t.stack.config, id, run), auth: { userHeader: 'x-test-user' } });
});
after(async () => {
  await viewer?.close();
  await t?.stop();
  await portal?.close();
});

const explain = async (workflowId: string): Promise<{ json: Explanation; text: string }> => {
  const env = stackEnv(t.stack, portal.url);
  const [j, x] = await Promise.all([breakwaterCli(env, ['explain', workflowId, '--json']), breakwaterCli(env, ['explain', workflowId])]);
  assert.equal(j.code, 0, j.stderr || j.stdout);
  return { json: JSON.parse(j.stdout) as Explanation, text: x.stdout };
};
const viewerPage = async (workflowId: string) => {
  const res = await fetch(`${viewer.url}runs/${encodeURIComponent(workflowId)}`, { headers: { 'x-test-user': 'viewer' } });
  assert.equal(res.status, 200);
  return res.text();
};

test('a portal failing once then succeeding: explain and the viewer give the first error', async () => {
  portal.configure({ mode: 'failing' });
  const handle = await t.stack.env.client.workflow.start(submitAndVerify, {
    taskQueue: t.stack.taskQueue,
    workflowId: `first-error-portal-${t.stack.schema}`,
    args: [{ recordId: 'FE-1', entityId: 'E', businessDate: '2025-03-04', options: { verifyDelay: 300, verifyDeadline: '10s', pollBackoff: { initial: 200 } } }],
  });
  await waitFor('the failed attempt in activity_failures', async () => ((await loadActivityFailures(t.stack.db, handle.workflowId)).length ? true : undefined));
  portal.configure({ mode: 'normal' });
  assert.equal((await handle.result()).status, 'VERIFIED');

  const [failure] = await loadActivityFailures(t.stack.db, handle.workflowId);
  assert.equal(failure!.activity, 'performEffectOnce');
  assert.equal(failure!.attempt, 1);
  assert.match(failure!.message, /503|unavailable/);

  const { json, text } = await explain(handle.workflowId);
  const retry = json.findings.find((f) => f.kind === 'retry' && f.message.startsWith('performEffectOnce'));
  assert.ok(retry, JSON.stringify(json.findings, null, 2));
  assert.match(retry.message, /succeeded at attempt 2; first error: .*(503|unavailable).* \(attempt 1, /);
  const step = json.steps.find((s) => s.name === 'performEffectOnce')!;
  assert.deepEqual(step.failedAttempts?.map((f) => f.attempt), [1]);
  assert.match(text, /performEffectOnce succeeded at attempt 2; first error: /);

  const html = await viewerPage(handle.workflowId);
  assert.match(html, /class="failed-attempt">attempt 1 at [^:]+:\d\d:\d\d\.\d+Z: <b>/);
  assert.match(html, /<svg class="waterfall"[\s\S]*class="attempt failed"/);
});

test('a model call failing twice, differently, then succeeding: the first error is the first, not the last', async () => {
  const scenario: LlmScenario = {
    rules: [
      { id: 'triage', match: { schemaName: 'requestTriage' }, responses: [{ json: { category: 'order', orderIds: ['ORD-1001'], customerId: 'CUS-7' } }] },
      {
        id: 'decide',
        match: { schemaName: 'actionDecision' },
        responses: [
          { status: 500, message: 'the first failure: upstream exploded' },
          { status: 429, retryAfterSeconds: 1, message: 'the second failure: slow down' },
          { json: { action: 'refund', orderId: 'ORD-1001', confidence: 0.93, evidence: ['ORD-1001 arrived damaged'] } },
        ],
      },
    ],
  };
  t.sim.setScenario(scenario);
  const handle = await t.stack.env.client.workflow.start(agentDecision, {
    taskQueue: t.stack.taskQueue,
    workflowId: `first-error-llm-${t.stack.schema}`,
    args: [{ requestId: 'req-first-error', text: 'Order ORD-1001 arrived damaged, please refund' }],
  });
  assert.equal((await handle.result()).status, 'completed');

  const failed = (await loadActivityFailures(t.stack.db, handle.workflowId)).filter((f) => f.activity === 'callModel');
  assert.deepEqual(failed.map((f) => f.attempt), [1, 2]);
  assert.notEqual(failed[0]!.errorType, failed[1]!.errorType, 'two different failures');
  assert.match(failed[0]!.message, /upstream exploded|500/);

  const { json } = await explain(handle.workflowId);
  const retry = json.findings.find((f) => f.kind === 'retry' && f.message.startsWith('callModel') && /attempt 3/.test(f.message));
  assert.ok(retry, JSON.stringify(json.findings, null, 2));
  assert.match(retry.message, /first error: [^;]*(upstream exploded|500)/);
  assert.doesNotMatch(retry.message.split('first error:')[1]!.split(';')[0]!, /slow down/);
  assert.match(retry.message, new RegExp(`failed attempts: #1 ${failed[0]!.errorType}, #2 ${failed[1]!.errorType}`));

  const html = await viewerPage(handle.workflowId);
  const first = html.indexOf('class="failed-attempt">attempt 1');
  assert.ok(first > 0 && html.indexOf('class="failed-attempt">attempt 2') > first, 'both failed attempts, the first first');
  assert.match(html, /upstream exploded/);
});
