/**
 * Tool-using agents, contained (issue 14's "done when"), on the real dev server and Postgres: researchAgent
 * on a real worker plus the search API's broker worker, the LLM simulator scripting tool calls over HTTP.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { WorkflowHandle } from '@temporalio/client';
import type { LlmScenario } from '../../simulators/llm';
import { armFault, faultHits } from '../../faults';
import { toolFaultPoints } from '../../activities/tools';
import { toolCallRows } from '../../store/toolCalls';
import { llmCalls, searchAttribute, waitForEscalation, type AgentLayerStack } from '../testKit';
import { notesOf, publicationsOf } from './store';
import { startResearchStack, type ResearchStack } from './testKit';
import { researchAgent, type ResearchAgentInput } from './workflow';
import { breakwaterCli, stackEnv } from '../submitAndVerify/testKit';
import type { Explanation } from '../../observability/explain';

let t: AgentLayerStack;
let research: ResearchStack | undefined;
before(async () => {
  research = await startResearchStack('sim-large');
  t = research.t;
});
after(async () => {
  await research?.stop();
});

/**
 * The one place a test resolves an escalation (the gate's public `resolve` Update). Decisions may soon need
 * a signature: adapt this function, not the tests.
 */
async function resolveEscalation(handle: WorkflowHandle, decision: 'approve' | 'reject' | 'retry', by = 'qa', reason?: string): Promise<void> {
  await handle.executeUpdate('resolve', { args: [{ decision, by, ...(reason ? { reason } : {}) }] });
}

type Responses = LlmScenario['rules'][number]['responses'];
const final = { json: { summary: 'Tides are driven by the moon.', sources: ['https://docs.example/tides/1'] } };
const calls = (...c: { name: string; arguments: string | Record<string, string> }[]): Responses[number] => ({ toolCalls: c });
const script = (responses: Responses): LlmScenario => ({ rules: [{ id: 'agent', match: { schemaName: 'researchReport' }, responses }] });

function start(name: string, input: Partial<ResearchAgentInput> = {}) {
  return t.stack.env.client.workflow.start(researchAgent, {
    taskQueue: t.stack.taskQueue,
    workflowId: `${name}-${t.stack.schema}`,
    args: [{ topic: `tides (${name})`, ...input }],
  });
}

/** runTool activities the run scheduled, from its history. */
async function runToolActivities(handle: WorkflowHandle): Promise<number> {
  const history = await handle.fetchHistory();
  return (history.events ?? []).filter((e) => e.activityTaskScheduledEventAttributes?.activityType?.name === 'runTool').length;
}

test('40 parallel searches requested: at most the cap run, the rest are refused to the model, the run completes', async () => {
  const searches = Array.from({ length: 40 }, (_, i) => ({ name: 'search', arguments: { query: `tides ${i}` } }));
  t.sim.setScenario(script([{ toolCalls: searches }, final]));
  const handle = await start('fanout', { maxParallelToolCalls: 5, perTool: { search: 10 } });
  const result = await handle.result();
  assert.equal(result.status, 'completed');
  const rows = await toolCallRows(t.stack.db, handle.workflowId);
  assert.equal(rows.filter((r) => r.status === 'ran').length, 5, 'exactly the cap ran');
  assert.equal(rows.filter((r) => r.status === 'refused' && r.reason === 'over-parallel-cap').length, 35);
  assert.equal(await runToolActivities(handle), 5, 'refused calls reach no activity');
  // The model's next turn saw one answer per call: 5 results and 35 refusals.
  const llm = await llmCalls(t.stack, handle.workflowId);
  assert.deepEqual(llm.map((r) => r.outcome), ['tool-calls', 'ok']);
  const { rows: sent } = await t.stack.db.query<{ m: { role: string; content: string }[] }>('SELECT request_messages AS m FROM llm_calls WHERE id = $1', [llm[1]!.id]);
  const toolMessages = sent[0]!.m.filter((m) => m.role === 'tool');
  assert.equal(toolMessages.length, 40);
  assert.equal(toolMessages.filter((m) => m.content.includes('at most 5 tool calls run per turn')).length, 35);
  assert.equal(result.status === 'completed' && result.refused, 35);
});

