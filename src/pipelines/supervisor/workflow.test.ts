/**
 * The supervisor pattern end to end: sub-agents as child workflows on a real Temporal server, their agents
 * on the LLM simulator over HTTP, depth-limited delegation.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { LlmScenario } from '../../simulators/llm';
import { recordHistory } from '../../devstack/histories';
import { searchAttribute, startAgentLayerStack, waitForEscalation, type AgentLayerStack } from '../testKit';
import { planExecuteReviewModels } from '../planExecuteReview/scenarios';
import { supervisor, type ChildFailure } from './workflow';
import type { SubAgentResult } from './subAgent';
import { explainWorkflow } from '../../observability/explainData';
import { renderExplanation } from '../../observability/explain';
import { handleViewer } from '../../observability/viewer/routes';

const answer = (text: string) => ({ json: { outcome: 'answer', answer: text, subtasks: [], reason: null, confidence: 0.9 } });
const scenario: LlmScenario = {
  rules: [
    { id: 'flights', match: { schemaName: 'subAgentAnswer', user: 'Subtask: flights\n' }, responses: [answer('LH 400, 12 May')] },
    { id: 'hotels', match: { schemaName: 'subAgentAnswer', user: 'Subtask: hotels\n' }, responses: [answer('Hotel Adlon, 3 nights')] },
    // The visa agent wants to split its sub-task further: beyond the depth limit, its child fails for good.
    { id: 'visa', match: { schemaName: 'subAgentAnswer', user: 'Subtask: visa\n' }, responses: [{ json: { outcome: 'delegate', answer: null, subtasks: [{ id: 'visa-form', role: 'worker', instruction: 'fill the form' }], reason: null, confidence: 0.6 } }] },
    { id: 'visa-form', match: { schemaName: 'subAgentAnswer', user: 'Subtask: visa-form\n' }, responses: [answer('form filled')] },
  ],
};

let t: AgentLayerStack;
before(async () => {
  t = await startAgentLayerStack({ models: planExecuteReviewModels, scenario });
});
after(async () => t?.stop());

const subtasks = [
  { id: 'flights', role: 'worker', instruction: 'book flights to Berlin' },
  { id: 'hotels', role: 'worker', instruction: 'book a hotel in Berlin' },
  { id: 'visa', role: 'worker', instruction: 'arrange the visa' },
];

test('3 children, one failing permanently: the parent escalates with its failure and keeps the other two results', async () => {
  const handle = await t.stack.env.client.workflow.start(supervisor, {
    taskQueue: t.stack.taskQueue, workflowId: `trip-${t.stack.schema}`, args: [{ taskId: 'trip', goal: 'Plan a trip to Berlin', subtasks, maxDepth: 1 }],
  });
  const escalation = await waitForEscalation(handle, 'child-failed');
  const d = escalation.details as { failures: ChildFailure[]; results: SubAgentResult[] };
  assert.equal(d.failures.length, 1);
  assert.equal(d.failures[0]?.id, 'visa');
  assert.equal(d.failures[0]?.type, 'BW_DELEGATION_DEPTH_EXCEEDED');
  assert.equal(d.failures[0]?.workflowId, `trip-${t.stack.schema}/visa`);
  assert.match(d.failures[0]!.message, /asked to delegate at depth 1; the limit is 1/);
  assert.deepEqual(d.results.map((r) => [r.id, r.answer]), [['flights', 'LH 400, 12 May'], ['hotels', 'Hotel Adlon, 3 nights']]);
  assert.equal(await searchAttribute(handle, 'BreakwaterStatus'), 'AwaitingHuman');
  const child = await t.stack.env.client.workflow.getHandle(`trip-${t.stack.schema}/visa`).describe();
  assert.equal(child.status.name, 'FAILED');

  await handle.executeUpdate('resolve', { args: [{ decision: 'approve', by: 'planner-on-call' }] });
  const result = await handle.result();
  assert.equal(result.status, 'partial');
  assert.deepEqual(result.results.map((r) => r.id), ['flights', 'hotels']);
  assert.equal(result.failures[0]?.type, 'BW_DELEGATION_DEPTH_EXCEEDED');
  assert.equal(result.decidedBy, 'planner-on-call');
  await recordHistory(handle, 'supervisor-child-failed', t.stack.env.address);
});

test('below the depth limit a sub-agent delegates through a supervisor of its own', async () => {
  const handle = await t.stack.env.client.workflow.start(supervisor, {
    taskQueue: t.stack.taskQueue, workflowId: `trip2-${t.stack.schema}`, args: [{ taskId: 'trip2', goal: 'Plan a trip to Berlin', subtasks, maxDepth: 2 }],
  });
  const result = await handle.result();
  assert.equal(result.status, 'completed');
  const visa = result.results.find((r) => r.id === 'visa');
  assert.equal(visa?.answer, 'form filled');
  assert.deepEqual(visa?.delegated?.results.map((r) => r.id), ['visa-form']);
});

test('explain and the run page draw the hand-offs across runs: parent, children and grandchild, each linked', async () => {
  const id = `trip3-${t.stack.schema}`;
  const handle = await t.stack.env.client.workflow.start(supervisor, {
    taskQueue: t.stack.taskQueue, workflowId: id, args: [{ taskId: 'trip3', goal: 'Plan a trip to Berlin', subtasks, maxDepth: 2 }],
  });
  await handle.result();
  const sources = { client: t.stack.env.client, db: t.stack.db };
  const parent = await explainWorkflow(sources, id);
  assert.deepEqual(parent.related?.children.map((c) => [c.workflowId, c.workflowType, c.outcome]), [
    [`${id}/flights`, 'subAgent', 'completed'], [`${id}/hotels`, 'subAgent', 'completed'], [`${id}/visa`, 'subAgent', 'completed'],
  ]);
  assert.equal(parent.related?.parent, undefined);
  const visa = await explainWorkflow(sources, `${id}/visa`);
  assert.equal(visa.related?.parent?.workflowId, id, 'the child names its parent');
  assert.equal(visa.related?.children.length, 1, 'and its own child (the delegated supervisor)');
  assert.match(renderExplanation(visa), new RegExp(`parent +${id}`));
  const page = (await handleViewer({ ...sources, link: () => '' }, new URL(`http://x/runs/${encodeURIComponent(id)}`)))!.body;
  const across = /<section id="across-runs">([\s\S]*?)<\/section>/.exec(page)?.[1] ?? '';
  assert.match(across, /<svg class="sequence"/);
  for (const c of ['flights', 'hotels', 'visa']) assert.ok(across.includes(`href="/runs/${encodeURIComponent(`${id}/${c}`)}?run=`), `links the ${c} child run`);
});
