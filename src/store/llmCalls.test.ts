/** BREAKWATER_LLM_CONTENT against real Postgres: `keep` stores prompts and answers (redacted), `omit` stores none of them. */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, test } from 'node:test';
import { loadConfig } from '../config';
import { createDailyCap } from './dailySpend';
import { createPool, type Db } from './db';
import { createCallRecorder, type CallRecord } from './llmCalls';
import { migrate } from './migrate';

const schema = `t_${randomBytes(6).toString('hex')}`;
let db: Db;
before(async () => {
  db = createPool(loadConfig({ ...process.env, DATABASE_SCHEMA: schema }).database);
  await migrate(db, schema);
});
after(async () => {
  await db?.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`).catch(() => undefined);
  await db?.end();
});

const call = (workflowId: string): CallRecord => ({
  ctx: { workflowId, runId: 'r', activityId: '1', attempt: 1 },
  repair: 0,
  role: 'router',
  model: 'm',
  schemaName: 's',
  outcome: 'ok',
  messages: [{ role: 'user', content: 'customer Ada Lovelace, 12 Analytical St' }],
  content: '{"route":"refund"}',
  output: { route: 'refund' },
  inputTokens: 10,
  outputTokens: 5,
  price: { inputNanoPerToken: 100, outputNanoPerToken: 200 },
  costNanoUsd: 2000,
});

test('keep (the default) stores the prompt and answer; omit keeps both out and still records the cost', async () => {
  const cap = createDailyCap(db, 50);
  await createCallRecorder(db, cap).record(call('kept'));
  await createCallRecorder(db, cap, { content: 'omit' }).record(call('omitted'));
  const { rows } = await db.query<{ workflow_id: string; row: string; cost_usd: string; input_tokens: number }>(
    "SELECT workflow_id, row_to_json(l)::text AS row, cost_usd::text, input_tokens FROM llm_calls l WHERE workflow_id IN ('kept', 'omitted') ORDER BY workflow_id",
  );
  const [kept, omitted] = [rows.find((r) => r.workflow_id === 'kept')!, rows.find((r) => r.workflow_id === 'omitted')!];
  assert.match(kept.row, /Ada Lovelace/);
  assert.match(kept.row, /refund/);
  assert.doesNotMatch(omitted.row, /Ada Lovelace|Analytical|refund/);
  assert.deepEqual([omitted.cost_usd, omitted.input_tokens], [kept.cost_usd, kept.input_tokens]);
});

test('BREAKWATER_LLM_CONTENT takes keep or omit only', () => {
  assert.equal(loadConfig({ BREAKWATER_LLM_CONTENT: 'omit' }).llmContent, 'omit');
  assert.equal(loadConfig({}).llmContent, 'keep');
  assert.throws(() => loadConfig({ BREAKWATER_LLM_CONTENT: 'encrypt' }), /BREAKWATER_LLM_CONTENT/);
});
