/**
 * Real MCP servers from npm (pinned devDependencies), spawned over stdio through connectMcpTools the way a
 * user configures one: @modelcontextprotocol/server-filesystem rooted at a temp folder (reads run freely,
 * writes are irreversible: a person approves each) and @modelcontextprotocol/server-memory. The local
 * stand-in (mcp.test.ts) covers the HTTP transport; this file proves the mapping holds for servers we don't own.
 */
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import type { WorkflowHandle } from '@temporalio/client';
import { connectMcpTools, type McpTools } from '../../activities/mcp';
import { toolFaultPoints } from '../../activities/tools';
import { packageRoot } from '../../devstack/paths';
import { armFault } from '../../faults';
import { toolCallRows } from '../../store/toolCalls';
import { startAgentLayerStack, testModels, waitForEscalation, type AgentLayerStack } from '../testKit';
import { researchAgent } from './workflow';
import { researchToolImplementations } from './tools';

const require_ = createRequire(__filename);
const bin = (pkg: string) => path.join(path.dirname(require_.resolve(`${pkg}/package.json`)), 'dist', 'index.js');

let t: AgentLayerStack;
let mcp: McpTools;
let root: string;
const fsEffects = { read_text_file: 'read', read_file: 'read', list_directory: 'read', search_files: 'read', get_file_info: 'read', write_file: 'irreversible', edit_file: 'irreversible', create_directory: 'irreversible', move_file: 'irreversible' } as const;

before(async () => {
  root = await mkdtemp(path.join(os.tmpdir(), 'bw-mcp-fs-'));
  await writeFile(path.join(root, 'tides.txt'), 'The moon drives the tides.');
  mcp = await connectMcpTools([
    { name: 'fs', prefix: 'fs_', transport: { stdio: { command: process.execPath, args: [bin('@modelcontextprotocol/server-filesystem'), root] } }, effects: fsEffects },
    { name: 'memory', prefix: 'mem_', transport: { stdio: { command: process.execPath, args: [bin('@modelcontextprotocol/server-memory')], env: { MEMORY_FILE_PATH: path.join(root, '..', `${path.basename(root)}-memory.jsonl`) } } }, effects: { read_graph: 'read', open_nodes: 'read', create_entities: 'write', add_observations: 'write' } },
  ]);
  t = await startAgentLayerStack({ models: { ...testModels, roles: { ...testModels.roles, researcher: { model: 'sim-large', maxOutputTokens: 512 } } }, startWorker: false });
  await t.stack.startWorker({ tools: [...researchToolImplementations(t.stack.db), ...mcp.tools] });
});
after(async () => {
  await t?.stop();
  await mcp?.close();
  if (root) await rm(root, { recursive: true, force: true });
});

const final = { json: { summary: 'Done.', sources: [] } };
function start(name: string, extraTools: string[]) {
  return t.stack.env.client.workflow.start(researchAgent, { taskQueue: t.stack.taskQueue, workflowId: `${name}-${t.stack.schema}`, args: [{ topic: name, extraTools }] });
}
const resolve = (h: WorkflowHandle, decision: 'approve' | 'reject') => h.executeUpdate('resolve', { args: [{ decision, by: 'editor' }] });

test('the real servers list their tools with the configured effect classes; unlisted ones are irreversible', () => {
  const effect = new Map(mcp.specs.map((s) => [s.name, s.effect]));
  assert.equal(effect.get('fs_read_text_file'), 'read');
  assert.equal(effect.get('fs_list_directory'), 'read');
  assert.equal(effect.get('fs_write_file'), 'irreversible');
  assert.equal(effect.get('mem_create_entities'), 'write');
  assert.equal(effect.get('mem_read_graph'), 'read');
  assert.equal(effect.get('mem_delete_entities'), 'irreversible', 'not in the config: a person approves it');
});

test('a server that is not there fails at listing with BW_MCP_UNAVAILABLE', async () => {
  await assert.rejects(connectMcpTools([{ name: 'ghost', transport: { stdio: { command: path.join(root, 'no-such-server') } } }]), (e: Error & { type?: string }) => {
    assert.equal(e.type, 'BW_MCP_UNAVAILABLE');
    assert.match(e.message, /'ghost' could not be reached/);
    return true;
  });
});

test('reads run freely; bad arguments are refused to the model; the write waits for approval and is applied once', async () => {
  t.sim.setScenario({ rules: [{ match: { schemaName: 'researchReport' }, responses: [
    { toolCalls: [{ name: 'fs_read_text_file', arguments: { path: path.join(root, 'tides.txt') } }, { name: 'fs_write_file', arguments: { path: 7 } as never }] },
    { toolCalls: [{ name: 'fs_write_file', arguments: { path: path.join(root, 'note.txt'), content: 'approved note' } }] },
    final,
  ] }] });
  const handle = await start('fs-approve', ['fs_read_text_file', 'fs_write_file']);
  const escalation = await waitForEscalation(handle, 'tool-approval');
  assert.equal((escalation.details as { tool: string }).tool, 'fs_write_file');
  await assert.rejects(readFile(path.join(root, 'note.txt')), 'nothing written while it waits');
  await resolve(handle, 'approve');
  assert.equal((await handle.result()).status, 'completed');
  assert.equal(await readFile(path.join(root, 'note.txt'), 'utf8'), 'approved note');
  const rows = await toolCallRows(t.stack.db, handle.workflowId);
  // The refusal is recorded before the parallel read finishes: compare without the order.
  assert.deepEqual(rows.map((r) => [r.tool, r.status, r.reason]).sort(), [['fs_read_text_file', 'ran', null], ['fs_write_file', 'ran', null], ['fs_write_file', 'refused', 'invalid-arguments']]);
});

