import assert from 'node:assert/strict';
import { test } from 'node:test';
import { compatPresets, resolveCompat, compatSettingFor } from './profiles';
import { portablePatterns } from './portablePattern';
import { buildChatRequest, foldSystemMessages, stripSchemaKeywords } from './request';

const schema = { type: 'object', properties: { pattern: { type: 'string', pattern: '^a+$' }, ids: { type: 'array', items: { type: 'string', pattern: '^ORD-\\d+$', format: 'x' } } }, required: ['pattern'] };
const shape = { model: 'm', messages: [{ role: 'system' as const, content: 'Sys.' }, { role: 'user' as const, content: 'Hi.' }], schemaName: 'answer', jsonSchema: schema, maxOutputTokens: 64, temperature: 0 };

test('stripping a keyword removes it at every depth, never a property of that name', () => {
  assert.deepEqual(stripSchemaKeywords(schema, ['pattern']), { type: 'object', properties: { pattern: { type: 'string' }, ids: { type: 'array', items: { type: 'string', format: 'x' } } }, required: ['pattern'] });
  assert.equal(stripSchemaKeywords(schema, []), schema);
});

test('each profile shapes the request: mode, token-limit parameter, folded system messages', () => {
  const openai = buildChatRequest(compatPresets.openai, shape);
  assert.deepEqual([openai.max_completion_tokens, openai.max_tokens, openai.response_format], [64, undefined, { type: 'json_schema', json_schema: { name: 'answer', schema: portablePatterns(schema), strict: true } }]);
  const llamaPy = buildChatRequest(compatPresets['llama-cpp-python'], shape);
  assert.deepEqual([llamaPy.max_tokens, llamaPy.max_completion_tokens, llamaPy.response_format], [64, undefined, { type: 'json_object' }]);
  assert.deepEqual(llamaPy.messages.map((m) => m.role), ['user'], 'schema instruction and system prompt folded into the user message');
  assert.match(String(llamaPy.messages[0]!.content), /^Answer with only a JSON object that matches the JSON Schema "answer":\n\{.*\}\n\nSys\.\n\nHi\.$/s);
  assert.ok(!JSON.stringify(llamaPy).includes('^a+$'), 'pattern stripped');
  const tool = buildChatRequest(resolveCompat({ structuredOutput: 'tool_call' }), shape);
  assert.deepEqual(tool.tool_choice, { type: 'function', function: { name: 'answer' } });
  assert.equal(tool.response_format, undefined);
  assert.deepEqual(foldSystemMessages([{ role: 'system', content: 'S' }]), [{ role: 'user', content: 'S' }]);
});

test('a setting is a preset, or a preset with overrides; the probe prints only what differs from openai', () => {
  assert.deepEqual(resolveCompat(undefined), compatPresets.openai);
  assert.deepEqual(resolveCompat({ preset: 'vllm', tokenLimitParam: 'max_completion_tokens' }), { ...compatPresets.vllm, tokenLimitParam: 'max_completion_tokens' });
  assert.deepEqual(compatSettingFor(compatPresets['llama-cpp-python']), { structuredOutput: 'json_object', tokenLimitParam: 'max_tokens', stripKeywords: ['pattern'], systemMessages: false });
});

test('an agent turn offers its tools in the OpenAI tools format, strict exactly when the profile is', () => {
  const tools = [{ name: 'search', description: 'Search.', parameters: { type: 'object', properties: { q: { type: 'string', pattern: '^x' } }, required: ['q'], additionalProperties: false } }];
  const openai = buildChatRequest(compatPresets.openai, { ...shape, tools });
  assert.deepEqual(openai.tools, [{ type: 'function', function: { name: 'search', description: 'Search.', parameters: tools[0]!.parameters, strict: true } }]);
  assert.deepEqual(openai.response_format, { type: 'json_schema', json_schema: { name: 'answer', schema: portablePatterns(schema), strict: true } }, 'the final answer is still asked for');
  const llamaPy = buildChatRequest(compatPresets['llama-cpp-python'], { ...shape, tools });
  assert.equal((llamaPy.tools![0] as { function: { strict?: boolean } }).function.strict, undefined);
  assert.ok(!JSON.stringify(llamaPy.tools).includes('^x'), "the profile's stripped keywords go from tool parameters too");
  const toolCall = buildChatRequest(resolveCompat({ structuredOutput: 'tool_call' }), { ...shape, tools });
  assert.deepEqual(toolCall.tools!.map((t) => (t as { function: { name: string } }).function.name), ['answer', 'search']);
  assert.equal(toolCall.tool_choice, 'required');
});