test('the same write call, across a worker attempt dying right after the effect, runs once', async () => {
  const note = { name: 'saveNote', arguments: { title: 'Moon', body: 'The moon drives tides.', source: 'https://docs.example/tides/1' } };
  t.sim.setScenario(script([calls(note), calls(note), final]));
  const point = toolFaultPoints('saveNote').afterEffect;
  const before = faultHits(point);
  armFault(point, 'throw');
  const handle = await start('write-once');
  const result = await handle.result();
  assert.equal(result.status, 'completed');
  assert.ok(faultHits(point) > before, 'the fault point was reached');
  assert.deepEqual(await notesOf(t.stack.db, handle.workflowId), [{ title: 'Moon', writes: 1 }], "the tool's code wrote once");
  const rows = (await toolCallRows(t.stack.db, handle.workflowId)).filter((r) => r.tool === 'saveNote');
  assert.deepEqual(rows.map((r) => r.status), ['ran', 'cached', 'cached'], 'ran once; the retry after the fault and the repeated call got the recorded result');
  assert.equal(new Set(rows.map((r) => r.fingerprint)).size, 1);
});

test('an unknown tool and invalid arguments reach no activity; the model is told, the refusals recorded', async () => {
  t.sim.setScenario(script([calls({ name: 'deleteEverything', arguments: {} }, { name: 'saveNote', arguments: '{"title": 5' }, { name: 'saveNote', arguments: { title: '' } }), final]));
  const handle = await start('refusals');
  const result = await handle.result();
  assert.equal(result.status, 'completed');
  assert.equal(await runToolActivities(handle), 0);
  const rows = await toolCallRows(t.stack.db, handle.workflowId);
  assert.deepEqual(rows.map((r) => [r.tool, r.status, r.reason]), [['deleteEverything', 'refused', 'unknown-tool'], ['saveNote', 'refused', 'invalid-arguments'], ['saveNote', 'refused', 'invalid-arguments']]);
  assert.deepEqual(await notesOf(t.stack.db, handle.workflowId), []);
});

test('a repeated call escalates with the transcript; reject ends the run', async () => {
  t.sim.setScenario(script([calls({ name: 'fetchPage', arguments: { url: 'https://docs.example/tides/1' } })]));
  const handle = await start('repeat');
  const escalation = await waitForEscalation(handle, 'agent-stopped');
  const details = escalation.details as { cap: string; transcript: { kind: string; tool?: string }[] };
  assert.equal(details.cap, 'repeated-call');
  assert.ok(details.transcript.filter((e) => e.kind === 'tool' && e.tool === 'fetchPage').length === 2, JSON.stringify(details.transcript));
  assert.equal(await searchAttribute(handle, 'BreakwaterStatus'), 'AwaitingHuman');
  await resolveEscalation(handle, 'reject', 'qa', 'looping');
  const result = await handle.result();
  assert.deepEqual({ status: result.status, step: result.status === 'rejected' && result.step }, { status: 'rejected', step: 'research' });
  assert.equal(await runToolActivities(handle), 2, 'the third identical call never ran');
});

test('no final answer within maxTurns escalates with the transcript', async () => {
  const pages = Array.from({ length: 6 }, (_, i) => calls({ name: 'fetchPage', arguments: { url: `https://docs.example/tides/${i}` } }));
  t.sim.setScenario(script(pages));
  const handle = await start('max-turns', { maxTurns: 3 });
  const escalation = await waitForEscalation(handle, 'agent-stopped');
  const details = escalation.details as { cap: string; turns: number; transcript: { kind: string }[] };
  assert.deepEqual([details.cap, details.turns], ['max-turns', 3]);
  assert.equal(details.transcript.filter((e) => e.kind === 'model').length, 3);
  await resolveEscalation(handle, 'reject');
  assert.equal((await handle.result()).status, 'rejected');
  assert.equal((await llmCalls(t.stack, handle.workflowId)).length, 3, 'no fourth turn');
});