test('a denied write is not applied; the model is told and the run goes on', async () => {
  t.sim.setScenario({ rules: [{ match: { schemaName: 'researchReport' }, responses: [
    { toolCalls: [{ name: 'fs_write_file', arguments: { path: path.join(root, 'denied.txt'), content: 'no' } }] },
    final,
  ] }] });
  const handle = await start('fs-deny', ['fs_write_file']);
  await waitForEscalation(handle, 'tool-approval');
  await resolve(handle, 'reject');
  assert.equal((await handle.result()).status, 'completed');
  await assert.rejects(readFile(path.join(root, 'denied.txt')));
  const rows = await toolCallRows(t.stack.db, handle.workflowId);
  assert.deepEqual(rows.map((r) => [r.tool, r.status]), [['fs_write_file', 'refused']]);
});

test('a memory write (write-effect) is applied once and read back', async () => {
  t.sim.setScenario({ rules: [{ match: { schemaName: 'researchReport' }, responses: [
    { toolCalls: [{ name: 'mem_create_entities', arguments: { entities: [{ name: 'Moon', entityType: 'body', observations: ['drives tides'] }] } as never }] },
    final,
  ] }] });
  const handle = await start('mem-write', ['mem_create_entities']);
  assert.equal((await handle.result()).status, 'completed');
  const open = mcp.tools.find((x) => x.spec.name === 'mem_open_nodes')!;
  const out = JSON.stringify(await open.run({ names: ['Moon'] }, { idempotencyKey: 'r', run: 'r', attempt: 1, signal: AbortSignal.timeout(5000) }));
  assert.equal(out.split('drives tides').length - 1, 1, out);
});

test('the attempt dies after the memory write: the retry finds the recorded result, the entity is written once', async () => {
  // afterEffect: the server applied create_entities and the result is recorded; the attempt then throws.
  armFault(toolFaultPoints('mem_create_entities').afterEffect, 'throw');
  t.sim.setScenario({ rules: [{ match: { schemaName: 'researchReport' }, responses: [
    { toolCalls: [{ name: 'mem_create_entities', arguments: { entities: [{ name: 'Sun', entityType: 'star', observations: ['warms seas'] }] } as never }] },
    final,
  ] }] });
  const handle = await start('mem-retry', ['mem_create_entities']);
  assert.equal((await handle.result()).status, 'completed');
  const history = await handle.fetchHistory();
  const attempts = (history.events ?? []).filter((e) => e.activityTaskStartedEventAttributes).map((e) => e.activityTaskStartedEventAttributes!.attempt);
  assert.ok(attempts.includes(2), `runTool was retried: ${JSON.stringify(attempts)}`);
  const rows = await toolCallRows(t.stack.db, handle.workflowId);
  assert.deepEqual(rows.filter((r) => r.status === 'ran').map((r) => r.tool), ['mem_create_entities'], 'one run recorded');
  const graph = mcp.tools.find((x) => x.spec.name === 'mem_read_graph')!;
  const out = JSON.stringify(await graph.run({}, { idempotencyKey: 'g', run: 'g', attempt: 1, signal: AbortSignal.timeout(5000) }));
  assert.equal(out.split('"Sun"').length - 1, 1, out);
});

test('the server dies mid-call: a retryable BW_MCP_UNAVAILABLE, nothing written', async () => {
  const relay = path.join(packageRoot(), 'test', 'fixtures', 'mcp', 'dieOnCall.mjs');
  const dying = await connectMcpTools([{ name: 'dying', transport: { stdio: { command: process.execPath, args: [relay, bin('@modelcontextprotocol/server-filesystem'), root] } }, effects: { write_file: 'irreversible' } }]);
  try {
    const write = dying.tools.find((x) => x.spec.name === 'write_file')!;
    await assert.rejects(write.run({ path: path.join(root, 'half.txt'), content: 'x' }, { idempotencyKey: 'd', run: 'd', attempt: 1, signal: AbortSignal.timeout(5000) }), (e: Error & { type?: string; nonRetryable?: boolean }) => {
      assert.equal(e.type, 'BW_MCP_UNAVAILABLE');
      assert.equal(e.nonRetryable, false, 'Temporal retries the attempt per the tool activity policy');
      assert.match(e.message, /failed the call of 'write_file'/);
      return true;
    });
    await assert.rejects(readFile(path.join(root, 'half.txt')), 'nothing written');
  } finally {
    await dying.close();
  }
});
