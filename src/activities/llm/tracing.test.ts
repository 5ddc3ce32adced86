/**
 * callModel outside Temporal (as a benchmark or script would call it), against the LLM simulator and a real
 * Postgres schema, with an in-memory OpenTelemetry exporter: the gen_ai.* span attributes, and bad calls.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, test } from 'node:test';
import { trace } from '@opentelemetry/api';
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { ApplicationFailure } from '@temporalio/common';
import { loadConfig } from '../../config';
import { ensureStack } from '../../devstack/stack';
import { startLlmSimulator, type LlmSimulator } from '../../simulators/llm';
import { createPool, type Db } from '../../store/db';
import { migrate } from '../../store/migrate';
import { testModels } from '../../testing/agentLayerKit';
import { createLlmActivities } from './index';
import { parseModelsConfig } from './models';

const exporter = new InMemorySpanExporter();
const provider = new BasicTracerProvider();
provider.addSpanProcessor(new SimpleSpanProcessor(exporter));
trace.setGlobalTracerProvider(provider);

const schema = `t_${randomBytes(6).toString('hex')}`;
let sim: LlmSimulator;
let db: Db;
let callModel: ReturnType<typeof createLlmActivities>['callModel'];
const messages = [{ role: 'user' as const, content: 'Refund ORD-5, it broke.' }];

before(async () => {
  sim = await startLlmSimulator({
    scenario: { rules: [{ match: { schemaName: 'actionDecision' }, responses: [{ json: { action: 'refund', orderId: 'ORD-5', confidence: 0.9, evidence: [] }, usage: { prompt_tokens: 40, completion_tokens: 12 } }] }] },
  });
  const url = loadConfig({}).database.url ?? (await ensureStack()).postgres.url;
  const config = loadConfig({ ...process.env, DATABASE_URL: url, DATABASE_SCHEMA: schema, OPENAI_BASE_URL: `${sim.url}/v1`, OPENAI_API_KEY: 'k-test-123456' });
  db = createPool(config.database);
  await migrate(db, schema);
  ({ callModel } = createLlmActivities({ db, config, models: parseModelsConfig(testModels) }));
});
after(async () => {
  await db.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
  await db.end();
  await sim.close();
});

test('each request is a gen_ai span: operation, provider, request/response model, usage', async () => {
  exporter.reset();
  const r = await callModel({ role: 'decider', schema: 'actionDecision', messages });
  assert.deepEqual([r.usage, r.costNanoUsd, r.model, r.cacheHit], [{ inputTokens: 40, outputTokens: 12 }, 40 * 2500 + 12 * 10_000, 'sim-large', false]);
  const spans = exporter.getFinishedSpans();
  assert.equal(spans.length, 1);
  const a = spans[0]!.attributes;
  assert.equal(spans[0]!.name, 'chat sim-large');
  assert.deepEqual(
    [a['gen_ai.operation.name'], a['gen_ai.provider.name'], a['gen_ai.request.model'], a['gen_ai.response.model'], a['gen_ai.usage.input_tokens'], a['gen_ai.usage.output_tokens']],
    ['chat', 'openai', 'sim-large', 'sim-large', 40, 12],
  );
  // Outside an activity the row is still written, without workflow ids.
  const { rows } = await db.query<{ workflow_id: string | null; outcome: string }>('SELECT workflow_id, outcome FROM llm_calls WHERE id = $1', [r.callIds[0]]);
  assert.deepEqual(rows, [{ workflow_id: null, outcome: 'ok' }]);
});

test('bad calls fail at once, non-retryable, with the reason: unknown role, unknown schema, cache above temperature 0', async () => {
  const cases: [Parameters<typeof callModel>[0], RegExp][] = [
    [{ role: 'poet', schema: 'actionDecision', messages }, /agent role 'poet' is not in/],
    [{ role: 'decider', schema: 'nope', messages }, /agent schema 'nope' is not registered/],
    [{ role: 'decider', schema: 'actionDecision', messages, cache: true, temperature: 0.7 }, /only at temperature 0/],
    [{ role: 'decider', schema: 'actionDecision', messages: [] }, /invalid callModel input/],
  ];
  for (const [input, message] of cases) {
    await assert.rejects(callModel(input), (e: unknown) => e instanceof ApplicationFailure && e.type === 'BW_LLM_BAD_CALL' && e.nonRetryable && message.test(e.message));
  }
  assert.equal(sim.log().filter((e) => e.path === '/v1/chat/completions').length, 1, 'none of them reached the model');
});
