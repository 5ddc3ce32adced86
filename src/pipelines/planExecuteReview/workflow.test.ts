/**
 * planExecuteReview end to end — real Temporal, real Postgres, the LLM simulator over HTTP through the real
 * `openai` client — one test per incident of issue 5.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { CoordinationEntry } from '../../deterministic/convergence';
import { recordHistory } from '../../devstack/histories';
import { llmCalls, searchAttribute, startAgentLayerStack, waitForEscalation, type AgentLayerStack } from '../testKit';
import {
  addressLoopInput, catalogDriftInput, catalogInferred, catalogTaxonomy, inventedTaxonomyInput, planExecuteReviewModels, planExecuteReviewScenario, researchLoopInput,
} from './scenarios';
import { planExecuteReview, type PlanExecuteReviewInput } from './workflow';

let t: AgentLayerStack;
before(async () => {
  t = await startAgentLayerStack({ models: planExecuteReviewModels, scenario: planExecuteReviewScenario });
  await t.stack.db.query('INSERT INTO taxonomies (name, terms) VALUES ($1, $2)', [catalogTaxonomy.name, catalogTaxonomy.terms]);
});
after(async () => t?.stop());

const start = (input: PlanExecuteReviewInput) =>
  t.stack.env.client.workflow.start(planExecuteReview, { taskQueue: t.stack.taskQueue, workflowId: `${input.taskId}-${t.stack.schema}`, args: [input] });

const callsByRole = async (workflowId: string) => {
  const counts: Record<string, number> = {};
  for (const r of await llmCalls(t.stack, workflowId)) counts[r.agent_role] = (counts[r.agent_role] ?? 0) + 1;
  return counts;
};
const outputRows = async (workflowId: string) =>
  (await t.stack.db.query<{ record_id: string; field: string; value: string | null; provenance_kind: string; provenance: Record<string, unknown> }>(
    'SELECT record_id, field, value, provenance_kind, provenance FROM plan_output_values WHERE workflow_id = $1 ORDER BY record_id, field', [workflowId])).rows;

test('the invented taxonomy is stopped at the gate: no step runs, the escalation names the missing resource', async () => {
  const handle = await start(inventedTaxonomyInput());
  const escalation = await waitForEscalation(handle, 'missing-resources');
  assert.match(escalation.reason, /taxonomy 'reference-product-taxonomy' \(no taxonomy with this name/);
  assert.deepEqual(escalation.details?.missing, [{ id: 'reference-taxonomy', kind: 'taxonomy', locator: 'reference-product-taxonomy', why: 'no taxonomy with this name in the taxonomies table' }]);
  assert.equal(await searchAttribute(handle, 'BreakwaterStatus'), 'AwaitingHuman');

  // retry re-checks (still missing → escalates again); reject ends the run.
  await handle.executeUpdate('resolve', { args: [{ decision: 'retry', by: 'ops' }] });
  await waitForEscalation(handle, 'missing-resources');
  await handle.executeUpdate('resolve', { args: [{ decision: 'reject', by: 'ops', reason: 'there is no reference taxonomy' }] });
  const result = await handle.result();
  assert.equal(result.status, 'rejected');
  assert.equal(result.executedSteps, 0);
  assert.deepEqual(await callsByRole(handle.workflowId), { planner: 1 }, 'neither the executor nor the reviewer was ever called');
  assert.deepEqual(await outputRows(handle.workflowId), []);
  const run = await t.stack.db.query<{ status: string; executed_steps: number }>('SELECT status, executed_steps FROM plan_runs WHERE workflow_id = $1', [handle.workflowId]);
  assert.deepEqual(run.rows, [{ status: 'rejected', executed_steps: 0 }]);
});

test('catalog with 30 % inferred categories, a third nonsense: drift flags the batch; inferred values are marked in the output', async () => {
  const handle = await start(catalogDriftInput());
  // The stricter rule for inferred values: the one below θ = 0.8 on the critical field goes to a person.
  const review = await waitForEscalation(handle, 'inferred-values-review');
  assert.deepEqual((review.details?.values as { recordId: string }[]).map((v) => v.recordId), ['C-026']);
  await handle.executeUpdate('resolve', { args: [{ decision: 'approve', by: 'carol' }] });

  const drift = await waitForEscalation(handle, 'semantic-drift');
  const [check] = drift.details?.drift as { field: string; value: number; drifted: boolean; newCategories: string[] }[];
  assert.equal(check?.field, 'category');
  assert.ok(check!.value > 0.1, `JSD ${check!.value} must exceed the threshold`);
  assert.deepEqual(check?.newCategories, ['Automotive Accessories', 'Perishable Food', 'Software']);
  await handle.executeUpdate('resolve', { args: [{ decision: 'approve', by: 'dana', reason: 'flagged for clean-up' }] });
  const result = await handle.result();
  assert.equal(result.status, 'completed');
  assert.equal(result.drift[0]?.drifted, true);

  const rows = (await outputRows(handle.workflowId)).filter((r) => r.field === 'category');
  assert.equal(rows.length, 30);
  const inferred = rows.filter((r) => r.provenance_kind === 'agent-inferred');
  assert.deepEqual(inferred.map((r) => [r.record_id, r.value]), catalogInferred.map((v) => [v.recordId, v.value]));
  assert.ok(inferred.every((r) => r.provenance.role === 'executor' && r.provenance.model === 'sim-small' && typeof r.provenance.confidence === 'number'));
  assert.equal(inferred.find((r) => r.record_id === 'C-026')?.provenance.reviewedBy, 'carol');
  assert.equal(rows.filter((r) => r.provenance_kind === 'source-system').length, 21);
  // And in the result's records, not only in the table.
  assert.deepEqual(result.records.find((r) => r.id === 'C-028')?.fields.category?.provenance, { kind: 'agent-inferred', role: 'executor', model: 'sim-small', confidence: 0.94 });
  assert.deepEqual(result.records.find((r) => r.id === 'C-001')?.fields.category?.provenance, { kind: 'source-system', system: 'erp' });
  await recordHistory(handle, 'planExecuteReview-catalog-drift', t.stack.env.address);
});

test('the address loop: at most 2 re-plans, executed steps ≤ 3 × plan size, then AwaitingHuman with the coordination log', async () => {
  const handle = await start(addressLoopInput());
  const escalation = await waitForEscalation(handle, undefined, 60_000);
  assert.equal(escalation.kind, 'step-budget');
  assert.equal(await searchAttribute(handle, 'BreakwaterStatus'), 'AwaitingHuman');
  const d = escalation.details as { replans: number; executedSteps: number; stepBudget: number; coordinationLog: CoordinationEntry[] };
  assert.ok(d.replans <= 2, `${d.replans} re-plans`);
  assert.equal(d.stepBudget, 6);
  assert.ok(d.executedSteps <= 3 * 2, `${d.executedSteps} steps`);
  assert.deepEqual(d.coordinationLog.filter((e) => e.action === 'replan').map((e) => e.step), ['format-us-address', 'format-state']);
  assert.ok(d.coordinationLog.every((e) => typeof e.at === 'string' && e.agent.length > 0));
  const calls = await callsByRole(handle.workflowId);
  assert.equal(calls.executor, d.executedSteps, 'every executed step is one executor call, no more');

  await handle.executeUpdate('resolve', { args: [{ decision: 'approve', by: 'oncall' }] });
  const result = await handle.result();
  assert.equal(result.status, 'stopped');
  assert.equal(result.trip?.kind, 'step-budget');
  await recordHistory(handle, 'planExecuteReview-address-loop', t.stack.env.address);
  // A run a guard stopped writes no output: its values (the loop wrote country = a street address) are held
  // for a person, with their provenance, apart from the output table.
  assert.deepEqual(await outputRows(handle.workflowId), [], 'nothing of a stopped run is written as output');
  const held = (await t.stack.db.query<{ field: string; provenance_kind: string }>('SELECT field, provenance_kind FROM plan_held_values WHERE workflow_id = $1', [handle.workflowId])).rows;
  assert.deepEqual([...new Set(held.filter((r) => r.provenance_kind === 'agent-inferred').map((r) => r.field))].sort(), ['country', 'postal_code_us']);
});

test('researcher ↔ analyst "I need more context" is stopped at the 3rd identical request', async () => {
  const handle = await start(researchLoopInput());
  const escalation = await waitForEscalation(handle, 'repeated-action');
  const log = (escalation.details as { coordinationLog: CoordinationEntry[] }).coordinationLog;
  assert.equal(log.filter((e) => e.agent === 'analyst' && e.action === 'I need more context' && e.to === 'researcher').length, 3);
  assert.deepEqual(await callsByRole(handle.workflowId), { planner: 1, analyst: 3, researcher: 2 });
  await handle.executeUpdate('resolve', { args: [{ decision: 'reject', by: 'oncall' }] });
  const result = await handle.result();
  assert.equal(result.status, 'rejected');
  const run = await t.stack.db.query<{ coordination_log: CoordinationEntry[] }>('SELECT coordination_log FROM plan_runs WHERE workflow_id = $1', [handle.workflowId]);
  assert.equal(run.rows[0]?.coordination_log.filter((e) => e.agent === 'analyst').length, 3, 'the coordination log is persisted with the run');
});

test('spend above 2 × the plan\'s estimate pauses the run (cost-ceiling) with the coordination log', async () => {
  // No per-step allowance: the estimate is the planner's own cost, so the executor's first calls cross 2 ×.
  const handle = await start({ ...addressLoopInput('address-loop-cost'), costPerStepUsd: 0 });
  const escalation = await waitForEscalation(handle, 'cost-ceiling');
  const d = escalation.details as { spentUsd: number; ceilingUsd: number; estimatedCostUsd: number; coordinationLog: CoordinationEntry[] };
  assert.ok(d.spentUsd > d.ceilingUsd && d.ceilingUsd === 2 * d.estimatedCostUsd, JSON.stringify(d));
  assert.ok(d.coordinationLog.length > 0);
  await handle.executeUpdate('resolve', { args: [{ decision: 'reject', by: 'finance' }] });
  const result = await handle.result();
  assert.equal(result.status, 'rejected');
  assert.ok(result.executedSteps <= 2, `${result.executedSteps} steps ran before the pause`);
});

test('bad input is a non-retryable BW_INVALID_INPUT', async () => {
  const handle = await start({ taskId: 'bad input!', goal: '' } as PlanExecuteReviewInput);
  await assert.rejects(handle.result(), (e: Error & { cause?: { type?: string } }) => e.cause?.type === 'BW_INVALID_INPUT');
});
