/** What the doctor check reads from Postgres: the server's version, the schema in use and Breakwater's applied migrations. */
import type { Db } from './db';

export interface DoctorReport {
  postgresVersion: string;
  schema: string;
  migrations: number[];
}

export async function readDatabaseHealth(db: Db): Promise<DoctorReport> {
  const version = await db.query<{ v: string; s: string }>("SELECT current_setting('server_version') AS v, current_schema() AS s");
  const migrations = await db.query<{ version: number }>("SELECT version FROM schema_migrations WHERE source = 'breakwater' ORDER BY version");
  const row = version.rows[0]!;
  return { postgresVersion: row.v, schema: row.s, migrations: migrations.rows.map((r) => r.version) };
}
