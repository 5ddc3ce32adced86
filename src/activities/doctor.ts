/** The end-to-end health check: proves a worker on this task queue reaches Postgres with its migrations. */
import type { Db } from '../store/db';

export interface DoctorReport {
  postgresVersion: string;
  schema: string;
  migrations: number[];
}

export function createDoctorActivities(db: Db) {
  return {
    async checkDatabase(): Promise<DoctorReport> {
      const version = await db.query<{ v: string; s: string }>("SELECT current_setting('server_version') AS v, current_schema() AS s");
      const migrations = await db.query<{ version: number }>("SELECT version FROM schema_migrations WHERE source = 'breakwater' ORDER BY version");
      const row = version.rows[0]!;
      return { postgresVersion: row.v, schema: row.s, migrations: migrations.rows.map((r) => r.version) };
    },
  };
}
