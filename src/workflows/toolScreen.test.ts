import assert from 'node:assert/strict';
import { test } from 'node:test';
import { z } from 'zod';
import { defineTool, type ToolSpec } from '../contracts/tool';
import { screenToolCalls, type ToolUsage } from './toolScreen';

const search = defineTool({ name: 'search', description: 'Search.', input: z.strictObject({ q: z.string().min(1) }), output: z.unknown(), effect: 'read' });
const note = defineTool({ name: 'note', description: 'Note.', input: z.strictObject({ text: z.string() }), output: z.unknown(), effect: 'write' });
const tools = new Map<string, ToolSpec>([[search.name, search as ToolSpec], [note.name, note as ToolSpec]]);
const call = (name: string, args: string, id = `${name}-${args}`) => ({ id, name, arguments: args });
const outcome = (s: ReturnType<typeof screenToolCalls>) => s.map((x) => (x.kind === 'run' ? 'run' : x.reason));

test('unknown tools and arguments that are not JSON or do not fit are refused, with a message for the model', () => {
  const usage: ToolUsage = { total: 0, perTool: {} };
  const s = screenToolCalls([call('drop', '{}'), call('search', '{"q":'), call('search', '{"q":""}'), call('search', '{"q":"x","extra":1}'), call('search', '{"q":"ok"}')], tools, { maxToolCalls: 10, maxParallelToolCalls: 10, perTool: {} }, usage);
  assert.deepEqual(outcome(s), ['unknown-tool', 'invalid-arguments', 'invalid-arguments', 'invalid-arguments', 'run']);
  assert.match((s[0] as { message: string }).message, /no tool named 'drop'.*search, note/);
  assert.deepEqual(usage, { total: 1, perTool: { search: 1 } }, 'only calls allowed to run count');
});

test('caps: per turn, per tool and in all; refused calls use none of them', () => {
  const usage: ToolUsage = { total: 0, perTool: {} };
  const caps = { maxToolCalls: 4, maxParallelToolCalls: 2, perTool: { search: 2 } };
  const turn1 = screenToolCalls([call('search', '{"q":"a"}'), call('search', '{"q":"b"}'), call('note', '{"text":"t"}')], tools, caps, usage);
  assert.deepEqual(outcome(turn1), ['run', 'run', 'over-parallel-cap']);
  const turn2 = screenToolCalls([call('search', '{"q":"c"}'), call('note', '{"text":"t"}'), call('note', '{"text":"u"}'), call('note', '{"text":"v"}')], tools, caps, usage);
  assert.deepEqual(outcome(turn2), ['over-tool-cap', 'run', 'run', 'over-total-cap']);
});

test('equal arguments in any key order have one canonical form (the write fingerprint and the repeat guard use it)', () => {
  const two = defineTool({ name: 'two', description: 'Two.', input: z.strictObject({ a: z.number(), b: z.number() }), output: z.unknown(), effect: 'write' });
  const m = new Map<string, ToolSpec>([['two', two as ToolSpec]]);
  const s = screenToolCalls([call('two', '{"a":1,"b":2}'), call('two', '{"b":2,"a":1}')], m, { maxToolCalls: 9, maxParallelToolCalls: 9, perTool: {} }, { total: 0, perTool: {} });
  assert.equal(s[0]!.kind === 'run' && s[0]!.canonical, s[1]!.kind === 'run' && s[1]!.canonical);
});

test('defineTool refuses names the model cannot call, inputs that are not objects, missing descriptions', () => {
  assert.throws(() => defineTool({ name: 'has space', description: 'x', input: z.strictObject({}), output: z.unknown(), effect: 'read' }), /must match/);
  assert.throws(() => defineTool({ name: 'x', description: 'x', input: z.string(), output: z.unknown(), effect: 'read' }), /zod object/);
  assert.throws(() => defineTool({ name: 'x', description: ' ', input: z.strictObject({}), output: z.unknown(), effect: 'read' }), /description/);
});
