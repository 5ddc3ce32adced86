/**
 * The agent layer end to end: agentDecision on a real worker, real Temporal, real Postgres, the LLM
 * simulator over HTTP through the real `openai` client. Invalid output, confidence gate, budget.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { promisify } from 'node:util';
import type { LlmScenario } from '../../simulators/llm';
import { llmCalls, searchAttribute, startAgentLayerStack, waitForEscalation, type AgentLayerStack } from '../testKit';
import { recordHistory } from '../../devstack/histories';
import { agentDecision, type AgentDecisionInput } from './workflow';

let t: AgentLayerStack;
before(async () => {
  t = await startAgentLayerStack();
});
after(async () => t?.stop());

const triage = { category: 'order', orderIds: ['ORD-1001'], customerId: 'CUS-7' };
const decision = (over: Record<string, unknown> = {}) => ({ action: 'refund', orderId: 'ORD-1001', confidence: 0.93, evidence: ['ORD-1001 arrived damaged'], ...over });
const scenario = (decider: LlmScenario['rules'][number]['responses'], triageUsage?: object): LlmScenario => ({
  rules: [
    { id: 'triage', match: { schemaName: 'requestTriage' }, responses: [{ json: triage, ...(triageUsage ? { usage: triageUsage } : {}) }] },
    { id: 'decide', match: { schemaName: 'actionDecision' }, responses: decider },
  ],
});

function start(name: string, input: Partial<AgentDecisionInput> = {}) {
  return t.stack.env.client.workflow.start(agentDecision, {
    taskQueue: t.stack.taskQueue,
    workflowId: `${name}-${t.stack.schema}`,
    args: [{ requestId: `req-${name}`, text: `Order ORD-1001 arrived damaged, please refund (${name})`, ...input }],
  });
}

const decisionRows = async (workflowId: string) =>
  (await t.stack.db.query<{ action: string; decided_by: string }>('SELECT action, decided_by FROM agent_decisions WHERE workflow_id = $1', [workflowId])).rows;

test('schema-violating output is repaired once, with the validation error fed back', async () => {
  t.sim.setScenario(scenario([{ json: decision({ confidence: 1.7 }) }, { json: decision() }]));
  const handle = await start('repair');
  const result = await handle.result();
  assert.equal(result.status, 'completed');
  assert.equal(result.status === 'completed' && result.decision.confidence, 0.93);

  const rows = (await llmCalls(t.stack, handle.workflowId)).filter((r) => r.agent_role === 'decider');
  assert.deepEqual(rows.map((r) => [r.outcome, r.repair, r.attempt]), [['invalid-output', 0, 1], ['ok', 1, 1]]);
  const { rows: sent } = await t.stack.db.query<{ m: { role: string; content: string }[] }>('SELECT request_messages AS m FROM llm_calls WHERE id = $1', [rows[1]!.id]);
  const last = sent[0]!.m.at(-1)!;
  assert.equal(last.role, 'user');
  assert.match(last.content, /confidence: Too big/);
  assert.deepEqual((await decisionRows(handle.workflowId)).map((r) => r.action), ['refund']);
});

test('output still invalid after the repair escalates and never reaches the next activity; reject ends it', async () => {
  t.sim.setScenario(scenario([{ text: '{"action": "refund", ' }, { json: decision({ action: 'delete_everything' }) }]));
  const handle = await start('invalid');
  const escalation = await waitForEscalation(handle, 'invalid-output');
  assert.equal(escalation.step, 'decide');
  assert.ok((escalation.details?.issues as string[]).some((i) => i.startsWith('action:')), JSON.stringify(escalation.details));
  assert.equal(await searchAttribute(handle, 'BreakwaterStatus'), 'AwaitingHuman');
  assert.deepEqual(await decisionRows(handle.workflowId), [], 'the invalid decision must not reach recordAgentDecision');

  await handle.executeUpdate('resolve', { args: [{ decision: 'reject', by: 'qa', reason: 'model keeps inventing actions' }] });
  const result = await handle.result();
  assert.deepEqual({ status: result.status, step: result.status === 'rejected' && result.step }, { status: 'rejected', step: 'decide' });
  assert.equal(await searchAttribute(handle, 'BreakwaterStatus'), 'Rejected');
  assert.deepEqual(await decisionRows(handle.workflowId), []);
  const outcomes = (await llmCalls(t.stack, handle.workflowId)).filter((r) => r.agent_role === 'decider').map((r) => r.outcome);
  assert.deepEqual(outcomes, ['invalid-output', 'invalid-output']);
});

test('low confidence → AwaitingHuman with the decision and its evidence; approve continues', async () => {
  t.sim.setScenario(scenario([{ json: decision({ confidence: 0.42 }) }]));
  const handle = await start('lowconf-approve', { confidenceThreshold: 0.8 });
  const escalation = await waitForEscalation(handle, 'low-confidence');
  assert.deepEqual((escalation.details as { decision: { action: string; confidence: number } }).decision.action, 'refund');
  assert.deepEqual(escalation.details?.evidence, ['ORD-1001 arrived damaged']);
  assert.equal(await searchAttribute(handle, 'BreakwaterStatus'), 'AwaitingHuman');
  assert.deepEqual(await decisionRows(handle.workflowId), []);

  await handle.executeUpdate('resolve', { args: [{ decision: 'approve', by: 'alice' }] });
  const result = await handle.result();
  await recordHistory(handle, 'agentDecision-low-confidence-approved', t.stack.env.address);
  assert.equal(result.status, 'completed');
  assert.equal(result.status === 'completed' && result.decidedBy, 'alice');
  assert.deepEqual(await decisionRows(handle.workflowId), [{ action: 'refund', decided_by: 'alice' }]);
  assert.equal(await searchAttribute(handle, 'BreakwaterStatus'), 'Completed');
});

test('low confidence; reject ends the run with a clear status and records nothing', async () => {
  t.sim.setScenario(scenario([{ json: decision({ confidence: 0.3 }) }]));
  const handle = await start('lowconf-reject');
  await waitForEscalation(handle, 'low-confidence');
  await handle.executeUpdate('resolve', { args: [{ decision: 'reject', by: 'bob', reason: 'not enough evidence' }] });
  const result = await handle.result();
  assert.deepEqual(result, { status: 'rejected', requestId: 'req-lowconf-reject', step: 'decide', by: 'bob', reason: 'not enough evidence', costUsd: result.costUsd });
  assert.equal(await searchAttribute(handle, 'BreakwaterStatus'), 'Rejected');
  assert.deepEqual(await decisionRows(handle.workflowId), []);
});

const cli = (args: string[]) =>
  promisify(execFile)(process.execPath, [path.resolve(__dirname, '..', 'cli.js'), ...args], {
    env: { ...process.env, TEMPORAL_ADDRESS: t.stack.env.address, TEMPORAL_NAMESPACE: 'default' },
  }).then(
    (r) => ({ code: 0, stdout: r.stdout }),
    (e: { code: number; stdout: string }) => ({ code: e.code, stdout: e.stdout }),
  );

test('budget: cost = Σ tokens × price exactly; 75 % alert once; spend never exceeds the budget; `budget raise` resumes', async () => {
  // router on sim-small (0.15 / 0.6 USD per 1M): 1000 in + 1100 out = 0.00081 USD → 81 % of 0.001.
  // decider on sim-large (2.5 / 10 USD per 1M): its worst case (1024 out alone is 0.01024 USD) does not fit
  // in what is left, so it is refused before it is sent and the run pauses as at 100 %.
  t.sim.setScenario(scenario([{ json: decision(), usage: { prompt_tokens: 2000, completion_tokens: 500 } }], { prompt_tokens: 1000, completion_tokens: 1100 }));
  const decidersSent = () => t.sim.log().filter((e) => e.schemaName === 'actionDecision').length;
  const sentBefore = decidersSent();
  const handle = await start('budget', { budgetUsd: 0.001 });
  const escalation = await waitForEscalation(handle, 'budget-exhausted');
  const spentAtPause = Number(await searchAttribute(handle, 'BreakwaterCostUsd'));
  assert.ok(spentAtPause <= 0.001, `spend never exceeds the budget: spent ${spentAtPause} USD of a 0.001 USD budget`);
  assert.equal(spentAtPause, 0.00081);
  assert.equal(escalation.step, 'decide');
  assert.equal(await searchAttribute(handle, 'BreakwaterBudgetState'), 'exhausted');
  assert.deepEqual(await decisionRows(handle.workflowId), [], 'paused before the next step');
  const refused = (await llmCalls(t.stack, handle.workflowId)).filter((r) => r.agent_role === 'decider');
  assert.deepEqual(refused.map((r) => [r.outcome, r.cost_usd]), [['refused-run-budget', '0.000000000']], 'refused before it was sent');
  assert.equal(decidersSent(), sentBefore, 'the decider was never sent');

  // Bad input is a usage error (exit 2), and so is a "raise" that does not raise.
  assert.equal((await cli(['budget', 'raise', handle.workflowId, '--to', 'lots', '--by', 'carol', '--json'])).code, 2);
  assert.equal((await cli(['budget', 'raise', handle.workflowId, '--to', '0.0001', '--by', 'carol', '--json'])).code, 2);
  const raised = await cli(['budget', 'raise', handle.workflowId, '--to', '0.05', '--by', 'carol', '--json']);
  assert.equal(raised.code, 0, raised.stdout);
  assert.equal((JSON.parse(raised.stdout) as { budget: { limitUsd: number } }).budget.limitUsd, 0.05);

  const result = await handle.result();
  await recordHistory(handle, 'agentDecision-budget-reserved', t.stack.env.address);
  assert.equal(result.status, 'completed');
  assert.equal(result.costUsd, 0.01081);
  assert.ok(result.costUsd <= 0.05, `spend never exceeds the budget: spent ${result.costUsd} USD of 0.05`);

  const { rows } = await t.stack.db.query<{ recorded: string; derived: string }>(
    `SELECT sum(cost_usd)::text AS recorded, (sum(input_tokens * input_usd_per_m + output_tokens * output_usd_per_m) / 1000000)::numeric(20,9)::text AS derived
     FROM llm_calls WHERE workflow_id = $1`,
    [handle.workflowId],
  );
  assert.equal(rows[0]!.recorded, '0.010810000');
  assert.equal(rows[0]!.derived, rows[0]!.recorded);

  const alerts = await t.stack.db.query<{ dedupe_key: string }>('SELECT dedupe_key FROM alerts WHERE workflow_id = $1 ORDER BY id', [handle.workflowId]);
  assert.equal(alerts.rows.filter((a) => a.dedupe_key.startsWith('budget-warning:')).length, 1, JSON.stringify(alerts.rows));
  assert.equal(alerts.rows.filter((a) => a.dedupe_key.startsWith('budget-exhausted:')).length, 1);
  assert.equal(await searchAttribute(handle, 'BreakwaterBudgetState'), 'ok');
});

test('a call that lost its response is charged its worst case, marked estimated, on the run and the daily cap', async () => {
  t.sim.setScenario(scenario([{ disconnect: true }, { json: decision(), usage: { prompt_tokens: 2000, completion_tokens: 500 } }], { prompt_tokens: 1000, completion_tokens: 200 }));
  const today = async () =>
    (await t.stack.db.query<{ spent: string }>("SELECT COALESCE((SELECT spent_usd FROM llm_daily_spend WHERE day = (now() AT TIME ZONE 'UTC')::date), 0)::text AS spent")).rows[0]!.spent;
  const spentBefore = Number(await today());
  const handle = await start('lost-response');
  const result = await handle.result();
  assert.equal(result.status, 'completed');

  const rows = (await llmCalls(t.stack, handle.workflowId)).filter((r) => r.agent_role === 'decider');
  assert.deepEqual(rows.map((r) => [r.outcome, r.attempt, r.cost_estimated]), [['network-error', 1, true], ['ok', 2, false]]);
  const estimate = Number(rows[0]!.cost_usd);
  // The worst case: at least the role's maxOutputTokens (512) at sim-large's 10 USD per 1M, plus the input.
  assert.ok(estimate > 0.00512, `estimated ${estimate} USD`);
  const all = await llmCalls(t.stack, handle.workflowId);
  const recorded = all.reduce((s, r) => s + Math.round(Number(r.cost_usd) * 1e9), 0);
  assert.equal(Math.round(result.costUsd * 1e9), recorded, 'the run counts the estimate');
  assert.equal(Math.round(result.costUsd * 1e9), Math.round((0.00027 + 0.01 + estimate) * 1e9));
  assert.equal(Math.round((Number(await today()) - spentBefore) * 1e9), recorded, 'the daily cap counts the estimate');
});

test('each agent call upserts the cost once and the budget state only when its level changes; both end visible', async () => {
  t.sim.setScenario(scenario([{ json: decision() }]));
  const handle = await start('one-upsert');
  const result = await handle.result();
  assert.equal(result.status, 'completed');
  const events = (await handle.fetchHistory()).events ?? [];
  // Between a callModel result and the next command: the upserts of that one spend.
  const afterCall = (i: number) => {
    const keys: string[][] = [];
    for (let j = i + 1; j < events.length && !events[j]!.activityTaskScheduledEventAttributes && !events[j]!.workflowExecutionCompletedEventAttributes; j++) {
      const fields = events[j]!.upsertWorkflowSearchAttributesEventAttributes?.searchAttributes?.indexedFields;
      if (fields && !('BreakwaterStatus' in fields)) keys.push(Object.keys(fields).sort());
    }
    return keys;
  };
  const callResults = events.flatMap((e, i) => (e.activityTaskCompletedEventAttributes && events.find((s) => s.eventId?.toString() === e.activityTaskCompletedEventAttributes!.scheduledEventId?.toString())?.activityTaskScheduledEventAttributes?.activityType?.name === 'callModel' ? [i] : []));
  assert.equal(callResults.length, 2, 'triage and decide');
  for (const i of callResults) assert.deepEqual(afterCall(i), [['BreakwaterCostUsd']], 'one upsert, the cost only: the budget level stayed ok');
  assert.equal(await searchAttribute(handle, 'BreakwaterBudgetState'), 'ok');
  assert.equal(await searchAttribute(handle, 'BreakwaterCostUsd'), result.costUsd);
});
