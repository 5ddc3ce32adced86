/**
 * The statement counter the accounting bench relies on, against a real Postgres: it counts `pool.query` and
 * statements inside a transaction (BEGIN and COMMIT too), on clients connected before it was installed,
 * attributes them to the tag of the moment, names verb and table, and stops when told.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { loadConfig } from '../config';
import { createPool, inTransaction, type Db } from './db';
import { countStatements, statementHead } from './statementCounter';

let db: Db;
before(() => {
  const config = loadConfig(process.env);
  assert.ok(config.database.url, 'DATABASE_URL is set (the tests run against a real Postgres)');
  db = createPool(config.database);
});
after(() => db?.end());

test('counts every statement through the pool, by tag and by statement head, until stopped', async () => {
  await db.query('SELECT 1'); // a client connected before the counter exists is counted too
  let tag: string | undefined = 'reserve';
  const counter = countStatements(db, () => tag);
  await db.query('SELECT 1');
  await inTransaction(db, async (c) => {
    await c.query('SELECT now()');
    await c.query({ text: 'SELECT count(*) FROM pg_class WHERE relname = $1', values: ['x'] });
  });
  tag = undefined;
  await db.query('SELECT 2');
  assert.equal(counter.total, 6, 'SELECT 1 + BEGIN + 2 statements + COMMIT + SELECT 2');
  assert.equal(counter.byTag.get('reserve'), 5);
  assert.equal(counter.byTag.get(''), 1, 'untagged statements count under the empty tag');
  assert.equal(counter.byStatement.get('reserve\tSELECT pg_class'), 1);
  assert.equal(counter.byStatement.get('reserve\tBEGIN'), 1);
  counter.stop();
  await db.query('SELECT 3');
  assert.equal(counter.total, 6, 'nothing counted after stop()');
});

test('statementHead names the verb and the table', () => {
  assert.equal(statementHead('INSERT INTO llm_daily_spend (day) VALUES ($1)'), 'INSERT llm_daily_spend');
  assert.equal(statementHead('  update "fingerprints" set x = 1'), 'UPDATE fingerprints');
  assert.equal(statementHead('COMMIT'), 'COMMIT');
});
