/**
 * Shared objects: versioned JSON in Postgres with optimistic concurrency. A write states the version it read
 * and lands as the next version only if no other writer got there first; each accepted change is an event
 * (its JSON diff), each refused one is counted per key.
 */
import { jsonDiff, type Json } from '../deterministic/jsonDiff';
import { inTransaction, type Db } from './db';

export interface SharedObject {
  key: string;
  version: number;
  data: Json | null;
}

export interface SharedWrite {
  key: string;
  /** The version the writer read; 0 creates the object. */
  expectedVersion: number;
  data: Json;
  actor: string;
}

export function createSharedObjectStore(db: Db) {
  return {
    /** The object as it is now; version 0 and no data when it does not exist. */
    async read(key: string): Promise<SharedObject> {
      const { rows } = await db.query<{ version: number; data: Json }>('SELECT version, data FROM shared_objects WHERE key = $1', [key]);
      return { key, version: rows[0]?.version ?? 0, data: rows[0]?.data ?? null };
    },

    /**
     * Writes `data` as version expectedVersion+1 with its event, under the row lock. False when another
     * writer got there first: nothing is written and the conflict is counted.
     */
    async write(w: SharedWrite): Promise<boolean> {
      const next = w.expectedVersion + 1;
      const written = await inTransaction(db, async (tx) => {
        const before = await tx.query<{ data: Json }>('SELECT data FROM shared_objects WHERE key = $1 AND version = $2 FOR UPDATE', [w.key, w.expectedVersion]);
        const res =
          w.expectedVersion === 0
            ? await tx.query(
                'INSERT INTO shared_objects (key, version, data, updated_by) VALUES ($1, 1, $2, $3) ON CONFLICT (key) DO NOTHING',
                [w.key, JSON.stringify(w.data), w.actor],
              )
            : await tx.query('UPDATE shared_objects SET version = $3, data = $4, updated_at = now(), updated_by = $5 WHERE key = $1 AND version = $2', [
                w.key,
                w.expectedVersion,
                next,
                JSON.stringify(w.data),
                w.actor,
              ]);
        if (res.rowCount !== 1) return false;
        const diff = jsonDiff(before.rows[0]?.data, w.data);
        await tx.query('INSERT INTO shared_object_events (key, version, actor, diff) VALUES ($1, $2, $3, $4)', [w.key, next, w.actor, JSON.stringify(diff)]);
        return true;
      });
      if (!written) {
        await db.query(
          'INSERT INTO shared_object_conflicts (key, conflicts) VALUES ($1, 1) ON CONFLICT (key) DO UPDATE SET conflicts = shared_object_conflicts.conflicts + 1',
          [w.key],
        );
      }
      return written;
    },

    /** Every accepted change of `key`, oldest first. */
    async history(key: string): Promise<{ version: number; actor: string; at: string; diff: unknown }[]> {
      const { rows } = await db.query<{ version: number; actor: string; at: Date; diff: unknown }>(
        'SELECT version, actor, at, diff FROM shared_object_events WHERE key = $1 ORDER BY version',
        [key],
      );
      return rows.map((r) => ({ ...r, at: r.at.toISOString() }));
    },

    /** How many stale writes of `key` were refused. */
    async conflicts(key: string): Promise<number> {
      const { rows } = await db.query<{ conflicts: string }>('SELECT conflicts FROM shared_object_conflicts WHERE key = $1', [key]);
      return Number(rows[0]?.conflicts ?? 0);
    },
  };
}

export type SharedObjectStore = ReturnType<typeof createSharedObjectStore>;
