import { ActivityFailure, proxyActivities } from '@temporalio/workflow';
import type { Activities } from '../activities';
import { sharedChangeSchema, type SharedChange } from '../contracts/sharedState';
import type { Json } from '../deterministic/jsonDiff';
import { Failure, isFailure, raise } from '../failures';

const { readShared, updateShared } = proxyActivities<Activities>({
  startToCloseTimeout: '10 seconds',
  // Database hiccups retry; a version conflict is non-retryable by design (see below).
  retry: { maximumAttempts: 5, initialInterval: '200 ms' },
});

const isConflict = (e: unknown) => e instanceof ActivityFailure && isFailure(e.cause, Failure.StateConflict);

/**
 * An agent contributes a change to a shared object without losing anyone else's: read the object and its
 * version, apply the change, write stating the version read. On a conflict, re-read and re-apply (bounded);
 * when the bound is exhausted, fail with the conflict so the caller escalates — never overwrite blindly.
 */
export async function applySharedChange(input: SharedChange): Promise<{ version: number; attempts: number; conflicts: number }> {
  const parsed = sharedChangeSchema.safeParse(input);
  if (!parsed.success) throw raise(Failure.InvalidInput, parsed.error.message);
  const change = parsed.data;

  let conflicts = 0;
  for (let attempt = 1; attempt <= change.maxAttempts; attempt++) {
    const current = await readShared(change.key);
    const base = (current.data && typeof current.data === 'object' && !Array.isArray(current.data) ? current.data : {}) as Record<string, Json>;
    const next: Record<string, Json> = { ...base, ...change.set };
    for (const [field, delta] of Object.entries(change.add)) next[field] = (typeof base[field] === 'number' ? (base[field] as number) : 0) + delta;
    try {
      const written = await updateShared({ key: change.key, expectedVersion: current.version, data: next, actor: change.actor });
      return { version: written.version, attempts: attempt, conflicts };
    } catch (e) {
      if (!isConflict(e)) throw e;
      conflicts++;
    }
  }
  throw raise(Failure.StateConflict, `gave up on '${change.key}' after ${conflicts} conflicting attempts`, { details: [{ key: change.key, conflicts }] });
}