test('an irreversible tool waits for a person and runs once after approval', async () => {
  t.sim.setScenario(script([calls({ name: 'publish', arguments: { title: 'Tides', summary: 'The moon drives them.' } }), final]));
  const handle = await start('publish');
  const escalation = await waitForEscalation(handle, 'tool-approval');
  assert.equal((escalation.details as { tool: string }).tool, 'publish');
  assert.deepEqual(await publicationsOf(t.stack.db, handle.workflowId), [], 'nothing published while it waits');
  assert.equal(await runToolActivities(handle), 0);
  await resolveEscalation(handle, 'approve', 'editor');
  const result = await handle.result();
  assert.equal(result.status, 'completed');
  assert.deepEqual(await publicationsOf(t.stack.db, handle.workflowId), [{ title: 'Tides', writes: 1 }]);
  const rows = (await toolCallRows(t.stack.db, handle.workflowId)).filter((r) => r.tool === 'publish');
  assert.deepEqual(rows.map((r) => [r.status, r.approved_by]), [['ran', 'editor']]);
});

test('breakwater explain shows the turns and the tool calls in order', async () => {
  t.sim.setScenario(script([
    calls({ name: 'search', arguments: { query: 'tides' } }, { name: 'nope', arguments: {} }),
    calls({ name: 'saveNote', arguments: { title: 'T', body: 'B', source: 'S' } }),
    final,
  ]));
  const handle = await start('explain');
  assert.equal((await handle.result()).status, 'completed');
  const env = { ...stackEnv(t.stack, 'http://127.0.0.1:9'), OPENAI_BASE_URL: `${t.sim.url}/v1`, BREAKWATER_MODELS_FILE: t.modelsFile };
  const e = JSON.parse((await breakwaterCli(env, ['explain', handle.workflowId, '--json'])).stdout) as Explanation;
  assert.deepEqual(e.agentTurns?.map((x) => [x.turn, x.answer, x.calls.map((c) => `${c.tool}:${c.status}${c.reason ? `:${c.reason}` : ''}`)]), [
    [1, 'tools', ['nope:refused:unknown-tool', 'search:ran']],
    [2, 'tools', ['saveNote:ran']],
    [3, 'final', []],
  ]);
  const text = (await breakwaterCli(env, ['explain', handle.workflowId])).stdout;
  assert.match(text, /Agent turns and tool calls:\n {2}researcher turn 1: asked for 2 tool call\(s\)/);
  assert.match(text, /nope {2}refused \(unknown-tool\)/);
  assert.match(text, /runTool/);
});

test("the agent's own budget stops the loop and escalates; retry grants another round that can finish", async () => {
  const pages = (i: number) => calls({ name: 'fetchPage', arguments: { url: `https://docs.example/budget/${i}` } });
  t.sim.setScenario(script([{ ...pages(1), usage: { prompt_tokens: 1000, completion_tokens: 100 } } as Responses[number], final]));
  // sim-large: 1000 × 2.5 + 100 × 10 per million = 0.0035 USD for the first turn, over a 0.001 USD agent budget.
  const handle = await start('budget', { agentBudgetUsd: 0.001 });
  const escalation = await waitForEscalation(handle, 'agent-stopped');
  assert.equal((escalation.details as { cap: string }).cap, 'budget');
  assert.equal((await llmCalls(t.stack, handle.workflowId)).length, 1, 'no turn after the budget was spent');
  await resolveEscalation(handle, 'retry');
  const result = await handle.result();
  assert.equal(result.status, 'completed');
  assert.equal(result.status === 'completed' && result.turns, 2);
});

test('the deadline stops the loop and escalates', async () => {
  t.sim.setScenario(script([{ ...calls({ name: 'fetchPage', arguments: { url: 'https://docs.example/slow/1' } }), delayMs: 1200 } as Responses[number], final]));
  const handle = await start('deadline', { deadline: '1 second' });
  const escalation = await waitForEscalation(handle, 'agent-stopped');
  assert.equal((escalation.details as { cap: string }).cap, 'deadline');
  await resolveEscalation(handle, 'reject');
  assert.equal((await handle.result()).status, 'rejected');
});
