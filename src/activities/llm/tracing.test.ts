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
import { agentJsonSchema, defineAgentSchema, withConfidence } from '../../contracts/agentSchemas';
import { z } from 'zod';
import { createLlmActivities } from './index';
import { parseModelsConfig } from './models';

const exporter = new InMemorySpanExporter();
const provider = new BasicTracerProvider();
provider.addSpanProcessor(new SimpleSpanProcessor(exporter));
trace.setGlobalTracerProvider(provider);

const schema = `t_${randomBytes(6).toString('hex')}`;
// Registered in this process (as a worker that imports its schemas would); `actionDecision` below is not.
defineAgentSchema('tracingDecision', withConfidence({ action: z.enum(['refund', 'no_action']), orderId: z.string().nullable() }));
// What a workflow's agent runner sends for a schema the worker never imported.
const unregistered = agentJsonSchema(withConfidence({ action: z.enum(['refund', 'no_action']), orderId: z.string().nullable() }));
let sim: LlmSimulator;
let db: Db;
let callModel: ReturnType<typeof createLlmActivities>['callModel'];
const messages = [{ role: 'user' as const, content: 'Refund ORD-5, it broke.' }];

before(async () => {
  sim = await startLlmSimulator({
    scenario: {
      rules: [
        { match: { schemaName: 'tracingDecision' }, responses: [{ json: { action: 'refund', orderId: 'ORD-5', confidence: 0.9, evidence: [] }, usage: { prompt_tokens: 40, completion_tokens: 12 } }] },
        { match: { schemaName: 'actionDecision' }, responses: [{ json: { action: 'refund', orderId: 'ORD-6', confidence: 0.8, evidence: [] } }, { json: { action: 'teleport', orderId: null, confidence: 0.8, evidence: [] } }, { json: { action: 'teleport', orderId: null, confidence: 0.8, evidence: [] } }] },
      ],
    },
  });
  // DATABASE_URL first: with an external Postgres the stack file records no URL (an empty one).
  const url = process.env.DATABASE_URL || loadConfig({}).database.url || (await ensureStack()).postgres.url;
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
  const r = await callModel({ role: 'decider', schema: 'tracingDecision', messages });
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
    [{ role: 'poet', schema: 'tracingDecision', messages }, /agent role 'poet' is not in/],
    [{ role: 'decider', schema: 'nope', messages }, /agent schema 'nope' is unknown to this worker and came without its JSON Schema/],
    [{ role: 'decider', schema: 'nope', jsonSchema: { type: 'object', properties: { a: { type: 'nonsense' } } }, messages }, /JSON Schema cannot be used for validation/],
    [{ role: 'decider', schema: 'tracingDecision', messages, cache: true, temperature: 0.7 }, /only at temperature 0/],
    [{ role: 'decider', schema: 'tracingDecision', messages: [] }, /invalid callModel input/],
  ];
  for (const [input, message] of cases) {
    await assert.rejects(callModel(input), (e: unknown) => e instanceof ApplicationFailure && e.type === 'BW_LLM_BAD_CALL' && e.nonRetryable && message.test(e.message));
  }
  assert.equal(sim.log().filter((e) => e.path === '/v1/chat/completions').length, 1, 'none of them reached the model');
});

test('a schema the worker never imported is validated from the JSON Schema sent with the call', async () => {
  const ok = await callModel({ role: 'decider', schema: 'actionDecision', jsonSchema: unregistered, messages, maxRepairs: 0 });
  assert.deepEqual(ok.output, { action: 'refund', orderId: 'ORD-6', confidence: 0.8, evidence: [] });
  // An answer outside that schema is refused exactly as with a registered zod schema.
  await assert.rejects(callModel({ role: 'decider', schema: 'actionDecision', jsonSchema: unregistered, messages, maxRepairs: 1 }), (e: unknown) => e instanceof ApplicationFailure && e.type === 'BW_LLM_INVALID_OUTPUT' && /action/.test(e.message));
});
