/**
 * Compatibility profiles against the LLM simulator's personalities (each a behaviour of a real server):
 * agentDecision on a real worker, Temporal and Postgres, the simulator over HTTP. The right profile makes
 * the call succeed; the wrong one fails once, non-retryably, with the setting to change; a server that
 * ignores the token limit is recorded at its real cost, flagged, counted and alerted once.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { WorkflowHandle } from '@temporalio/client';
import type { LlmPersonality } from '../../simulators/llmPersonality';
import type { LlmScenario } from '../../simulators/llm';
import { parseModelsConfig } from '../../activities/llm/models';
import type { CompatSetting } from '../../activities/llm/profiles';
import { llmCalls, startAgentLayerStack, testModels, waitForEscalation, type AgentLayerStack } from '../testKit';
import { metricValue } from '../../observability/metrics';
import { agentDecision } from './workflow';

let t: AgentLayerStack;
before(async () => {
  t = await startAgentLayerStack({ startWorker: false, env: { ALERT_WEBHOOK_URL: '' } });
});
after(async () => t?.stop());

const triage = { category: 'order', orderIds: ['ORD-1001'], customerId: 'CUS-7' };
const decision = { action: 'answer_faq', orderId: null, confidence: 0.95, evidence: ['asks where the order is'] };

function scenario(personality: LlmPersonality, triageResponses: LlmScenario['rules'][number]['responses'] = [{ json: triage }], triageMatch: object = {}): LlmScenario {
  return {
    personality,
    rules: [
      { id: 'triage', match: { schemaName: 'requestTriage', ...triageMatch }, responses: triageResponses },
      { id: 'decide', match: { schemaName: 'actionDecision' }, responses: [{ json: decision }] },
    ],
  };
}

/** The test models with `compat` on both, for a worker of this test only. */
function models(compat?: CompatSetting) {
  const m = structuredClone(testModels) as { models: Record<string, Record<string, unknown>> };
  if (compat !== undefined) for (const model of Object.values(m.models)) model.compat = compat;
  return parseModelsConfig(m);
}

/** Runs agentDecision to its result (or until `until` says so) on a worker with these models. */
async function withWorker<T>(compat: CompatSetting | undefined, body: () => Promise<T>): Promise<T> {
  const worker = await t.stack.createWorker({ llm: { models: models(compat), backoff: { baseMs: 50, maxMs: 200 } } });
  return worker.runUntil(body());
}

function start(name: string): Promise<WorkflowHandle<typeof agentDecision>> {
  return t.stack.env.client.workflow.start(agentDecision, {
    taskQueue: t.stack.taskQueue,
    workflowId: `${name}-${t.stack.schema}`,
    args: [{ requestId: `req-${name}`, text: `Where is my order ORD-1001? (${name})` }],
  });
}

const completions = () => t.sim.log().filter((e) => e.path === '/v1/chat/completions');

test('refuses json_schema (500): the OpenAI profile fails once, non-retryably, with the hint; json_object succeeds', async () => {
  t.sim.setScenario(scenario({ refusesJsonSchema: true }));
  t.sim.reset();
  const escalation = await withWorker(undefined, async () => {
    const handle = await start('refuses-strict');
    const e = await waitForEscalation(handle, 'llm-call-failed');
    await handle.terminate('test done');
    return e;
  });
  assert.equal(escalation.details?.type, 'BW_LLM_INCOMPATIBLE');
  assert.match(escalation.latestFailure?.error ?? '', /Input should be 'text' or 'json_object'/);
  assert.match(escalation.latestFailure?.error ?? '', /this endpoint refuses json_schema: set structuredOutput to json_object \(or tool_call\) for model 'sim-small'/);
  assert.deepEqual(completions().map((e) => e.status), [500], 'a request that cannot succeed is sent once, never retried');

  t.sim.reset();
  const result = await withWorker({ structuredOutput: 'json_object' }, async () => (await start('refuses-object')).result());
  assert.equal(result.status, 'completed');
  assert.deepEqual(completions().map((e) => [e.schemaName, e.status]), [['requestTriage', 200], ['actionDecision', 200]]);
});

