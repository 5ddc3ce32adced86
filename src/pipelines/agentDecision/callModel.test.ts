/**
 * callModel's contract with the outside world, through agentDecision on a real worker, real Temporal and
 * Postgres, and the LLM simulator over HTTP: 429 Retry-After, the cache, and secrets never written down.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type pino from 'pino';
import { Runtime } from '@temporalio/worker';
import type { EscalationState } from '../../contracts/resolution';
import { llmCalls, startAgentLayerStack, waitForEscalation, type AgentLayerStack } from '../testKit';
import { createLogger, temporalLogger } from '../../workers/logger';
import { agentDecision } from './workflow';

// A key no redaction *pattern* recognizes: only the registered-secret path can mask it.
const PLANTED_KEY = 'bwplanted_9f8e7d6c5b4a3210';
const logLines: string[] = [];
Runtime.install({ logger: temporalLogger(createLogger('debug', { write: (s: string) => void logLines.push(s) } as pino.DestinationStream)) });

let t: AgentLayerStack;
before(async () => {
  t = await startAgentLayerStack({ env: { OPENAI_API_KEY: PLANTED_KEY, ALERT_WEBHOOK_URL: '' } });
});
after(async () => t?.stop());

const triage = { category: 'account', orderIds: [], customerId: 'CUS-42' };
const faq = { action: 'answer_faq', orderId: null, confidence: 0.99, evidence: ['asks how to reset a password'] };

function run(name: string, text: string, cache = false) {
  return t.stack.env.client.workflow.start(agentDecision, {
    taskQueue: t.stack.taskQueue,
    workflowId: `${name}-${t.stack.schema}`,
    args: [{ requestId: `req-${name}`, text, cache }],
  });
}

test('429 with Retry-After 2 s: the next attempt comes ≥ 2 s later, both attempts recorded', async () => {
  t.sim.setScenario({
    rules: [
      { id: 'triage', match: { schemaName: 'requestTriage' }, responses: [{ status: 429, retryAfterSeconds: 2, message: 'Rate limit reached' }, { json: triage }] },
      { id: 'decide', match: { schemaName: 'actionDecision' }, responses: [{ json: faq }] },
    ],
  });
  t.sim.reset();
  const handle = await run('ratelimit', 'How do I reset my password?');
  const result = await handle.result();
  assert.equal(result.status, 'completed');

  const triageRequests = t.sim.log().filter((e) => e.schemaName === 'requestTriage');
  assert.deepEqual(triageRequests.map((e) => e.status), [429, 200]);
  const gap = Date.parse(triageRequests[1]!.time) - Date.parse(triageRequests[0]!.time);
  assert.ok(gap >= 2000, `second attempt came ${gap} ms after the 429`);

  const rows = (await llmCalls(t.stack, handle.workflowId)).filter((r) => r.agent_role === 'router');
  assert.deepEqual(rows.map((r) => [r.attempt, r.outcome, r.http_status]), [[1, 'http-error', 429], [2, 'ok', 200]]);
  assert.ok(rows[1]!.at.getTime() - rows[0]!.at.getTime() >= 2000);
});

test('cache hit: the same request at temperature 0 is answered from Postgres, no HTTP request, cost 0', async () => {
  t.sim.setScenario({
    rules: [
      { id: 'triage', match: { schemaName: 'requestTriage' }, responses: [{ json: triage }] },
      { id: 'decide', match: { schemaName: 'actionDecision' }, responses: [{ json: faq }] },
    ],
  });
  const text = 'Where can I change my e-mail address?';
  const first = await (await run('cache-miss', text, true)).result();
  assert.equal(first.status, 'completed');
  assert.ok(first.costUsd > 0);

  t.sim.reset();
  const handle = await run('cache-hit', text, true);
  const second = await handle.result();
  assert.equal(second.status, 'completed');
  assert.deepEqual(second.status === 'completed' && second.decision, first.status === 'completed' && first.decision);
  assert.equal(second.costUsd, 0);
  assert.deepEqual(t.sim.log().filter((e) => e.path === '/v1/chat/completions'), [], 'no request reached the simulator');
  const rows = await llmCalls(t.stack, handle.workflowId);
  assert.deepEqual(rows.map((r) => [r.agent_role, r.outcome, r.cache_hit, r.cost_usd]), [
    ['router', 'cache-hit', true, '0.000000000'],
    ['decider', 'cache-hit', true, '0.000000000'],
  ]);
});

test('a planted API key never appears in llm_calls, logs, alerts or the escalation', async () => {
  t.sim.setScenario({
    rules: [
      // A provider that echoes the key in its error (some do), then works.
      { id: 'triage', match: { schemaName: 'requestTriage' }, responses: [{ status: 401, message: `Incorrect API key provided: ${PLANTED_KEY}` }, { json: triage }] },
      { id: 'decide', match: { schemaName: 'actionDecision' }, responses: [{ json: faq }] },
    ],
  });
  logLines.length = 0;
  const handle = await run('secret', `My key is ${PLANTED_KEY}, how do I rotate it?`);
  const escalation = await waitForEscalation(handle, 'llm-call-failed');
  const state = await handle.query<EscalationState>('escalation');
  await handle.executeUpdate('resolve', { args: [{ decision: 'retry', by: 'ops' }] });
  assert.equal((await handle.result()).status, 'completed');
  assert.ok(t.sim.log().some((e) => e.authorization), 'the key was sent (as a bearer token) to the provider');

  const calls = await t.stack.db.query<{ j: string }>('SELECT row_to_json(c)::text AS j FROM llm_calls c WHERE workflow_id = $1', [handle.workflowId]);
  const alerts = await t.stack.db.query<{ j: string }>('SELECT row_to_json(a)::text AS j FROM alerts a WHERE workflow_id = $1', [handle.workflowId]);
  const callsText = calls.rows.map((r) => r.j).join('\n');
  const alertsText = alerts.rows.map((r) => r.j).join('\n');
  const logs = logLines.join('');
  assert.ok(callsText.includes('Incorrect API key provided: [REDACTED]') && callsText.includes('My key is [REDACTED]'), 'the key was there to redact');
  assert.ok(alerts.rows.length > 0 && alertsText.includes('[REDACTED]'), 'an alert carried the failure');
  assert.ok(logs.includes('llm call failed'), 'activity logs were captured');
  for (const [where, text] of [['llm_calls', callsText], ['alerts', alertsText], ['logs', logs], ['escalation', JSON.stringify([escalation, state])]] as const) {
    assert.ok(!text.includes(PLANTED_KEY), `the planted key leaked into ${where}`);
  }
});
