import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import OpenAI from 'openai';
import { loadLlmScenarioFile, startLlmSimulator, type LlmScenario } from './llm';

const API_KEY = 'sk-test-SECRET-do-not-log-1234567890';

async function start(t: TestContext, scenario: LlmScenario) {
  const sim = await startLlmSimulator({ scenario });
  t.after(() => sim.close());
  const client = new OpenAI({ apiKey: API_KEY, baseURL: `${sim.url}/v1`, maxRetries: 0, timeout: 5000 });
  return { sim, client };
}

const invoiceSchema = {
  type: 'object',
  properties: { total: { type: 'number' }, currency: { type: 'string' } },
  required: ['total', 'currency'],
  additionalProperties: false,
};

function extract(client: OpenAI, user = 'Invoice text: total 12.50 EUR', model = 'sim-small') {
  return client.chat.completions.create({
    model,
    messages: [
      { role: 'system', content: 'You are the extraction agent.' },
      { role: 'user', content: user },
    ],
    response_format: { type: 'json_schema', json_schema: { name: 'invoice', schema: invoiceSchema, strict: true } },
  });
}

test('answers a json_schema request through the real openai client, with usage', async (t) => {
  const { sim, client } = await start(t, {
    rules: [{ id: 'extract', match: { schemaName: 'invoice', system: 'extraction' }, responses: [{ json: { total: 12.5, currency: 'EUR' } }] }],
  });
  const completion = await extract(client);
  assert.equal(completion.object, 'chat.completion');
  assert.match(completion.id, /^chatcmpl-/);
  assert.equal(completion.model, 'sim-small');
  assert.equal(typeof completion.created, 'number');
  const choice = completion.choices[0];
  assert.equal(choice?.message.role, 'assistant');
  assert.equal(choice?.finish_reason, 'stop');
  assert.deepEqual(JSON.parse(choice?.message.content ?? ''), { total: 12.5, currency: 'EUR' });

  // Deterministic usage: ceil(chars / 4) of the request messages and of the content.
  const promptChars = 'You are the extraction agent.'.length + 'Invoice text: total 12.50 EUR'.length;
  const content = JSON.stringify({ total: 12.5, currency: 'EUR' });
  assert.deepEqual(completion.usage, {
    prompt_tokens: Math.ceil(promptChars / 4),
    completion_tokens: Math.ceil(content.length / 4),
    total_tokens: Math.ceil(promptChars / 4) + Math.ceil(content.length / 4),
  });
  assert.equal(sim.log()[0]?.ruleId, 'extract');
  assert.equal(sim.log()[0]?.schemaName, 'invoice');
});

test('a usage override makes cost exact', async (t) => {
  const { client } = await start(t, {
    rules: [{ responses: [{ json: { total: 1, currency: 'USD' }, usage: { prompt_tokens: 1000, completion_tokens: 50 } }] }],
  });
  const completion = await extract(client);
  assert.deepEqual(completion.usage, { prompt_tokens: 1000, completion_tokens: 50, total_tokens: 1050 });
});

test('a 429 carries Retry-After headers the client can see', async (t) => {
  const { sim, client } = await start(t, { rules: [{ id: 'limited', responses: [{ status: 429, retryAfterSeconds: 7 }] }] });
  await assert.rejects(extract(client), (err: unknown) => {
    assert.ok(err instanceof OpenAI.RateLimitError, `expected RateLimitError, got ${String(err)}`);
    assert.equal(err.status, 429);
    assert.equal(err.headers?.get('retry-after'), '7');
    assert.equal(err.headers?.get('retry-after-ms'), '7000');
    assert.equal(err.code, 'rate_limit_exceeded');
    return true;
  });
  assert.equal(sim.log()[0]?.status, 429);
});

test("a rule's responses are used in order, the last one repeating", async (t) => {
  const { sim, client } = await start(t, {
    rules: [
      {
        id: 'flaky',
        responses: [{ status: 500, message: 'boom' }, { status: 503 }, { json: { total: 3, currency: 'GBP' } }],
      },
    ],
  });
  await assert.rejects(extract(client), (err: unknown) => err instanceof OpenAI.InternalServerError && err.status === 500);
  await assert.rejects(extract(client), (err: unknown) => err instanceof OpenAI.APIError && err.status === 503);
  for (let i = 0; i < 2; i += 1) {
    const completion = await extract(client);
    assert.deepEqual(JSON.parse(completion.choices[0]?.message.content ?? ''), { total: 3, currency: 'GBP' });
  }
  assert.deepEqual(
    sim.log().map((e) => [e.responseIndex, e.status]),
    [
      [0, 500],
      [1, 503],
      [2, 200],
      [2, 200],
    ],
  );
  // reset clears the log and the per-rule counters.
  sim.reset();
  await assert.rejects(extract(client), (err: unknown) => err instanceof OpenAI.APIError && err.status === 500);
  assert.equal(sim.log().length, 1);
});

