/**
 * A whole agent run traced into a real Jaeger (src/devstack/jaegerTools.ts) through the worker's OTLP/HTTP
 * export: read back through Jaeger's query API, one trace holds the client start, the workflow, its
 * activities and the GenAI spans with their semantic-convention attributes — and no prompt, API key or
 * customer value is anywhere in it. With the collector down, the run still completes and the failure is
 * reported once, naming the endpoint.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { Client } from '@temporalio/client';
import { startJaeger, type Jaeger } from '../../devstack/jaegerTools';
import { findFreePort } from '../../devstack/processes';
import { installTracing, shutdownTracing, tracingClientInterceptors } from '../../observability/tracing';
import { breakwaterDataConverter } from '../../codec/dataConverter';
import { waitFor } from '../../testing/waitFor';
import { startAgentLayerStack, type AgentLayerStack } from '../testKit';
import { agentDecision } from '../agentDecision/workflow';

const API_KEY = 'sk-jaeger-test-0f9e8d7c6b5a4f3e2d1c';
const CUSTOMER = 'jane.doe.7731@example.com';
const PROMPT_WORDS = 'the parcel arrived crushed and soaked';
let j: Jaeger;
let t: AgentLayerStack;
let client: Client;
const reports: string[] = [];

before(async () => {
  j = await startJaeger();
  assert.ok(installTracing({ endpoint: j.otlpEndpoint, onExportError: (m) => reports.push(m) }));
  t = await startAgentLayerStack({ env: { OPENAI_API_KEY: API_KEY } });
  client = new Client({ connection: t.stack.env.client.connection, namespace: 'default', interceptors: tracingClientInterceptors(), dataConverter: breakwaterDataConverter(t.stack.config) });
});
after(async () => {
  await shutdownTracing();
  await t?.stop();
  await j?.stop();
});

interface JSpan { traceID: string; spanID: string; operationName: string; references: { refType: string; spanID: string }[]; tags: { key: string; value: unknown }[] }
const triage = { category: 'order', orderIds: ['ORD-1001'], customerId: 'CUS-7' };
const decision = { action: 'refund', orderId: 'ORD-1001', confidence: 0.95, evidence: ['arrived damaged'] };
const run = (name: string) =>
  client.workflow.start(agentDecision, {
    taskQueue: t.stack.taskQueue,
    workflowId: `${name}-${t.stack.schema}`,
    args: [{ requestId: `req-${name}`, text: `Order ORD-1001: ${PROMPT_WORDS}. Reach me at ${CUSTOMER}` }],
  });

test('one trace in Jaeger holds the workflow, its activities and the GenAI spans; no prompt, key or customer value', async () => {
  t.sim.setScenario({ rules: [{ match: { schemaName: 'requestTriage' }, responses: [{ json: triage }] }, { match: {}, responses: [{ json: decision }] }] });
  const handle = await run('jaeger');
  assert.equal((await handle.result()).status, 'completed');
  await shutdownTracing(); // flushes the batch processor
  const traces = await waitFor('the run in Jaeger', async () => {
    const body = (await (await fetch(`${j.queryUrl}/api/traces?service=breakwater&limit=50`)).json()) as { data: { traceID: string; spans: JSpan[] }[] };
    const ours = body.data.filter((tr) => tr.spans.some((s) => s.operationName === 'RunWorkflow:agentDecision') && tr.spans.some((s) => s.operationName.startsWith('chat ')));
    return ours.length ? { ours, raw: JSON.stringify(body) } : undefined;
  }, 20_000);
  assert.equal(traces.ours.length, 1, 'one trace for the run');
  const spans = traces.ours[0]!.spans;
  const names = spans.map((s) => s.operationName);
  for (const n of ['StartWorkflow:agentDecision', 'RunWorkflow:agentDecision', 'StartActivity:callModel', 'RunActivity:callModel', 'chat sim-small', 'chat sim-large']) assert.ok(names.includes(n), `${n} in ${names.join(', ')}`);
  const byId = new Map(spans.map((s) => [s.spanID, s]));
  const chat = spans.find((s) => s.operationName === 'chat sim-large')!;
  assert.equal(byId.get(chat.references.find((r) => r.refType === 'CHILD_OF')!.spanID)?.operationName, 'RunActivity:callModel', 'the GenAI span sits inside its activity');
  const tags = Object.fromEntries(chat.tags.map((x) => [x.key, x.value]));
  assert.equal(tags['gen_ai.operation.name'], 'chat');
  assert.equal(tags['gen_ai.request.model'], 'sim-large');
  assert.ok(Number(tags['gen_ai.usage.input_tokens']) > 0 && Number(tags['gen_ai.usage.output_tokens']) > 0, 'token usage recorded');
  for (const secret of [API_KEY, CUSTOMER, PROMPT_WORDS, 'arrived damaged']) assert.ok(!traces.raw.includes(secret), `${secret} is in a span`);
  process.stdout.write(`# spans in the run's trace: ${spans.length} (${[...new Set(names)].sort().join(', ')})\n`);
});

test('with the collector down the run completes, and the failed export is reported once with its endpoint', async () => {
  const closed = await findFreePort();
  assert.ok(installTracing({ endpoint: `http://user:hunter2@127.0.0.1:${closed}`, onExportError: (m) => reports.push(m) }));
  t.sim.setScenario({ rules: [{ match: { schemaName: 'requestTriage' }, responses: [{ json: triage }] }, { match: {}, responses: [{ json: decision }] }] });
  const handle = await run('collector-down');
  assert.equal((await handle.result()).status, 'completed', 'tracing never holds a run back');
  await shutdownTracing();
  const ours = reports.filter((m) => m.includes(`127.0.0.1:${closed}`));
  assert.equal(ours.length, 1, `one report per minute at most: ${reports.join(' | ')}`);
  assert.match(ours[0]!, /trace export to http:\/\/127\.0\.0\.1:\d+\/v1\/traces failed .*span\(s\) dropped/);
  assert.ok(!ours[0]!.includes('hunter2'), 'no credentials from the URL in the report');
});
