/**
 * The shared-state activities over src/store/sharedObjects.ts (versioned JSON objects with optimistic
 * concurrency). `updateShared` states the version it read; if another writer got there first it fails with a
 * `BW_STATE_CONFLICT` (non-retryable: retrying the same stale write can never succeed — the caller must
 * re-read, recompute and try again, which `src/workflows/applySharedChange.ts` does, bounded). An update that
 * names its change (`changeId`) is idempotent: Temporal's retry of an attempt that committed but lost its
 * acknowledgement gets the recorded result, not a conflict and not a second application.
 */
import { z } from 'zod';
import { MAX_SHARED_BYTES } from '../contracts/sharedState';
import type { Json } from '../deterministic/jsonDiff';
import { faultPoint } from '../faults';
import { Failure, raise } from '../failures';
import type { Db } from '../store/db';
import { createSharedObjectStore, type SharedObject } from '../store/sharedObjects';

const MAX_KEY = 200;
const MAX_BYTES = MAX_SHARED_BYTES;

export const sharedUpdateSchema = z.strictObject({
  key: z.string().min(1).max(MAX_KEY),
  /** The version the caller read; 0 creates the object. */
  expectedVersion: z.number().int().min(0),
  data: z.json().refine((d) => JSON.stringify(d).length <= MAX_BYTES, `object larger than ${MAX_BYTES} bytes`),
  actor: z.string().min(1).max(200),
  /**
   * Names the change, unique per object: a second update with the same id writes nothing and returns the
   * first one's result (its version and data), whatever `expectedVersion` and `data` it carries. Without
   * one, the update is not idempotent.
   */
  changeId: z.string().min(1).max(2048).optional(),
});
export type SharedUpdate = z.infer<typeof sharedUpdateSchema>;

export function createSharedStateActivities(db: Db) {
  const objects = createSharedObjectStore(db);
  return {
    async readShared(key: string): Promise<SharedObject> {
      return objects.read(key);
    },

    /**
     * Writes `data` as version expectedVersion+1, or fails with BW_STATE_CONFLICT; a change already applied
     * (same `changeId`) returns the version it landed as and the data it wrote.
     */
    async updateShared(input: SharedUpdate): Promise<SharedObject> {
      const u = sharedUpdateSchema.parse(input);
      const written = await objects.write({ key: u.key, expectedVersion: u.expectedVersion, data: u.data as Json, actor: u.actor, changeId: u.changeId });
      if (written.outcome === 'conflict') {
        throw raise(Failure.StateConflict, `shared object '${u.key}' changed since version ${u.expectedVersion}: re-read and retry`, {
          details: [{ key: u.key, expectedVersion: u.expectedVersion }],
        });
      }
      // The write has committed; a failure from here on loses only the acknowledgement (a crash, a timeout).
      faultPoint('sharedState.afterCommit');
      return { key: u.key, version: written.version, data: written.data };
    },

    async sharedHistory(key: string): Promise<{ version: number; actor: string; at: string; diff: unknown }[]> {
      return objects.history(key);
    },

    async sharedConflicts(key: string): Promise<number> {
      return objects.conflicts(key);
    },
  };
}