test('malformed text content is returned as-is', async (t) => {
  const { client } = await start(t, { rules: [{ responses: [{ text: '{"total": 12.5, "currency": ' }] }] });
  const completion = await extract(client);
  assert.equal(completion.choices[0]?.message.content, '{"total": 12.5, "currency": ');
});

test('the first matching rule wins: model, regex on user message, schema name', async (t) => {
  const { sim, client } = await start(t, {
    rules: [
      { id: 'large', match: { model: 'sim-large' }, responses: [{ text: 'large' }] },
      { id: 'refund', match: { user: { regex: 'refund\\s+#\\d+', flags: 'i' } }, responses: [{ text: 'refund' }] },
      { id: 'other-schema', match: { schemaName: 'other' }, responses: [{ text: 'other' }] },
      { id: 'fallback', match: { schemaName: 'invoice' }, responses: [{ text: 'fallback' }] },
    ],
  });
  const contentOf = async (user: string, model?: string) => (await extract(client, user, model)).choices[0]?.message.content;
  assert.equal(await contentOf('anything', 'sim-large'), 'large');
  assert.equal(await contentOf('Please REFUND #42'), 'refund');
  assert.equal(await contentOf('plain invoice'), 'fallback');
  assert.deepEqual(
    sim.log().map((e) => e.ruleId),
    ['large', 'refund', 'fallback'],
  );
});

test('no matching rule is a loud 400 naming the request', async (t) => {
  const { sim, client } = await start(t, { rules: [{ match: { schemaName: 'other' }, responses: [{ text: 'x' }] }] });
  await assert.rejects(extract(client), (err: unknown) => {
    assert.ok(err instanceof OpenAI.BadRequestError);
    assert.equal(err.code, 'no_scenario_rule_matched');
    assert.match(err.message, /no scenario rule matched.*invoice/);
    return true;
  });
  assert.equal(sim.log()[0]?.outcome, 'no-match');
});

test('delayMs slows a response down', async (t) => {
  const { client } = await start(t, { rules: [{ responses: [{ json: { total: 0, currency: 'EUR' }, delayMs: 200 }] }] });
  const startedAt = Date.now();
  await extract(client);
  assert.ok(Date.now() - startedAt >= 190);
});

