/** Migrations on a real Postgres: Breakwater's and a user's folder, each under its own source, applied once. */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { loadConfig } from '../config';
import { createPool, type Db } from './db';
import { loadMigrations, migrate } from './migrate';

let db: Db;
const schema = `t_${randomBytes(6).toString('hex')}`;
before(() => {
  const url = process.env.DATABASE_URL ?? loadConfig({}).database.url;
  assert.ok(url, 'DATABASE_URL (or the dev stack) is needed');
  db = createPool({ url, schema });
});
after(async () => {
  await db.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
  await db.end();
});

const folder = (files: Record<string, string>): string => {
  const dir = mkdtempSync(path.join(tmpdir(), 'bw-migrations-'));
  for (const [name, sql] of Object.entries(files)) writeFileSync(path.join(dir, name), sql);
  return dir;
};

test("a user's migrations run after Breakwater's, versioned under their own source, once", async () => {
  const shop = folder({ '001_products.sql': 'CREATE TABLE products (sku TEXT PRIMARY KEY, title TEXT NOT NULL);', '002_price.sql': 'ALTER TABLE products ADD COLUMN price NUMERIC;' });
  const first = await migrate(db, schema, { folders: [{ source: 'shop', dir: shop }] });
  const ours = loadMigrations().map((m) => `breakwater:${m.version}`);
  assert.deepEqual(first, [...ours, 'shop:1', 'shop:2'], 'the user version 001 does not collide with ours');
  assert.deepEqual(await migrate(db, schema, { folders: [{ source: 'shop', dir: shop }] }), [], 'nothing twice');
  await db.query("INSERT INTO products (sku, title, price) VALUES ('A', 'a', 1)");
  const { rows } = await db.query<{ source: string; n: number }>('SELECT source, count(*)::int AS n FROM schema_migrations GROUP BY source ORDER BY source');
  assert.deepEqual(rows, [{ source: 'breakwater', n: ours.length }, { source: 'shop', n: 2 }]);
});

test('a failing user migration names its source and file, and leaves nothing half-applied', async () => {
  const bad = folder({ '001_ok.sql': 'CREATE TABLE fine (x INT);', '002_broken.sql': 'CREATE TABLE half (x INT); SELECT no_such_function();' });
  await assert.rejects(migrate(db, schema, { folders: [{ source: 'bad', dir: bad }] }), /Migration bad\/002_broken failed/);
  const { rows } = await db.query<{ t: string | null }>("SELECT to_regclass('half')::text AS t");
  assert.equal(rows[0]?.t, null, 'the failed migration rolled back whole');
  assert.deepEqual((await db.query("SELECT version FROM schema_migrations WHERE source = 'bad'")).rows, [{ version: 1 }]);
  await assert.rejects(migrate(db, schema, { folders: [bad, { source: path.basename(bad), dir: bad }] }), /share a source name/);
});
