/** The LLM response cache on a real Postgres: with the payload keys its rows hold no prompt or answer in clear. */
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { after, before, test } from 'node:test';
import { loadConfig } from '../config';
import { generateKeySpec, parseKeyRing } from '../codec/keys';
import { createSealer, isSealed } from '../codec/sealed';
import { ensureStack } from '../devstack/stack';
import { createPool, type Db } from './db';
import { createLlmCache } from './llmCache';
import { migrate } from './migrate';

let db: Db;
const schema = `t_${randomBytes(6).toString('hex')}`;
before(async () => {
  const url = process.env.DATABASE_URL || loadConfig({}).database.url || (await ensureStack()).postgres.url;
  db = createPool({ url, schema });
  await migrate(db, schema);
});
after(async () => {
  await db.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
  await db.end();
});

const SECRET = 'patient-PLANTED-5c2e71-diagnosis';
const K1 = generateKeySpec('k1');
const K2 = generateKeySpec('k2');
const parts = (text: string) => ({ model: 'sim-large', messages: [{ role: 'user', content: text }], schemaName: 'triage', jsonSchema: { type: 'object' } });
const answer = { content: `{"summary":"${SECRET}"}`, output: { summary: SECRET, confidence: 0.9 } };
const rowsText = async () => (await db.query<{ j: string }>('SELECT row_to_json(c)::text AS j FROM llm_cache c')).rows.map((r) => r.j).join('\n');

test('with the payload keys, a cached answer round-trips and the table holds no prompt or answer in clear', async () => {
  const cache = createLlmCache(db, { sealer: createSealer(parseKeyRing(K1)) });
  const key = cache.keyOf(parts(`what does ${SECRET} mean?`));
  await cache.put(key, { model: 'sim-large', schemaName: 'triage', ...answer });
  assert.deepEqual(await cache.get(cache.keyOf(parts(`what does ${SECRET} mean?`))), answer, 'the same request gets the answer back');
  assert.equal(await cache.get(cache.keyOf(parts('another question'))), undefined);
  const text = await rowsText();
  const { rows } = await db.query<{ content: unknown; output: unknown }>('SELECT content, output FROM llm_cache WHERE key = $1', [key]);
  assert.ok(isSealed(rows[0]?.content) && isSealed(rows[0]?.output), 'content and output are sealed');
  assert.ok(!text.includes(SECRET) && !text.includes('PLANTED'), 'no plaintext of the answer in the row');
  // The key is keyed: an unkeyed hash of a guessed prompt does not find the row.
  const guess = createHash('sha256').update(JSON.stringify(['sim-large', parts(`what does ${SECRET} mean?`).messages, 'triage', { type: 'object' }])).digest('hex');
  assert.ok(!text.includes(guess), 'the stored key is not an unkeyed hash of the prompt');
  assert.equal((await db.query('SELECT 1 FROM llm_cache WHERE key = $1', [guess])).rowCount, 0);
  // Another key ring derives other cache keys: after a rotation the cache misses (and is refilled), it does not mis-serve.
  const rotated = createLlmCache(db, { sealer: createSealer(parseKeyRing(`${K2},${K1}`)) });
  assert.equal(await rotated.get(rotated.keyOf(parts(`what does ${SECRET} mean?`))), undefined);
});

test('rows written in clear (before sealing, or without keys) are still served', async () => {
  const plain = createLlmCache(db);
  const key = plain.keyOf(parts('plain question'));
  await plain.put(key, { model: 'sim-large', schemaName: 'triage', content: '{"a":1}', output: { a: 1 } });
  assert.deepEqual(await plain.get(key), { content: '{"a":1}', output: { a: 1 } });
  const keyed = createLlmCache(db, { sealer: createSealer(parseKeyRing(K1)) });
  assert.deepEqual(await keyed.get(key), { content: '{"a":1}', output: { a: 1 } }, 'a clear row opens to itself');
});