test('the log records requests but never the API key', async (t) => {
  const { sim, client } = await start(t, { rules: [{ responses: [{ json: { total: 1, currency: 'EUR' } }] }] });
  await extract(client);
  await fetch(`${sim.url}/v1/chat/completions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ model: 'sim-small', messages: [{ role: 'user', content: 'hi' }] }),
  });
  const httpLog = await (await fetch(`${sim.url}/_admin/log`)).text();
  const inProcess = JSON.stringify(sim.log());
  for (const serialized of [httpLog, inProcess]) {
    assert.ok(!serialized.includes(API_KEY), 'API key leaked into the log');
    assert.ok(!serialized.includes('SECRET'), 'part of the API key leaked into the log');
    assert.ok(!/bearer/i.test(serialized), 'authorization header leaked into the log');
  }
  const entries = (JSON.parse(httpLog) as { entries: Array<{ authorization: boolean; model: string; status: number; time: string }> }).entries;
  assert.deepEqual(
    entries.map((e) => [e.authorization, e.model, e.status]),
    [
      [true, 'sim-small', 200],
      [false, 'sim-small', 200],
    ],
  );
  assert.ok(entries.every((e) => !Number.isNaN(Date.parse(e.time))));
});

test('/v1/models lists the scenario models, or a default list', async (t) => {
  const { client } = await start(t, { models: ['extra-model'], rules: [{ match: { model: 'sim-large' }, responses: [{ text: 'x' }] }] });
  const ids: string[] = [];
  for await (const model of client.models.list()) ids.push(model.id);
  assert.deepEqual(ids, ['extra-model', 'sim-large']);
  assert.equal((await client.models.retrieve('sim-large')).id, 'sim-large');

  const { client: bare } = await start(t, { rules: [] });
  const defaults: string[] = [];
  for await (const model of bare.models.list()) defaults.push(model.id);
  assert.deepEqual(defaults, ['sim-small', 'sim-large']);
});

test('POST /_admin/scenario replaces the scenario live and rejects invalid ones', async (t) => {
  const { sim, client } = await start(t, { rules: [{ responses: [{ text: 'before' }] }] });
  assert.equal((await extract(client)).choices[0]?.message.content, 'before');
  const post = (body: unknown) =>
    fetch(`${sim.url}/_admin/scenario`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  const replaced = await post({ name: 'live', rules: [{ responses: [{ text: 'after' }] }] });
  assert.equal(replaced.status, 200);
  assert.equal((await extract(client)).choices[0]?.message.content, 'after');

  const invalid = await post({ rules: [{ responses: [{ status: 200 }] }] });
  assert.equal(invalid.status, 400);
  const body = (await invalid.json()) as { error: { message: string; type: string } };
  assert.match(body.error.message, /invalid LLM scenario/);
  assert.equal(body.error.type, 'invalid_request_error');
  assert.equal((await extract(client)).choices[0]?.message.content, 'after');
});

test('bad request bodies are 400s in the OpenAI error shape', async (t) => {
  const { sim } = await start(t, { rules: [] });
  for (const body of ['{oops', JSON.stringify({ model: 'm' }), JSON.stringify({ model: 'm', messages: [{ role: 'user', content: 'x' }], stream: true })]) {
    const res = await fetch(`${sim.url}/v1/chat/completions`, { method: 'POST', body });
    assert.equal(res.status, 400, body);
    const json = (await res.json()) as { error: { message: string; type: string } };
    assert.equal(json.error.type, 'invalid_request_error');
  }
});

test('scenarios load from JSON files with validation', async (t) => {
  const dir = await mkdtemp(path.join(tmpdir(), 'llm-scenario-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  const good = path.join(dir, 'good.json');
  await writeFile(good, JSON.stringify({ rules: [{ responses: [{ json: { ok: true } }] }, { id: 'named', responses: [{ text: 'x' }] }] }));
  const parsed = await loadLlmScenarioFile(good);
  assert.deepEqual(
    parsed.rules.map((r) => r.id),
    ['rule-1', 'named'],
  );
  const bad = path.join(dir, 'bad.json');
  await writeFile(bad, JSON.stringify({ rules: [{ id: 'a', responses: [{ text: 'x' }] }, { id: 'a', responses: [{ text: 'y' }] }] }));
  await assert.rejects(loadLlmScenarioFile(bad), /duplicate rule id "a"/);
  await assert.rejects(loadLlmScenarioFile(path.join(dir, 'missing.json')), /cannot read LLM scenario file/);
});

test('a disconnect response drops the connection and the client sees a connection error', async (t) => {
  const { sim, client } = await start(t, { rules: [{ id: 'drop', responses: [{ disconnect: true }, { json: { total: 1, currency: 'EUR' } }] }] });
  await assert.rejects(extract(client), (err: unknown) => err instanceof OpenAI.APIConnectionError);
  assert.equal((await extract(client)).choices[0]?.finish_reason, 'stop');
  assert.deepEqual(
    sim.log().map((e) => [e.outcome, e.status]),
    [
      ['disconnect', null],
      ['completion', 200],
    ],
  );
});

test('a scripted model asks for tool calls, parallel and with invalid arguments, through the real openai client', async (t) => {
  const { client, sim } = await start(t, {
    rules: [{ match: { schemaName: 'invoice' }, responses: [
      { toolCalls: [{ name: 'search', arguments: { q: 'a' } }, { name: 'search', arguments: '{"q": ', id: 'call_bad' }] },
      { json: { total: 1, currency: 'EUR' } },
    ] }],
  });
  const first = await extract(client);
  assert.equal(first.choices[0]!.finish_reason, 'tool_calls');
  const calls = first.choices[0]!.message.tool_calls!.map((c) => (c.type === 'function' ? [c.id, c.function.name, c.function.arguments] : []));
  assert.deepEqual(calls, [['call_1_0', 'search', '{"q":"a"}'], ['call_bad', 'search', '{"q": ']]);
  const second = await extract(client);
  assert.equal(second.choices[0]!.message.content, '{"total":1,"currency":"EUR"}');
  assert.deepEqual(sim.log().map((e) => e.responseIndex), [0, 1]);
});
