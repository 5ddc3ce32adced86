/** The end-to-end health check: proves a worker on this task queue reaches Postgres with its migrations. */
import type { Db } from '../store/db';
import { readDatabaseHealth, type DoctorReport } from '../store/doctor';

export type { DoctorReport };

export function createDoctorActivities(db: Db) {
  return {
    async checkDatabase(): Promise<DoctorReport> {
      return readDatabaseHealth(db);
    },
  };
}
