/** Shared-state contract shared by the store activities and workflows. Pure. */
import { z } from 'zod';
import { Failure } from '../failures';

/** The failure type of an update whose expected version is stale (`Failure.StateConflict`). */
export const STATE_CONFLICT = Failure.StateConflict.type;

/** A change an agent contributes to a shared object: fields to set and numeric fields to add to. */
/** The same bound the store enforces on a whole object, checked before any work starts. */
export const MAX_SHARED_BYTES = 256 * 1024;

export const sharedChangeSchema = z
  .strictObject({
    key: z.string().min(1).max(200),
    actor: z.string().min(1).max(200),
    set: z.record(z.string().max(200), z.json()).default({}),
    add: z.record(z.string().max(200), z.number().finite()).default({}),
    maxAttempts: z.number().int().min(1).max(50).default(8),
    /**
     * Names this change, unique per object: applying a change whose id the object already recorded changes
     * nothing and returns the recorded result. Default: the workflow's id and first run id, so Temporal's
     * retries, this workflow's own re-reads, a workflow retry and a reset all apply the change at most once.
     */
    changeId: z.string().min(1).max(1000).optional(),
  })
  .refine((c) => JSON.stringify(c.set).length <= MAX_SHARED_BYTES, { message: `set is larger than ${MAX_SHARED_BYTES} bytes`, path: ['set'] });
export type SharedChange = z.input<typeof sharedChangeSchema>;
