import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Failure, isFailure } from '../failures';
import type { ChatMessage } from './agentCall';
import { agentCarrySchema, clipTurns, parseAgentCarry, type AgentCarry } from './agentCarry';

const turn = (n: number, calls = 1): ChatMessage[] => [
  { role: 'assistant', content: '', tool_calls: Array.from({ length: calls }, (_, i) => ({ id: `c${n}_${i}`, type: 'function' as const, function: { name: 'fetchPage', arguments: '{}' } })) },
  ...Array.from({ length: calls }, (_, i): ChatMessage => ({ role: 'tool', tool_call_id: `c${n}_${i}`, content: `r${n}_${i}` })),
];

const carry = (over: Partial<AgentCarry> = {}): AgentCarry => ({
  v: 1,
  role: 'researcher',
  rollovers: 1,
  messages: [...turn(1), ...turn(2, 2)],
  droppedTurns: 0,
  transcript: [{ turn: 1, kind: 'model', costUsd: 0.001 }],
  transcriptDropped: 0,
  turn: 2,
  round: { turns: 2, spentNano: 2000, startedAt: 1_700_000_000_000, usage: { total: 3, perTool: { fetchPage: 3 } } },
  totals: { spentNano: 2000, toolCalls: 3, refused: 0 },
  repeats: { 'researcher|fetchPage|{}': { key: 'fetchpage|{}', count: 2 } },
  budget: { limitNano: 1e9, spentNano: 2500, warnAt: 0.75, warned: false, raises: [] },
  escalations: 1,
  ...over,
});

const refused = (raw: unknown, role?: string, match?: RegExp) => {
  assert.throws(() => parseAgentCarry(raw, role), (e: unknown) => isFailure(e, Failure.AgentCarryInvalid) && (!match || match.test((e as Error).message)));
};

test('a carry survives JSON (it travels as workflow input) and parses back the same', () => {
  const c = carry();
  assert.deepEqual(parseAgentCarry(JSON.parse(JSON.stringify(c)), 'researcher'), c);
  assert.ok(agentCarrySchema.safeParse(c).success);
});

test('bad carries are refused with BW_AGENT_CARRY_INVALID', () => {
  refused(undefined);
  refused({ v: 2 });
  refused({ ...carry(), turn: -1 });
  refused({ ...carry(), extra: true });
  refused(carry(), 'writer', /agent 'researcher''s, not 'writer''s/);
  refused(carry({ totals: { spentNano: 3000, toolCalls: 3, refused: 0 } }), undefined, /more than the budget's spent/);
  refused(carry({ messages: turn(1, 2).slice(0, 2) }), undefined, /whole turns/); // a call without its answer
  refused(carry({ messages: [...turn(1).slice(1)] }), undefined, /whole turns/); // an answer without its call
});

test('clipTurns keeps the last whole turns and says how many it left out', () => {
  const all = [...turn(1), ...turn(2, 3), ...turn(3), ...turn(4, 2)];
  assert.deepEqual(clipTurns(all, 10), { kept: all, dropped: 0 });
  const two = clipTurns(all, 2);
  assert.equal(two.dropped, 2);
  assert.deepEqual(two.kept, [...turn(3), ...turn(4, 2)]);
  assert.deepEqual(clipTurns(all, 0), { kept: [], dropped: 4 });
  assert.doesNotThrow(() => parseAgentCarry(carry({ messages: two.kept })));
});
