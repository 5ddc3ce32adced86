/**
 * Unbounded agent conversations: researchAgent with a small history limit continues as new between turns,
 * again and again, while a worker is SIGKILLed in the middle of a write (the named fault point
 * `tool.saveNote.afterEffect`, in the second run of the chain). One workflow id, a chain of runs, and:
 * no tool call lost or run twice, each note written once (also one the model asks for again after a
 * rollover), the cost counted once (the answer's cost = the run budget's spend = Σ llm_calls), the answer.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { Client } from '@temporalio/client';
import { temporal as temporalProto, type temporal } from '@temporalio/proto';
import { toolFaultPoints } from '../../activities/tools';
import type { ChatMessage } from '../../contracts/agentCall';
import { wholeTurns } from '../../contracts/agentCarry';
import { decimalToNano } from '../../deterministic/budget';
import { Failure, isFailure } from '../../failures';
import type { LlmScenario } from '../../simulators/llm';
import { toolCallRows } from '../../store/toolCalls';
import { llmCalls, searchAttribute, startAgentLayerStack, waitForEscalation, testModels, type AgentLayerStack } from '../testKit';
import { notesOf, publicationsOf } from './store';
import { spawnDoomedWorker } from './testKit';
import { researchAgent } from './workflow';

let t: AgentLayerStack;
let worker: Promise<unknown> | undefined;
/** The clean worker, started once (after the doomed one died) and running until teardown. */
const cleanWorker = () => (worker ??= t.stack.startWorker());
before(async () => {
  t = await startAgentLayerStack({ models: { ...testModels, roles: { ...testModels.roles, researcher: { model: 'sim-large', maxOutputTokens: 512 } } }, startWorker: false });
});
after(async () => t?.stop());

type Responses = LlmScenario['rules'][number]['responses'];
const fetchPage = (n: number) => ({ name: 'fetchPage', arguments: { url: `https://docs.example/tides/${n}` } });
const note = (title: string) => ({ name: 'saveNote', arguments: { title, body: `${title} drives tides.`, source: `https://docs.example/${title}` } });
const turns: { name: string; arguments: Record<string, string> }[][] = [
  [fetchPage(1)],
  [fetchPage(2)],
  [note('Moon')], // the doomed worker dies right after this write, before its fingerprint is done
  [fetchPage(3), note('Sun')],
  [note('Moon')], // asked again, runs later in the chain: must get the recorded result, not write again
  [fetchPage(4)],
  [note('Wind')],
  [fetchPage(5)],
];
const finalAnswer = { summary: 'The moon and the sun drive the tides.', sources: ['https://docs.example/tides/1'] };

/** Every run of the chain, first to last, with its events and the bytes of the carry it handed on. */
async function runChain(client: Client, workflowId: string, firstRunId: string) {
  const runs: { runId: string; events: number; carryBytes?: number; opening: string[] }[] = [];
  let runId: string | undefined = firstRunId;
  while (runId) {
    const history: temporal.api.history.v1.IHistory = await client.workflow.getHandle(workflowId, runId).fetchHistory();
    const events = history.events ?? [];
    const can = events.at(-1)?.workflowExecutionContinuedAsNewEventAttributes;
    // What a run does before its first activity: its start (and, after a rollover, nothing else of the loop's).
    const first = events.findIndex((e) => e.activityTaskScheduledEventAttributes);
    const opening = events.slice(0, first < 0 ? events.length : first).map((e) => String(temporalProto.api.enums.v1.EventType[e.eventType ?? 0]).replace('EVENT_TYPE_', ''));
    runs.push({ runId, events: events.length, opening, ...(can ? { carryBytes: (can.input?.payloads ?? []).reduce((n: number, p) => n + (p.data?.length ?? 0), 0) } : {}) });
    runId = can?.newExecutionRunId ?? undefined;
  }
  return runs;
}

