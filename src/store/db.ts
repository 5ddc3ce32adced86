/**
 * The Postgres pool. Every Breakwater table lives in one schema (DATABASE_SCHEMA, default `public`), which
 * lets each test file work in a schema of its own on a shared server.
 */
import { Pool, type PoolConfig } from 'pg';
import type { BreakwaterConfig } from '../config';
import { requireSetting } from '../config';

export type Db = Pool;

/** What a store's read or single statement needs: the pool, or a client inside a transaction. */
export type Queryable = Pick<Db, 'query'>;

export function createPool(database: BreakwaterConfig['database'], extra: PoolConfig = {}): Db {
  const connectionString = requireSetting(database.url, 'DATABASE_URL', 'set it, or run `npm run stack` to start the local cluster');
  const pool = new Pool({
    connectionString,
    max: 10,
    connectionTimeoutMillis: 10_000,
    // Quote the schema: it is validated as an identifier by the config module, quoting makes that belt and braces.
    options: `-c search_path="${database.schema}"`,
    application_name: 'breakwater',
    ...extra,
  });
  // An idle client losing its server (Postgres restart) must not crash the worker: the pool replaces it.
  pool.on('error', () => undefined);
  return pool;
}

/** Runs `fn` in a transaction; rolls back on any error. */
export async function inTransaction<T>(db: Db, fn: (client: import('pg').PoolClient) => Promise<T>): Promise<T> {
  const client = await db.connect();
  try {
    await client.query('BEGIN');
    const result = await fn(client);
    await client.query('COMMIT');
    return result;
  } catch (e) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw e;
  } finally {
    client.release();
  }
}
