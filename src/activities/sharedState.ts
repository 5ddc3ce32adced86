/**
 * The shared-state store: versioned JSON objects in Postgres with optimistic concurrency.
 * `updateShared` states the version it read; if another writer got there first it fails with a
 * `BW_STATE_CONFLICT` (non-retryable: retrying the same stale write can never succeed — the caller must
 * re-read, recompute and try again, which `src/workflows/sharedState.ts` does, bounded).
 */
import { z } from 'zod';
import { MAX_SHARED_BYTES } from '../contracts/sharedState';
import { jsonDiff, type Json } from '../deterministic/jsonDiff';
import { Failure, raise } from '../failures';
import { inTransaction, type Db } from '../store/db';

const MAX_KEY = 200;
const MAX_BYTES = MAX_SHARED_BYTES;

export const sharedUpdateSchema = z.strictObject({
  key: z.string().min(1).max(MAX_KEY),
  /** The version the caller read; 0 creates the object. */
  expectedVersion: z.number().int().min(0),
  data: z.json().refine((d) => JSON.stringify(d).length <= MAX_BYTES, `object larger than ${MAX_BYTES} bytes`),
  actor: z.string().min(1).max(200),
});
export type SharedUpdate = z.infer<typeof sharedUpdateSchema>;

export interface SharedObject {
  key: string;
  version: number;
  data: Json | null;
}

export function createSharedStateActivities(db: Db) {
  return {
    async readShared(key: string): Promise<SharedObject> {
      const { rows } = await db.query<{ version: number; data: Json }>('SELECT version, data FROM shared_objects WHERE key = $1', [key]);
      return { key, version: rows[0]?.version ?? 0, data: rows[0]?.data ?? null };
    },

    /** Writes `data` as version expectedVersion+1, or fails with BW_STATE_CONFLICT. */
    async updateShared(input: SharedUpdate): Promise<SharedObject> {
      const u = sharedUpdateSchema.parse(input);
      const next = u.expectedVersion + 1;
      const written = await inTransaction(db, async (tx) => {
        const before = await tx.query<{ data: Json }>('SELECT data FROM shared_objects WHERE key = $1 AND version = $2 FOR UPDATE', [u.key, u.expectedVersion]);
        const res =
          u.expectedVersion === 0
            ? await tx.query(
                'INSERT INTO shared_objects (key, version, data, updated_by) VALUES ($1, 1, $2, $3) ON CONFLICT (key) DO NOTHING',
                [u.key, JSON.stringify(u.data), u.actor],
              )
            : await tx.query('UPDATE shared_objects SET version = $3, data = $4, updated_at = now(), updated_by = $5 WHERE key = $1 AND version = $2', [
                u.key,
                u.expectedVersion,
                next,
                JSON.stringify(u.data),
                u.actor,
              ]);
        if (res.rowCount !== 1) return false;
        const diff = jsonDiff(before.rows[0]?.data, u.data as Json);
        await tx.query('INSERT INTO shared_object_events (key, version, actor, diff) VALUES ($1, $2, $3, $4)', [u.key, next, u.actor, JSON.stringify(diff)]);
        return true;
      });
      if (!written) {
        await db.query(
          'INSERT INTO shared_object_conflicts (key, conflicts) VALUES ($1, 1) ON CONFLICT (key) DO UPDATE SET conflicts = shared_object_conflicts.conflicts + 1',
          [u.key],
        );
        throw raise(Failure.StateConflict, `shared object '${u.key}' changed since version ${u.expectedVersion}: re-read and retry`, {
          details: [{ key: u.key, expectedVersion: u.expectedVersion }],
        });
      }
      return { key: u.key, version: next, data: u.data as Json };
    },

    async sharedHistory(key: string): Promise<{ version: number; actor: string; at: string; diff: unknown }[]> {
      const { rows } = await db.query<{ version: number; actor: string; at: Date; diff: unknown }>(
        'SELECT version, actor, at, diff FROM shared_object_events WHERE key = $1 ORDER BY version',
        [key],
      );
      return rows.map((r) => ({ ...r, at: r.at.toISOString() }));
    },

    async sharedConflicts(key: string): Promise<number> {
      const { rows } = await db.query<{ conflicts: string }>('SELECT conflicts FROM shared_object_conflicts WHERE key = $1', [key]);
      return Number(rows[0]?.conflicts ?? 0);
    },
  };
}
