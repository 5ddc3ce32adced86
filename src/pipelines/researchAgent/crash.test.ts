/**
 * The crash window of a `write` tool: the tool's code ran and its result is recorded, and the worker
 * process dies (SIGKILL at the named fault point `tool.saveNote.afterEffect`) before the fingerprint is
 * marked done. A new worker must find the recorded result — not run the tool again.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { toolFaultPoints } from '../../activities/tools';
import { toolCallRows } from '../../store/toolCalls';
import { startAgentLayerStack, testModels, type AgentLayerStack } from '../testKit';
import { notesOf } from './store';
import { spawnDoomedWorker } from './testKit';
import { researchAgent } from './workflow';

let t: AgentLayerStack;
before(async () => {
  t = await startAgentLayerStack({ models: { ...testModels, roles: { ...testModels.roles, researcher: { model: 'sim-large', maxOutputTokens: 512 } } }, startWorker: false });
});
after(async () => t?.stop());

test('worker SIGKILLed right after a write tool ran: a new worker returns the recorded result, the tool ran once', async () => {
  const note = { title: 'Moon', body: 'The moon drives tides.', source: 'https://docs.example/tides/1' };
  t.sim.setScenario({ rules: [{ match: { schemaName: 'researchReport' }, responses: [{ toolCalls: [{ name: 'saveNote', arguments: note }] }, { json: { summary: 'Moon.', sources: [] } }] }] });
  const point = toolFaultPoints('saveNote').afterEffect;
  const doomed = spawnDoomedWorker(t, point);

  const handle = await t.stack.env.client.workflow.start(researchAgent, { taskQueue: t.stack.taskQueue, workflowId: `crash-${t.stack.schema}`, args: [{ topic: 'tides', toolTimeout: '3 seconds' }] });
  const { code, signal, stderr } = await doomed.exited;
  assert.equal(signal, 'SIGKILL', `worker exited with code ${code}, stderr: ${stderr}`);
  assert.match(stderr, /fault point tool\.saveNote\.afterEffect/);
  // The crash window as the next worker finds it: the note written, the fingerprint not done.
  assert.deepEqual(await notesOf(t.stack.db, handle.workflowId), [{ title: 'Moon', writes: 1 }]);
  const { rows } = await t.stack.db.query<{ status: string }>("SELECT status FROM fingerprints WHERE effect = 'tool:saveNote' AND created_by = $1", [handle.workflowId]);
  assert.deepEqual(rows, [{ status: 'pending' }]);

  const clean = await t.stack.createWorker();
  const result = await clean.runUntil(handle.result());
  assert.equal(result.status, 'completed');
  assert.deepEqual(await notesOf(t.stack.db, handle.workflowId), [{ title: 'Moon', writes: 1 }], "the tool's code reached the note once");
  const calls = (await toolCallRows(t.stack.db, handle.workflowId)).filter((r) => r.tool === 'saveNote');
  assert.deepEqual(calls.map((r) => r.status), ['ran', 'cached']);
  const { rows: after } = await t.stack.db.query<{ status: string; via: string }>("SELECT status, via FROM fingerprints WHERE effect = 'tool:saveNote' AND created_by = $1", [handle.workflowId]);
  assert.deepEqual(after, [{ status: 'done', via: 'reconciled' }]);
});
