/**
 * Plain SQL migrations, versioned by file name (`NNN_name.sql`), applied once each in order and recorded
 * in `schema_migrations`. Breakwater's own come first; a user adds folders of theirs, each under a source
 * name of its own (versions are namespaced by source, so `001_…` of yours never collides with ours).
 * Workers run this at start; an advisory lock makes concurrent starts safe.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { Db } from './db';

/** Works from src/store and dist/store alike: the SQL files ship in src/store/migrations. */
export const migrationsDir = (): string => path.resolve(__dirname, '..', '..', 'src', 'store', 'migrations');

export interface Migration {
  version: number;
  name: string;
  sql: string;
}

/** A folder of your own migrations, recorded under `source` (default: the folder's name). */
export type MigrationFolder = string | { source: string; dir: string };

export interface MigrateOptions {
  /** Your migrations folders, applied after Breakwater's, in the order given. */
  folders?: readonly MigrationFolder[];
}

export const BREAKWATER_SOURCE = 'breakwater';

export function loadMigrations(dir = migrationsDir()): Migration[] {
  return readdirSync(dir)
    .filter((f) => /^\d{3}_[\w-]+\.sql$/.test(f))
    .sort()
    .map((f) => ({ version: Number(f.slice(0, 3)), name: f.replace(/\.sql$/, ''), sql: readFileSync(path.join(dir, f), 'utf8') }));
}

const LOCK_KEY = 0x6277_6d67; // "bwmg"

const folderOf = (f: MigrationFolder) => (typeof f === 'string' ? { source: path.basename(path.resolve(f)), dir: f } : f);

/** Applies pending migrations in `schema` (created if absent): Breakwater's, then yours. Returns what was applied now, as `source:version`. */
export async function migrate(db: Db, schema: string, options: MigrateOptions = {}): Promise<string[]> {
  const sources = [{ source: BREAKWATER_SOURCE, migrations: loadMigrations() }, ...(options.folders ?? []).map(folderOf).map((f) => ({ source: f.source, migrations: loadMigrations(f.dir) }))];
  const names = sources.map((s) => s.source);
  if (new Set(names).size !== names.length) throw new Error(`two migration folders share a source name (${names.join(', ')}): pass { source, dir }`);
  const client = await db.connect();
  try {
    await client.query('SELECT pg_advisory_lock($1)', [LOCK_KEY]);
    await client.query(`CREATE SCHEMA IF NOT EXISTS "${schema}"`);
    await client.query(`SET search_path TO "${schema}"`);
    await client.query(
      `CREATE TABLE IF NOT EXISTS schema_migrations (source TEXT NOT NULL DEFAULT '${BREAKWATER_SOURCE}', version INT NOT NULL, name TEXT NOT NULL, applied_at TIMESTAMPTZ NOT NULL DEFAULT now(), PRIMARY KEY (source, version))`,
    );
    // Tables made before sources existed: every row is Breakwater's.
    await client.query(`ALTER TABLE schema_migrations ADD COLUMN IF NOT EXISTS source TEXT NOT NULL DEFAULT '${BREAKWATER_SOURCE}'`);
    await client.query(`DO $$ BEGIN
      IF EXISTS (SELECT 1 FROM pg_constraint WHERE conname = 'schema_migrations_pkey' AND conrelid = 'schema_migrations'::regclass AND array_length(conkey, 1) = 1) THEN
        ALTER TABLE schema_migrations DROP CONSTRAINT schema_migrations_pkey;
        ALTER TABLE schema_migrations ADD PRIMARY KEY (source, version);
      END IF; END $$`);
    const { rows } = await client.query<{ source: string; version: number }>('SELECT source, version FROM schema_migrations');
    const done = new Set(rows.map((r) => `${r.source}:${r.version}`));
    const applied: string[] = [];
    for (const { source, migrations } of sources) {
      for (const m of migrations) {
        if (done.has(`${source}:${m.version}`)) continue;
        await client.query('BEGIN');
        try {
          await client.query(m.sql);
          await client.query('INSERT INTO schema_migrations (source, version, name) VALUES ($1, $2, $3)', [source, m.version, m.name]);
          await client.query('COMMIT');
        } catch (e) {
          await client.query('ROLLBACK');
          throw new Error(`Migration ${source}/${m.name} failed: ${(e as Error).message}`, { cause: e });
        }
        applied.push(`${source}:${m.version}`);
      }
    }
    return applied;
  } finally {
    await client.query('SELECT pg_advisory_unlock($1)', [LOCK_KEY]).catch(() => undefined);
    client.release();
  }
}

/** Drops `schema` and everything in it (a test's own schema, at its teardown). */
export async function dropSchema(db: Db, schema: string): Promise<void> {
  await db.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
}