test('ignores max_completion_tokens: recorded at the real usage, flagged, counted, alerted once; max_tokens is honoured', async () => {
  t.sim.setScenario(scenario({ ignoresMaxCompletionTokens: 4079 }));
  const [first, second] = await withWorker(undefined, async () => [await (await start('runaway-1')).result(), await (await start('runaway-2')).result()]);
  assert.equal(first.status, 'completed');
  assert.equal(second.status, 'completed');
  const rows = await llmCalls(t.stack, `runaway-1-${t.stack.schema}`);
  const router = rows.find((r) => r.agent_role === 'router')!;
  assert.equal(router.output_tokens, 4079, 'the real usage, past the 256-token limit');
  assert.equal(router.over_reservation, true);
  assert.equal(router.cost_estimated, false);
  // Exact cost of the real usage: input × 0.15 + 4079 × 0.6 USD per 1M tokens.
  assert.equal(router.cost_usd, (router.input_tokens * 0.15e-6 + 4079 * 0.6e-6).toFixed(9));
  const { rows: alerts } = await t.stack.db.query<{ title: string; suppressed: boolean }>("SELECT title, suppressed FROM alerts WHERE dedupe_key LIKE 'llm-over-reservation:%' ORDER BY id");
  const sent = alerts.filter((a) => !a.suppressed);
  assert.deepEqual(sent.map((a) => a.title).sort(), ['LLM call over its reservation: sim-large', 'LLM call over its reservation: sim-small'], 'one alert per model');
  assert.ok(alerts.length >= 4, 'the repeats were recorded as suppressed');
  assert.equal(await metricValue('breakwater_llm_over_reservation_total', { role: 'router', model: 'sim-small' }), 2, 'counted: one per run');

  const honoured = await withWorker({ tokenLimitParam: 'max_tokens' }, async () => (await start('runaway-max-tokens')).result());
  assert.equal(honoured.status, 'completed');
  const capped = await llmCalls(t.stack, `runaway-max-tokens-${t.stack.schema}`);
  assert.ok(capped.every((r) => !r.over_reservation && r.output_tokens <= 512), JSON.stringify(capped));
});

test('no usage: tokens are estimated from the text and the cost is marked estimated', async () => {
  t.sim.setScenario(scenario({ noUsage: true }));
  const result = await withWorker({ usage: 'estimated' }, async () => (await start('no-usage')).result());
  assert.equal(result.status, 'completed');
  const rows = await llmCalls(t.stack, `no-usage-${t.stack.schema}`);
  assert.ok(rows.every((r) => r.cost_estimated && r.input_tokens > 0 && r.output_tokens > 0 && Number(r.cost_usd) > 0), JSON.stringify(rows));
  // The answer's own size, not the worst case.
  assert.equal(rows.find((r) => r.agent_role === 'router')!.output_tokens, Math.ceil(JSON.stringify(triage).length / 4));
});

test('drops system messages: folded into the first user message, the instructions reach the model', async () => {
  t.sim.setScenario(scenario({ dropsSystemMessages: true }, [{ json: triage }], { user: 'You are the triage agent' }));
  t.sim.reset();
  const failed = await withWorker(undefined, async () => {
    const handle = await start('drops-system');
    const e = await waitForEscalation(handle, 'llm-call-failed');
    await handle.terminate('test done');
    return e;
  });
  assert.match(failed.latestFailure?.error ?? '', /no scenario rule matched/, 'without folding the instructions never arrive');
  const result = await withWorker({ systemMessages: false }, async () => (await start('folds-system')).result());
  assert.equal(result.status, 'completed');
});

test('crashes on `pattern`: stripped from the schema sent, still enforced by zod (one repair), the server stays up', async () => {
  t.sim.setScenario(scenario({ crashesOnPattern: true }, [{ json: { ...triage, orderIds: ['order 1001'] } }, { json: triage }]));
  t.sim.reset();
  const result = await withWorker({ stripKeywords: ['pattern'] }, async () => (await start('pattern')).result());
  assert.equal(result.status, 'completed');
  assert.ok(completions().every((e) => e.outcome === 'completion'), JSON.stringify(completions()));
  const rows = (await llmCalls(t.stack, `pattern-${t.stack.schema}`)).filter((r) => r.agent_role === 'router');
  assert.deepEqual(rows.map((r) => r.outcome), ['invalid-output', 'ok'], 'zod checked the stripped pattern');
  assert.match(rows[0]!.error ?? '', /orderIds\.0/);
});

test('forced tool call: the schema travels as the tool, the answer comes back as its arguments', async () => {
  t.sim.setScenario(scenario({}));
  const result = await withWorker({ structuredOutput: 'tool_call' }, async () => (await start('tool-call')).result());
  assert.equal(result.status, 'completed');
  assert.deepEqual(result.status === 'completed' && result.triage, triage);
});