test('a conversation continues as new 3+ times, across a worker killed mid-write: no call lost or repeated, writes once, cost once, the answer', async () => {
  const responses: Responses = [...turns.map((c) => ({ toolCalls: c })), { json: finalAnswer }];
  t.sim.setScenario({ rules: [{ match: { schemaName: 'researchReport' }, responses }] });
  const point = toolFaultPoints('saveNote').afterEffect;
  const doomed = spawnDoomedWorker(t, point);

  const client = t.stack.env.client;
  const handle = await client.workflow.start(researchAgent, { taskQueue: t.stack.taskQueue, workflowId: `can-${t.stack.schema}`, args: [{ topic: 'tides', toolTimeout: '3 seconds', historyEvents: 30, maxTurns: 12 }] });
  const { code, signal, stderr } = await doomed.exited;
  assert.equal(signal, 'SIGKILL', `worker exited with code ${code}, stderr: ${stderr}`);
  assert.match(stderr, /fault point tool\.saveNote\.afterEffect/);
  assert.ok((await runChain(client, handle.workflowId, handle.firstExecutionRunId)).length >= 2, 'the worker died in a run that had continued from another');
  assert.deepEqual(await notesOf(t.stack.db, handle.workflowId), [{ title: 'Moon', writes: 1 }]);

  await cleanWorker();
  const result = await client.workflow.getHandle(handle.workflowId).result();
  assert.equal(result.status, 'completed');
  if (result.status !== 'completed') return;
  assert.deepEqual({ summary: result.summary, sources: result.sources }, finalAnswer);

  // The chain: one workflow id, 4+ runs, the last one completed with the answer.
  const chain = await runChain(client, handle.workflowId, handle.firstExecutionRunId);
  console.log(`chain: ${chain.length} runs, events ${chain.map((r) => r.events).join('/')}, carry bytes ${chain.flatMap((r) => r.carryBytes ?? []).join('/')}`);
  console.log(`opening events: first run ${chain[0]!.opening.join(',')}; continued runs ${chain.slice(1).map((r) => r.opening.length).join('/')}: ${chain[1]!.opening.join(',')}`);
  // A continued run starts like a fresh one: the carried budget does not upsert the cost attribute again.
  assert.ok(chain.slice(1).every((r) => r.opening.length <= chain[0]!.opening.length), 'no events added to a continued run before its first turn');
  assert.ok(chain.length >= 4, `at least 3 continue-as-new boundaries, got ${chain.length - 1}`);
  assert.equal(result.rollovers, chain.length - 1);
  assert.ok(chain.every((r) => r.events < 30 + 20), 'each run stays near the limit (one turn past it at most)');
  assert.ok(chain.every((r) => r.carryBytes === undefined || r.carryBytes < 32 * 1024), 'the carry stays small');
  const listed: string[] = [];
  for await (const w of client.workflow.list({ query: `WorkflowId = '${handle.workflowId}'` })) listed.push(w.runId);
  assert.deepEqual(new Set(listed), new Set(chain.map((r) => r.runId)), 'visibility lists the whole chain under the one workflow id');

  // Turns: each model answer used once, in order, numbered across the chain; nothing asked twice.
  const llm = await llmCalls(t.stack, handle.workflowId);
  assert.deepEqual(llm.map((r) => r.outcome), [...turns.map(() => 'tool-calls'), 'ok'], 'one model call per turn, none repeated after a rollover');
  assert.equal(result.turns, turns.length + 1);
  const { rows: sent } = await t.stack.db.query<{ m: ChatMessage[] }>('SELECT request_messages AS m FROM llm_calls WHERE workflow_id = $1 ORDER BY id', [handle.workflowId]);
  assert.ok(sent.every((r) => wholeTurns(r.m)), 'every request the model got has each tool call answered');
  assert.ok(sent.some((r) => r.m.some((m) => m.role === 'user' && m.content.includes('earlier turn(s) of this conversation were left out'))), 'the carry clipped old turns');
  assert.ok(sent.at(-1)!.m.filter((m) => m.role === 'assistant').length < turns.length, 'the last request carries fewer turns than the conversation had');

  // Tool calls: every call the model asked for answered once, in its turn; the writes ran once each.
  const rows = await toolCallRows(t.stack.db, handle.workflowId);
  const asked = turns.flatMap((calls, i) => calls.map((c) => `${i + 1}:${c.name}:${JSON.stringify(c.arguments)}`));
  const answered = [...new Set(rows.filter((r) => r.status === 'ran' || r.status === 'cached').map((r) => `${r.turn}:${r.call_id}`))];
  assert.equal(answered.length, asked.length, `asked ${asked.length}, answered ${answered.length}: ${JSON.stringify(rows.map((r) => [r.turn, r.tool, r.status]))}`);
  assert.deepEqual(rows.filter((r) => r.tool === 'fetchPage').map((r) => [r.turn, r.status]), [[1, 'ran'], [2, 'ran'], [4, 'ran'], [6, 'ran'], [8, 'ran']], 'each read ran once');
  assert.deepEqual(rows.filter((r) => r.tool === 'saveNote').map((r) => [r.turn, r.status]), [[3, 'ran'], [3, 'cached'], [4, 'ran'], [5, 'cached'], [7, 'ran']], 'the crashed write reconciled, the repeat after a rollover cached');
  assert.equal(result.toolCalls, asked.length);
  assert.deepEqual(await notesOf(t.stack.db, handle.workflowId), [{ title: 'Moon', writes: 1 }, { title: 'Sun', writes: 1 }, { title: 'Wind', writes: 1 }], 'each note reached the table once');

  // Cost: once. The agent's total, the run budget's spend (carried, not reset) and the cost attribute all equal Σ llm_calls.
  const sumNano = llm.reduce((n, r) => n + decimalToNano(r.cost_usd), 0);
  assert.ok(sumNano > 0);
  assert.equal(Math.round(result.costUsd * 1e9), sumNano);
  const last = client.workflow.getHandle(handle.workflowId);
  const budget = (await last.query<{ spentUsd: number }>('budget'));
  assert.equal(Math.round(budget.spentUsd * 1e9), sumNano, 'the budget was carried, not reset');
  assert.equal(Math.round(Number(await searchAttribute(last, 'BreakwaterCostUsd')) * 1e9), sumNano);
});

