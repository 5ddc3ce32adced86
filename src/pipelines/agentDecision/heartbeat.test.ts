/**
 * A worker killed while it waits for the model is noticed by its missed heartbeats, not by the 2-minute
 * start-to-close timeout: the history shows attempt 1 ended by a HEARTBEAT timeout, and a new worker completes
 * the run. The LLM simulator holds the first answer back long enough for the kill to land mid-call.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { decodeTimeoutType } from '@temporalio/common';
import { startAgentLayerStack, type AgentLayerStack } from '../testKit';
import { waitFor } from '../submitAndVerify/testKit';
import { agentDecision } from './workflow';

let t: AgentLayerStack;
before(async () => {
  // No in-process worker yet: the first attempt must land on the worker process this test kills.
  t = await startAgentLayerStack({ startWorker: false });
});
after(async () => t?.stop());

test('a worker killed mid-call is detected by heartbeat timeout and the call is retried on another worker', async () => {
  t.sim.setScenario({
    rules: [
      { id: 'triage', match: { schemaName: 'requestTriage' }, responses: [{ json: { category: 'account', orderIds: [], customerId: 'CUS-42' }, delayMs: 60_000 }, { json: { category: 'account', orderIds: [], customerId: 'CUS-42' } }] },
      { id: 'decide', match: { schemaName: 'actionDecision' }, responses: [{ json: { action: 'answer_faq', orderId: null, confidence: 0.99, evidence: ['a question'] } }] },
    ],
  });
  const s = t.stack;
  const doomed = spawn(process.execPath, [path.resolve(__dirname, '..', 'main.js')], {
    env: {
      ...process.env,
      TEMPORAL_ADDRESS: s.env.address,
      TEMPORAL_TASK_QUEUE: s.taskQueue,
      DATABASE_URL: s.config.database.url!,
      DATABASE_SCHEMA: s.schema,
      OPENAI_BASE_URL: s.config.openai.baseUrl!,
      OPENAI_API_KEY: 'test-key',
      BREAKWATER_MODELS_FILE: t.modelsFile,
      LOG_LEVEL: 'warn',
    },
    stdio: 'ignore',
  });
  const exited = once(doomed, 'exit');
  const handle = await s.env.client.workflow.start(agentDecision, { taskQueue: s.taskQueue, workflowId: `heartbeat-${s.schema}`, args: [{ requestId: 'hb', text: 'how do I reset my password?' }] });

  // 1. The doomed worker is waiting on the model (the simulator got the request): kill it mid-call.
  await waitFor('the first model request', async () => t.sim.log().some((e) => e.ruleId === 'triage'), 30_000);
  doomed.kill('SIGKILL');
  await exited;

  // 2. A new worker takes over and the run completes.
  await s.startWorker();
  assert.equal((await handle.result()).status, 'completed');

  // 3. Attempt 1 ended by a missed heartbeat, not by waiting out start-to-close.
  const history = await handle.fetchHistory();
  const timeouts = (history.events ?? []).flatMap((e) => {
    // A retried attempt's failure is recorded on the next attempt's start event (lastFailure).
    const failure = e.activityTaskStartedEventAttributes?.lastFailure ?? e.activityTaskFailedEventAttributes?.failure ?? e.activityTaskTimedOutEventAttributes?.failure;
    const info = failure?.timeoutFailureInfo ?? failure?.cause?.timeoutFailureInfo;
    return info ? [decodeTimeoutType(info.timeoutType)] : [];
  });
  const retried = (history.events ?? []).some((e) => (e.activityTaskStartedEventAttributes?.attempt ?? 1) > 1);
  assert.ok(retried, 'the call was retried');
  assert.ok(timeouts.includes('HEARTBEAT'), `timeouts seen: ${JSON.stringify(timeouts)}`);
});
