/**
 * Metrics and tracing end to end on a real worker: after real runs (agents over the LLM simulator, a
 * failing portal), GET /metrics shows the agent, pipeline and coordination metrics with non-zero values and
 * Temporal's own runtime metrics; one trace spans a run with the LLM spans inside; a worker that replays
 * every workflow task (no cache) emits no duplicate spans and counts no run twice.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { InMemorySpanExporter, SimpleSpanProcessor, type ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { Client } from '@temporalio/client';
import { Runtime } from '@temporalio/worker';
import { startPortalSimulator, type PortalSimulator } from '../../simulators/portal';
import { findFreePort } from '../../devstack/processes';
import { startAgentLayerStack, waitForEscalation, type AgentLayerStack } from '../testKit';
import { waitFor } from '../submitAndVerify/testKit';
import { agentDecision } from '../agentDecision/workflow';
import { submitAndVerify } from '../submitAndVerify/workflow';
import { runtimeTelemetryOptions, startMetricsServer, type MetricsServer } from '../../observability/metricsServer';
import { parsePrometheusText, sumSamples } from '../../observability/promText';
import { installTracing, shutdownTracing, tracingClientInterceptors } from '../../observability/tracing';
import { breakwaterDataConverter } from '../../codec/dataConverter';

const spans = new InMemorySpanExporter();
let t: AgentLayerStack;
let portal: PortalSimulator;
let metrics: MetricsServer;
let client: Client;

before(async () => {
  const corePort = await findFreePort();
  // Core's Prometheus exporter: must be installed before anything creates the Temporal runtime.
  Runtime.install({ telemetryOptions: runtimeTelemetryOptions(corePort - 1) }); // binds 127.0.0.1:corePort
  installTracing({ spanProcessor: new SimpleSpanProcessor(spans) });
  portal = await startPortalSimulator({ lagMs: 100, mode: 'failing' });
  t = await startAgentLayerStack({ env: { PORTAL_URL: portal.url } });
  metrics = await startMetricsServer({ port: 0, host: '127.0.0.1', coreMetricsUrl: `http://127.0.0.1:${corePort}/metrics` });
  client = new Client({ connection: t.stack.env.client.connection, namespace: 'default', interceptors: tracingClientInterceptors(), dataConverter: breakwaterDataConverter(t.stack.config) });
});
after(async () => {
  await metrics?.close();
  await t?.stop();
  await portal?.close();
  await shutdownTracing();
});

const scrape = async () => parsePrometheusText(await (await fetch(metrics.url)).text());
const triage = { category: 'order', orderIds: ['ORD-1001'], customerId: 'CUS-7' };
const decision = (confidence: number) => ({ action: 'refund', orderId: 'ORD-1001', confidence, evidence: ['arrived damaged'] });
const start = (name: string, extra: { budgetUsd?: number; taskQueue?: string } = {}) =>
  client.workflow.start(agentDecision, {
    taskQueue: extra.taskQueue ?? t.stack.taskQueue,
    workflowId: `${name}-${t.stack.schema}`,
    args: [{ requestId: `req-${name}`, text: `Order ORD-1001 arrived damaged (${name})`, ...(extra.budgetUsd ? { budgetUsd: extra.budgetUsd } : {}) }],
  });
const spansOf = (workflowId: string): ReadableSpan[] => {
  const ours = spans.getFinishedSpans().filter((s) => s.attributes.temporalWorkflowId === workflowId);
  const traces = new Set(ours.map((s) => s.spanContext().traceId));
  return spans.getFinishedSpans().filter((s) => traces.has(s.spanContext().traceId));
};

test('after a run, /metrics shows agent, pipeline and coordination metrics with non-zero values (and Temporal runtime metrics)', async () => {
  t.sim.setScenario({
    rules: [
      { id: 'triage', match: { schemaName: 'requestTriage' }, responses: [{ json: triage }] },
      { id: 'decide', match: { schemaName: 'actionDecision' }, responses: [{ status: 429, retryAfterSeconds: 1 }, { json: decision(0.95) }] },
    ],
  });
  const handle = await start('metrics');
  assert.equal((await handle.result()).status, 'completed');

  const m = await waitFor('the run to be counted', async () => {
    const s = await scrape();
    return sumSamples(s, 'breakwater_pipeline_completions_total', { pipeline: 'agentDecision', outcome: 'completed' }) >= 1 ? s : undefined;
  });
  // Per agent.
  assert.equal(sumSamples(m, 'breakwater_agent_calls_total', { role: 'decider' }), 2, 'the 429 attempt and the good one');
  assert.equal(sumSamples(m, 'breakwater_agent_successes_total', { role: 'decider' }), 1);
  assert.equal(sumSamples(m, 'breakwater_agent_failures_total', { role: 'decider', type: 'BW_LLM_RATE_LIMITED' }), 1);
  assert.ok(sumSamples(m, 'breakwater_agent_tokens_total', { role: 'router' }) > 0);
  assert.ok(sumSamples(m, 'breakwater_agent_cost_usd_total', { role: 'decider' }) > 0);
  assert.equal(sumSamples(m, 'breakwater_agent_latency_seconds_count', { role: 'router' }), 1);
  // Per pipeline.
  assert.equal(sumSamples(m, 'breakwater_pipeline_duration_seconds_count', { pipeline: 'agentDecision' }), 1);
  assert.ok(sumSamples(m, 'breakwater_pipeline_duration_seconds_sum', { pipeline: 'agentDecision' }) > 0);
  assert.ok(sumSamples(m, 'breakwater_pipeline_cost_usd_total', { pipeline: 'agentDecision' }) > 0);
  // Coordination.
  assert.equal(sumSamples(m, 'breakwater_handoffs_total', { pipeline: 'agentDecision', from: 'router', to: 'decider' }), 1);
  assert.equal(sumSamples(m, 'breakwater_rate_limited_total', { api: 'llm' }), 1);
  // Temporal's own runtime metrics, merged into the same page.
  assert.ok(m.some((s) => s.name.startsWith('temporal_') && s.value > 0), 'Core runtime metrics are served too');
});

test('escalations, resolutions, budget pauses and breaker trips are counted', async () => {
  // A failing portal: the breaker trips at the second failure and the run waits for a person.
  const sv = await client.workflow.start(submitAndVerify, {
    taskQueue: t.stack.taskQueue,
    workflowId: `trip-${t.stack.schema}`,
    args: [{ recordId: 'OBS-1', entityId: 'E', businessDate: '2025-03-04', options: { verifyDelay: '1s', verifyDeadline: '5s' } }],
  });
  await waitForEscalation(sv, 'breaker-open');
  // An exhausted budget pauses an agent run.
  t.sim.setScenario({ rules: [{ match: {}, responses: [{ json: triage, usage: { prompt_tokens: 5000, completion_tokens: 2000 } }] }] });
  const poor = await start('budget', { budgetUsd: 0.0001 });
  await waitForEscalation(poor, 'budget-exhausted');
  await poor.executeUpdate('resolve', { args: [{ decision: 'reject', by: 'obs-test' }] });
  await sv.executeUpdate('resolve', { args: [{ decision: 'reject', by: 'obs-test' }] });
  await sv.result();

  const m = await waitFor('the resolutions to be counted', async () => {
    const s = await scrape();
    return sumSamples(s, 'breakwater_resolutions_total', { decision: 'reject' }) >= 2 ? s : undefined;
  });
  assert.equal(sumSamples(m, 'breakwater_breaker_trips_total', { pipeline: 'submitAndVerify', step: 'portal.submit' }), 1);
  assert.equal(sumSamples(m, 'breakwater_escalations_total', { pipeline: 'submitAndVerify' }), 1);
  assert.equal(sumSamples(m, 'breakwater_escalations_total', { pipeline: 'agentDecision' }), 1);
  assert.equal(sumSamples(m, 'breakwater_budget_pauses_total', { pipeline: 'agentDecision' }), 1);
  assert.ok(sumSamples(m, 'breakwater_activity_attempts_total', { activity: 'performEffectOnce', outcome: 'failed' }) >= 2);
});

test('one trace spans a run, from the client start to the LLM spans inside the activities', async () => {
  t.sim.setScenario({ rules: [{ id: 'triage', match: { schemaName: 'requestTriage' }, responses: [{ json: triage }] }, { match: {}, responses: [{ json: decision(0.95) }] }] });
  const handle = await start('trace');
  await handle.result();
  const run = await waitFor('the run span', async () => (spansOf(handle.workflowId).some((s) => s.name === 'RunWorkflow:agentDecision') ? spansOf(handle.workflowId) : undefined), 10_000);
  const names = run.map((s) => s.name);
  assert.equal(new Set(run.map((s) => s.spanContext().traceId)).size, 1, 'one trace');
  for (const n of ['StartWorkflow:agentDecision', 'RunWorkflow:agentDecision', 'StartActivity:callModel', 'RunActivity:callModel', 'chat sim-small', 'chat sim-large']) {
    assert.ok(names.includes(n), `${n} in ${names.join(', ')}`);
  }
  const byId = new Map(run.map((s) => [s.spanContext().spanId, s]));
  const chat = run.find((s) => s.name === 'chat sim-large')!;
  assert.equal(byId.get(chat.parentSpanId!)?.name, 'RunActivity:callModel', 'the LLM span sits inside its activity');
  const roots = run.filter((s) => !s.parentSpanId || !byId.has(s.parentSpanId));
  assert.deepEqual(roots.map((s) => s.name), ['StartWorkflow:agentDecision']);
});

test('a worker that replays every workflow task (no cache) emits no duplicate spans and counts the run once', async () => {
  const taskQueue = `${t.stack.taskQueue}-nocache`;
  const worker = await t.stack.createWorker({ taskQueue, workerOptions: { maxCachedWorkflows: 0 } });
  const running = worker.run();
  try {
    t.sim.setScenario({ rules: [{ id: 'triage', match: { schemaName: 'requestTriage' }, responses: [{ json: triage }] }, { match: {}, responses: [{ json: decision(0.95) }] }] });
    const before = sumSamples(await scrape(), 'breakwater_pipeline_completions_total', { pipeline: 'agentDecision', outcome: 'completed' });
    const handle = await start('replay', { taskQueue });
    await handle.result();
    const run = await waitFor('the run span', async () => (spansOf(handle.workflowId).some((s) => s.name === 'RunWorkflow:agentDecision') ? spansOf(handle.workflowId) : undefined), 10_000);
    await new Promise((r) => setTimeout(r, 500)); // any duplicate would arrive with the later tasks' replays
    const count = (name: string) => spansOf(handle.workflowId).filter((s) => s.name === name).length;
    assert.equal(count('RunWorkflow:agentDecision'), 1);
    assert.equal(count('StartActivity:callModel'), 2, `spans: ${run.map((s) => s.name).join(', ')}`);
    assert.equal(count('StartActivity:recordAgentDecision'), 1);
    const ids = spansOf(handle.workflowId).map((s) => s.spanContext().spanId);
    assert.equal(new Set(ids).size, ids.length, 'no span id exported twice');
    const after = sumSamples(await scrape(), 'breakwater_pipeline_completions_total', { pipeline: 'agentDecision', outcome: 'completed' });
    assert.equal(after - before, 1, 'the run counted once');
  } finally {
    worker.shutdown();
    await running;
  }
});
