/**
 * A planted API key never leaves the process in clear: not in logs, traces, alerts, `llm_calls`, dead
 * letters or fingerprints. The key is the worker's OPENAI_API_KEY, the provider echoes it in an error, a user pastes it into
 * an agent's input and into a portal payload that ends in the dead-letter table — and every record is grepped.
 * The key is shaped so that no generic pattern catches it: only the registered-secret path can.
 *
 * `dead_letters.original_input`, the input as the run received it, is kept so that `dlq replay` re-sends real
 * data and not `[REDACTED]` — sealed with the payload encryption keys, so the grep finds nothing there either,
 * and opening it gives back the exact original (src/codec/sealed.ts). The effect's fingerprint keeps the
 * request only to compare the next attempt's with it: sealed too, compared by keyed digest.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { sealerFor } from '../../codec/dataConverter';
import { InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { Runtime } from '@temporalio/worker';
import type pino from 'pino';
import { installTracing, shutdownTracing } from '../../observability/tracing';
import { startPortalSimulator, type PortalSimulator } from '../../simulators/portal';
import { startAgentLayerStack, waitForEscalation, type AgentLayerStack } from '../testKit';
import { createLogger, temporalLogger } from '../../workers/logger';
import { agentDecision } from '../agentDecision/workflow';
import { getEscalationState, resolveEscalation } from '../../client/escalations';
import { startSubmitAndVerify } from '../submitAndVerify/client';
import { waitFor } from '../submitAndVerify/testKit';

const PLANTED = 'bwplanted7f3c9a1e5d2b';
const logLines: string[] = [];
Runtime.install({ logger: temporalLogger(createLogger('debug', { write: (s: string) => void logLines.push(s) } as pino.DestinationStream)) });
const spans = new InMemorySpanExporter();
installTracing({ spanProcessor: new SimpleSpanProcessor(spans) });

let t: AgentLayerStack;
let portal: PortalSimulator;
before(async () => {
  portal = await startPortalSimulator({ lagMs: 0, mode: 'silently-lost' });
  t = await startAgentLayerStack({ env: { OPENAI_API_KEY: PLANTED, PORTAL_URL: portal.url, ALERT_WEBHOOK_URL: '' } });
});
after(async () => {
  await t?.stop();
  await portal?.close();
  await shutdownTracing();
});

const withTimeout = <T>(p: Promise<T>, ms: number, what: string): Promise<T> =>
  Promise.race([p, new Promise<never>((_, reject) => setTimeout(() => reject(new Error(`${what} did not finish within ${ms} ms`)), ms).unref())]);

const rows = async (sql: string, params: unknown[]) => (await t.stack.db.query<{ j: string }>(sql, params)).rows.map((r) => r.j).join('\n');

test('a planted key appears in no log, trace, alert, llm_calls row, dead letter or fingerprint', async () => {
  // 1. An agent run: the provider echoes the key once (401), the user's text contains it.
  t.sim.setScenario({
    rules: [
      { id: 'triage', match: { schemaName: 'requestTriage' }, responses: [{ status: 401, message: `Incorrect API key provided: ${PLANTED}` }, { json: { category: 'account', orderIds: [], customerId: 'CUS-42' } }] },
      { id: 'decide', match: { schemaName: 'actionDecision' }, responses: [{ json: { action: 'answer_faq', orderId: null, confidence: 0.99, evidence: ['asks how to rotate a key'] } }] },
    ],
  });
  const agent = await t.stack.env.client.workflow.start(agentDecision, {
    taskQueue: t.stack.taskQueue,
    workflowId: `secret-agent-${t.stack.schema}`,
    args: [{ requestId: 'r-secret', text: `my key is ${PLANTED}, rotate it please` }],
  });
  await waitForEscalation(agent, 'llm-call-failed');
  await agent.executeUpdate('resolve', { args: [{ decision: 'retry', by: 'ops' }] });
  assert.equal((await withTimeout(agent.result(), 60_000, 'the agent run')).status, 'completed');

  // 2. A submission carrying the key in its payload, silently lost by the portal → NOT_SUBMITTED → DLQ.
  const submit = await startSubmitAndVerify(
    t.stack.env.client,
    { recordId: `secret-${t.stack.schema}`, entityId: 'E', businessDate: '2026-11-22', payload: { note: `token ${PLANTED}` }, options: { verifyDelay: 100, verifyDeadline: 600, pollBackoff: { initial: 200, factor: 1, max: 200 } } },
    { taskQueue: t.stack.taskQueue },
  );
  await waitFor('the not-submitted escalation', async () => (await getEscalationState(t.stack.env.client, submit.workflowId)).open?.kind === 'not-submitted');
  await resolveEscalation(t.stack.env.client, submit.workflowId, { decision: 'reject', by: 'ops' });
  assert.equal((await withTimeout(submit.result(), 60_000, 'the submit run')).status, 'NOT_SUBMITTED');

  const records = {
    llm_calls: await rows('SELECT row_to_json(c)::text AS j FROM llm_calls c WHERE workflow_id = $1', [agent.workflowId]),
    alerts: await rows('SELECT row_to_json(a)::text AS j FROM alerts a WHERE workflow_id = ANY($1)', [[agent.workflowId, submit.workflowId]]),
    dead_letters: await rows('SELECT row_to_json(d)::text AS j FROM dead_letters d WHERE workflow_id = $1', [submit.workflowId]),
    fingerprints: await rows('SELECT row_to_json(f)::text AS j FROM fingerprints f WHERE created_by = $1', [submit.workflowId]),
    logs: logLines.join(''),
    traces: JSON.stringify(spans.getFinishedSpans().map((s) => ({ name: s.name, attributes: s.attributes, events: s.events, status: s.status }))),
  };
  // There was something to redact in each place: the key reached the code paths that write these records.
  assert.match(records.llm_calls, /Incorrect API key provided: \[REDACTED\]/);
  assert.match(records.dead_letters, /token \[REDACTED\]/);
  assert.ok(records.alerts.length > 0, 'alerts were raised');
  assert.match(records.fingerprints, /"payload_mac":"[^"]+:/, 'the submission wrote a fingerprint, its payload sealed');
  assert.ok(spans.getFinishedSpans().length > 0, 'traces were captured');
  assert.ok(records.logs.length > 0, 'logs were captured');
  for (const [where, text] of Object.entries(records)) assert.ok(!text.includes(PLANTED), `the planted key leaked into ${where}`);
  // The original input is kept for replay only, sealed, and opens to exactly what the run received.
  const { rows: originals } = await t.stack.db.query<{ original_input: unknown }>('SELECT original_input FROM dead_letters WHERE workflow_id = $1', [submit.workflowId]);
  const sealer = sealerFor(t.stack.config);
  assert.deepEqual(originals.map((o) => (sealer.open(o.original_input, 'dead_letters.original_input') as { payload: unknown }).payload), [{ note: `token ${PLANTED}` }]);
});
