import { ActivityFailure, proxyActivities, workflowInfo } from '@temporalio/workflow';
import type { Activities } from '../activities';
import { sharedChangeSchema, type SharedChange } from '../contracts/sharedState';
import type { Json } from '../deterministic/jsonDiff';
import { Failure, isFailure, raise } from '../failures';

const { readShared, updateShared } = proxyActivities<Activities>({
  startToCloseTimeout: '10 seconds',
  // Database hiccups and dying workers retry for up to 5 minutes, not a count of attempts: each worker crash
  // costs an attempt, and the write is idempotent by its change id. A version conflict is non-retryable by
  // design (see below).
  scheduleToCloseTimeout: '5 minutes',
  retry: { initialInterval: '200 ms', maximumInterval: '10 seconds' },
});

const isConflict = (e: unknown) => e instanceof ActivityFailure && isFailure(e.cause, Failure.StateConflict);

/**
 * An agent contributes a change to a shared object without losing anyone else's: read the object and its
 * version, apply the change, write stating the version read. On a conflict, re-read and re-apply (bounded);
 * when the bound is exhausted, fail with the conflict so the caller escalates — never overwrite blindly.
 *
 * Every write of the change carries one change id, so it is applied at most once: when a write commits but
 * its acknowledgement is lost, Temporal's retry gets the recorded result instead of a conflict that would
 * re-read and apply the change a second time. The id is the caller's `changeId`, else derived from this
 * execution chain — workflow id + first run id, stable across activity retries, workflow retries and resets
 * (a run id is not: a reset would apply the change again). A legacy cron schedule shares the chain across
 * its runs, so pass a `changeId` per run there.
 */
export async function applySharedChange(input: SharedChange): Promise<{ version: number; attempts: number; conflicts: number }> {
  const parsed = sharedChangeSchema.safeParse(input);
  if (!parsed.success) throw raise(Failure.InvalidInput, parsed.error.message);
  const change = parsed.data;
  // Only the activities' input changes, not the commands: histories recorded before change ids replay as they are.
  const { workflowId, firstExecutionRunId } = workflowInfo();
  const changeId = change.changeId ?? `${workflowId}/${firstExecutionRunId}`;

  let conflicts = 0;
  for (let attempt = 1; attempt <= change.maxAttempts; attempt++) {
    const current = await readShared(change.key);
    const base = (current.data && typeof current.data === 'object' && !Array.isArray(current.data) ? current.data : {}) as Record<string, Json>;
    const next: Record<string, Json> = { ...base, ...change.set };
    for (const [field, delta] of Object.entries(change.add)) next[field] = (typeof base[field] === 'number' ? (base[field] as number) : 0) + delta;
    try {
      const written = await updateShared({ key: change.key, expectedVersion: current.version, data: next, actor: change.actor, changeId });
      return { version: written.version, attempts: attempt, conflicts };
    } catch (e) {
      if (!isConflict(e)) throw e;
      conflicts++;
    }
  }
  throw raise(Failure.StateConflict, `gave up on '${change.key}' after ${conflicts} conflicting attempts`, { details: [{ key: change.key, conflicts }] });
}
