/**
 * An MCP server (a small stdio one in test/fixtures) provides a tool used end to end: listed when the worker
 * starts, offered to the model, its arguments validated, called through runTool, recorded; a tool the config
 * does not list is irreversible.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { connectMcpTools, type McpTools } from '../../activities/mcp';
import { packageRoot } from '../../devstack/paths';
import { toolCallRows } from '../../store/toolCalls';
import { llmCalls, startAgentLayerStack, testModels, type AgentLayerStack } from '../testKit';
import { researchAgent } from './workflow';
import { researchToolImplementations } from './tools';

let t: AgentLayerStack;
let mcp: McpTools;
const fixture = path.join(packageRoot(), 'test', 'fixtures', 'mcp', 'wordsServer.mjs');
before(async () => {
  mcp = await connectMcpTools([{ name: 'words', prefix: 'words_', transport: { stdio: { command: process.execPath, args: [fixture] } }, effects: { wordCount: 'read' } }]);
  t = await startAgentLayerStack({ models: { ...testModels, roles: { ...testModels.roles, researcher: { model: 'sim-large', maxOutputTokens: 512 } } }, startWorker: false });
  await t.stack.startWorker({ tools: [...researchToolImplementations(t.stack.db), ...mcp.tools] });
});
after(async () => {
  await t?.stop();
  await mcp?.close();
});

test('MCP tools are listed at worker start with their effect class; an unlisted one is irreversible', () => {
  assert.deepEqual(mcp.specs.map((s) => [s.name, s.effect]), [['words_wordCount', 'read'], ['words_shout', 'irreversible']]);
});

test('a Streamable HTTP MCP server is listed and called the same way', async () => {
  const child = spawn(process.execPath, [fixture, '--http'], { stdio: ['ignore', 'pipe', 'inherit'] });
  try {
    const url = await new Promise<string>((resolve, reject) => {
      child.stdout.once('data', (b: Buffer) => resolve(b.toString().trim()));
      child.once('exit', (code) => reject(new Error(`fixture exited ${code}`)));
    });
    const remote = await connectMcpTools([{ name: 'remote', transport: { url }, effects: { wordCount: 'read' } }]);
    try {
      assert.deepEqual(remote.specs.map((s) => [s.name, s.effect]), [['wordCount', 'read'], ['shout', 'irreversible']]);
      const wc = remote.tools.find((x) => x.spec.name === 'wordCount')!;
      const out = await wc.run({ text: 'one two three' }, { idempotencyKey: 'k', run: 'r', attempt: 1, signal: AbortSignal.timeout(5000) });
      assert.equal((out as { words: number }).words, 3);
    } finally {
      await remote.close();
    }
  } finally {
    child.kill();
  }
});

test('a tool of a stdio MCP server is used end to end by the agent', async () => {
  t.sim.setScenario({
    rules: [{ match: { schemaName: 'researchReport' }, responses: [
      { toolCalls: [{ name: 'words_wordCount', arguments: { text: 'the moon drives tides' } }, { name: 'words_wordCount', arguments: { text: 7 } as never }] },
      { json: { summary: 'Four words.', sources: [] } },
    ] }],
  });
  const handle = await t.stack.env.client.workflow.start(researchAgent, { taskQueue: t.stack.taskQueue, workflowId: `mcp-${t.stack.schema}`, args: [{ topic: 'counting', extraTools: ['words_wordCount'] }] });
  const result = await handle.result();
  assert.equal(result.status, 'completed');
  const rows = await toolCallRows(t.stack.db, handle.workflowId);
  assert.deepEqual(rows.map((r) => [r.tool, r.status, r.reason]), [['words_wordCount', 'refused', 'invalid-arguments'], ['words_wordCount', 'ran', null]]);
  // The MCP server's answer reached the model's next turn.
  const llm = await llmCalls(t.stack, handle.workflowId);
  const { rows: sent } = await t.stack.db.query<{ m: { role: string; content: string }[]; tools: unknown }>('SELECT request_messages AS m FROM llm_calls WHERE id = $1', [llm[1]!.id]);
  const answers = sent[0]!.m.filter((m) => m.role === 'tool').map((m) => m.content);
  assert.ok(answers.some((a) => a.includes('"words":4')), JSON.stringify(answers));
  assert.ok(answers.some((a) => a.includes('do not match its parameters')), JSON.stringify(answers));
});
