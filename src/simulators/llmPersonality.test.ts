/** The LLM simulator's personalities over real HTTP, through the real `openai` client. */
import assert from 'node:assert/strict';
import { test, type TestContext } from 'node:test';
import OpenAI, { APIConnectionError, APIError } from 'openai';
import { startLlmSimulator } from './llm';
import type { LlmPersonality } from './llmPersonality';

const schema = { type: 'object', properties: { id: { type: 'string', pattern: '^ORD-\\d{1,12}$' }, pattern: { type: 'string' } }, required: ['id'] };

async function start(t: TestContext, personality: LlmPersonality) {
  const sim = await startLlmSimulator({ scenario: { personality, rules: [{ match: {}, responses: [{ json: { id: 'ORD-1' } }] }] } });
  t.after(() => sim.close());
  return { sim, client: new OpenAI({ apiKey: 'x', baseURL: `${sim.url}/v1`, maxRetries: 0, timeout: 5000 }) };
}
const messages = [{ role: 'system' as const, content: 'Be brief.' }, { role: 'user' as const, content: 'Order?' }];

test('refusesJsonSchema: HTTP 500 with the pydantic literal_error; json_object is answered', async (t) => {
  const { client } = await start(t, { refusesJsonSchema: true });
  await assert.rejects(
    client.chat.completions.create({ model: 'm', messages, response_format: { type: 'json_schema', json_schema: { name: 's', schema } } }),
    (e: unknown) => e instanceof APIError && e.status === 500 && /Input should be 'text' or 'json_object'/.test(e.message),
  );
  const ok = await client.chat.completions.create({ model: 'm', messages, response_format: { type: 'json_object' } });
  assert.equal(ok.choices[0]?.message.content, '{"id":"ORD-1"}');
});

test('ignoresMaxCompletionTokens: a runaway past max_completion_tokens; max_tokens caps it', async (t) => {
  const { client } = await start(t, { ignoresMaxCompletionTokens: 4079 });
  assert.equal((await client.chat.completions.create({ model: 'm', messages, max_completion_tokens: 10 })).usage?.completion_tokens, 4079);
  assert.equal((await client.chat.completions.create({ model: 'm', messages, max_tokens: 2 })).usage?.completion_tokens, 2);
});

test('noUsage and a forced tool call: no usage field, the answer as the tool’s arguments', async (t) => {
  const { client, sim } = await start(t, { noUsage: true });
  const c = await client.chat.completions.create({ model: 'm', messages, tools: [{ type: 'function', function: { name: 'order', parameters: schema } }], tool_choice: { type: 'function', function: { name: 'order' } } });
  assert.equal(c.usage, undefined);
  const call = c.choices[0]?.message.tool_calls?.[0];
  assert.deepEqual(call?.type === 'function' && [call.function.name, call.function.arguments], ['order', '{"id":"ORD-1"}']);
  assert.equal(sim.log()[0]?.schemaName, 'order');
});

test('crashesOnPattern: the listener closes, later requests are refused; a property named pattern is no keyword', async (t) => {
  const { client, sim } = await start(t, { crashesOnPattern: true });
  const noKeyword = { type: 'object', properties: { pattern: { type: 'string' } } };
  await client.chat.completions.create({ model: 'm', messages, response_format: { type: 'json_schema', json_schema: { name: 's', schema: noKeyword } } });
  await assert.rejects(client.chat.completions.create({ model: 'm', messages, response_format: { type: 'json_schema', json_schema: { name: 's', schema } } }), APIConnectionError);
  await assert.rejects(client.chat.completions.create({ model: 'm', messages }), APIConnectionError);
  await assert.rejects(fetch(`${sim.url}/v1/models`), (e: Error) => /ECONNREFUSED/.test(String((e.cause as Error)?.message ?? e.cause)), 'nobody listens any more');
  assert.deepEqual(sim.log().map((e) => e.outcome), ['completion', 'crash']);
});