test('a carry that does not fit is refused with BW_AGENT_CARRY_INVALID before anything runs', async () => {
  await cleanWorker();
  const bad = [{ v: 1, role: 'researcher', turn: 'three' }, { v: 2 }];
  for (const [i, carry] of bad.entries()) {
    const handle = await t.stack.env.client.workflow.start(researchAgent, { taskQueue: t.stack.taskQueue, workflowId: `badcarry-${i}-${t.stack.schema}`, args: [{ topic: 'tides', carry }] });
    const failure = await handle.result().then(() => undefined, (e: unknown) => e);
    assert.ok(isFailure(failure, Failure.AgentCarryInvalid), `expected BW_AGENT_CARRY_INVALID, got ${String(failure)}`);
    assert.equal((await llmCalls(t.stack, handle.workflowId)).length, 0, 'no model call');
  }
});

test('approvals on both sides of a rollover: escalation ids go on numbering, a late click for the earlier run stays stale', async () => {
  await cleanWorker();
  const publish = (title: string) => ({ toolCalls: [{ name: 'publish', arguments: { title, summary: `${title}: the moon drives them.` } }] });
  t.sim.setScenario({ rules: [{ match: { schemaName: 'researchReport' }, responses: [publish('Tides'), publish('Tides, revised'), { json: finalAnswer }] }] });
  const client = t.stack.env.client;
  const started = await client.workflow.start(researchAgent, { taskQueue: t.stack.taskQueue, workflowId: `can-approve-${t.stack.schema}`, args: [{ topic: 'tides', historyEvents: 30, perTool: { publish: 2 } }] });
  const latest = client.workflow.getHandle(started.workflowId);
  const first = await waitForEscalation(latest, 'tool-approval');
  await latest.executeUpdate('resolve', { args: [{ decision: 'approve', by: 'editor', escalation: first.id }] });
  const second = await waitForEscalation(latest, 'tool-approval');
  const chain = await runChain(client, started.workflowId, started.firstExecutionRunId);
  assert.ok(chain.length >= 2, 'the second approval is asked in a later run');
  assert.notEqual(second.id, first.id, `escalation ids are not reused across the chain (${first.id}, ${second.id})`);
  const late = await latest.executeUpdate('resolve', { args: [{ decision: 'approve', by: 'editor', escalation: first.id }] }).then(() => undefined, (e: unknown) => e);
  assert.ok(isFailure(late, Failure.StaleDecision), `a decision for the earlier run's escalation is stale, got ${String(late)}`);
  await latest.executeUpdate('resolve', { args: [{ decision: 'approve', by: 'editor', escalation: second.id }] });
  const result = await latest.result();
  assert.equal(result.status, 'completed');
  assert.deepEqual(await publicationsOf(t.stack.db, started.workflowId), [{ title: 'Tides', writes: 1 }, { title: 'Tides, revised', writes: 1 }]);
});
