/**
 * Shared objects: versioned JSON in Postgres with optimistic concurrency. A write states the version it read
 * and lands as the next version only if no other writer got there first; each accepted change is an event
 * (its JSON diff), each refused one is counted per key. A write may name its change (`changeId`): the id is
 * recorded with the event, once per object, and a second write of the same change — a retry whose first
 * attempt committed but never heard back — gets the recorded result instead of applying the change again.
 */
import type { DatabaseError } from 'pg';
import { jsonDiff, type Json } from '../deterministic/jsonDiff';
import { inTransaction, type Db, type Queryable } from './db';

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
  /** Names the change: a write of a change already recorded for this key writes nothing and returns its result. */
  changeId?: string;
}

export type SharedWriteResult =
  /** Written as `version`. */
  | { outcome: 'written'; version: number; data: Json }
  /** This change was applied before (as `version`, leaving `data`): nothing written now. */
  | { outcome: 'duplicate'; version: number; data: Json }
  /** Another writer got there first: nothing written, the conflict counted. */
  | { outcome: 'conflict' };

const isUniqueViolation = (e: unknown) => (e as DatabaseError | undefined)?.code === '23505';

export function createSharedObjectStore(db: Db) {
  return {
    /** The object as it is now; version 0 and no data when it does not exist. */
    async read(key: string): Promise<SharedObject> {
      const { rows } = await db.query<{ version: number; data: Json }>('SELECT version, data FROM shared_objects WHERE key = $1', [key]);
      return { key, version: rows[0]?.version ?? 0, data: rows[0]?.data ?? null };
    },

    /**
     * Writes `data` as version expectedVersion+1 with its event, under the object's row lock — unless the
     * change was applied before (`duplicate`: its recorded result) or another writer got there first
     * (`conflict`: nothing written, the conflict counted).
     */
    async write(w: SharedWrite): Promise<SharedWriteResult> {
      const next = w.expectedVersion + 1;
      const recorded = async (q: Queryable): Promise<SharedWriteResult | undefined> => {
        if (w.changeId === undefined) return undefined;
        const { rows } = await q.query<{ version: number; data: Json }>('SELECT version, data FROM shared_object_events WHERE key = $1 AND change_id = $2', [
          w.key,
          w.changeId,
        ]);
        return rows[0] && { outcome: 'duplicate', version: rows[0].version, data: rows[0].data };
      };
      let result: SharedWriteResult;
      try {
        result = await inTransaction(db, async (tx): Promise<SharedWriteResult> => {
          // Lock the object whatever its version: writers of one key take turns, so the change-id check below
          // sees every write of this key committed before ours (read committed: each statement a new snapshot).
          const { rows } = await tx.query<{ version: number; data: Json }>('SELECT version, data FROM shared_objects WHERE key = $1 FOR UPDATE', [w.key]);
          const prior = await recorded(tx);
          if (prior) return prior;
          const current = rows[0];
          if ((current?.version ?? 0) !== w.expectedVersion) return { outcome: 'conflict' };
          const res = current
            ? await tx.query('UPDATE shared_objects SET version = $3, data = $4, updated_at = now(), updated_by = $5 WHERE key = $1 AND version = $2', [
                w.key,
                w.expectedVersion,
                next,
                JSON.stringify(w.data),
                w.actor,
              ])
            : await tx.query('INSERT INTO shared_objects (key, version, data, updated_by) VALUES ($1, 1, $2, $3) ON CONFLICT (key) DO NOTHING', [
                w.key,
                JSON.stringify(w.data),
                w.actor,
              ]);
          if (res.rowCount !== 1) return { outcome: 'conflict' };
          const diff = jsonDiff(current?.data, w.data);
          await tx.query('INSERT INTO shared_object_events (key, version, actor, diff, change_id, data) VALUES ($1, $2, $3, $4, $5, $6)', [
            w.key,
            next,
            w.actor,
            JSON.stringify(diff),
            w.changeId ?? null,
            w.changeId === undefined ? null : JSON.stringify(w.data),
          ]);
          return { outcome: 'written', version: next, data: w.data };
        });
      } catch (e) {
        // The unique index is the guarantee behind the check: were two attempts of one change ever to pass it, one is kept.
        if (!isUniqueViolation(e)) throw e;
        result = (await recorded(db)) ?? { outcome: 'conflict' };
      }
      if (result.outcome === 'conflict') {
        // A concurrent attempt of this same change may have created the object first: that is its result, not a conflict.
        const prior = await recorded(db);
        if (prior) return prior;
        await db.query(
          'INSERT INTO shared_object_conflicts (key, conflicts) VALUES ($1, 1) ON CONFLICT (key) DO UPDATE SET conflicts = shared_object_conflicts.conflicts + 1',
          [w.key],
        );
      }
      return result;
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
