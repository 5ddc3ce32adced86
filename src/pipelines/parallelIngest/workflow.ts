/**
 * parallelIngest: read N sources at once and merge them by a contract fixed before any is read
 * (src/deterministic/merge.ts): the union of the records, one per id; agreed fields kept; a field the
 * sources disagree on is surfaced as a conflict with every source's value — never silently overwritten.
 * A source that cannot be read escalates (retry / approve = merge without it / reject).
 */
import { ActivityFailure } from '@temporalio/common';
import { proxyActivities } from '@temporalio/workflow';
import { z } from 'zod';
import type { ReferenceActivities as Activities } from '../activities';
import { Failure, raise } from '../../failures';
import { mergeByIdContract, type MergeResult, type SourceBatch } from '../../deterministic/merge';
import { createHumanGate } from '../../workflows/humanGate';
import { markPipeline, markStatus } from '../../workflows/status';

export const parallelIngestInputSchema = z.strictObject({
  ingestId: z.string().min(1).max(200),
  sources: z.array(z.strictObject({ name: z.string().min(1).max(200), url: z.url({ protocol: /^https?$/ }) })).min(1).max(100),
});
export type ParallelIngestInput = z.input<typeof parallelIngestInputSchema>;

export interface ParallelIngestResult extends MergeResult {
  status: 'completed' | 'partial' | 'rejected';
  /** Records read per source. */
  perSource: Record<string, number>;
  /** Sources left out by a person's decision, with why they failed. */
  skipped: { source: string; error: string }[];
}

const { fetchSourceRecords } = proxyActivities<Activities>({
  startToCloseTimeout: '1 minute',
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '30 seconds', maximumAttempts: 5 },
});
const { sendAlert } = proxyActivities<Activities>({ startToCloseTimeout: '30 seconds', retry: { maximumAttempts: 5 } });

export async function parallelIngest(rawInput: ParallelIngestInput): Promise<ParallelIngestResult> {
  const gate = createHumanGate();
  markPipeline('parallelIngest');
  const parsed = parallelIngestInputSchema.safeParse(rawInput);
  if (!parsed.success) throw raise(Failure.InvalidInput, `parallelIngest: ${z.prettifyError(parsed.error)}`);
  const input = parsed.data;
  const names = input.sources.map((s) => s.name);
  if (new Set(names).size !== names.length) throw raise(Failure.InvalidInput, `source names must be unique: ${names.join(', ')}`);

  // 1. Fan out: every source at once; each settles on its own.
  const batches = new Map<string, SourceBatch>();
  let pending = input.sources;
  let failures: { source: string; error: string }[] = [];
  for (;;) {
    const settled = await Promise.all(pending.map(async (s) => {
      try {
        batches.set(s.name, await fetchSourceRecords({ source: s.name, url: s.url }));
        return undefined;
      } catch (e) {
        const cause = e instanceof ActivityFailure ? e.cause : e;
        return { source: s.name, error: (cause as Error)?.message ?? String(cause) };
      }
    }));
    failures = settled.filter((f): f is { source: string; error: string } => f !== undefined);
    if (failures.length === 0) break;
    const escalation = {
      kind: 'source-failed',
      reason: `${failures.length} source(s) could not be read: ${failures.map((f) => `${f.source} (${f.error})`).join('; ')}. retry = read them again; approve = merge without them; reject = end`,
      step: 'fetch',
      details: { failures, read: [...batches.keys()] },
    };
    await sendAlert({ title: `parallelIngest ${input.ingestId}: ${failures.length} source(s) unreadable`, message: escalation.reason, priority: 4, tags: ['breakwater', 'source-failed'], dedupeKey: `source-failed:${input.ingestId}`, pipeline: 'parallelIngest', step: 'fetch', details: escalation.details });
    const r = await gate.escalate(escalation);
    if (r.decision === 'approve') break;
    if (r.decision === 'reject') {
      markStatus('Rejected');
      return { status: 'rejected', ...mergeByIdContract([]), perSource: {}, skipped: failures };
    }
    pending = input.sources.filter((s) => failures.some((f) => f.source === s.name));
  }

  // 2. Merge by the contract; conflicts are surfaced, to the result and to a person.
  const merged = mergeByIdContract([...batches.values()]);
  if (merged.conflicts.length > 0) {
    await sendAlert({
      title: `parallelIngest ${input.ingestId}: ${merged.conflicts.length} conflicting value(s)`,
      message: merged.conflicts.slice(0, 10).map((c) => `${c.id}.${c.field}: ${c.values.map((v) => `${v.source}=${JSON.stringify(v.value)}`).join(' vs ')}`).join('\n'),
      priority: 3,
      tags: ['breakwater', 'merge-conflict'],
      dedupeKey: `merge-conflict:${input.ingestId}`,
      pipeline: 'parallelIngest',
      details: { conflicts: merged.conflicts.slice(0, 100) },
    });
  }
  markStatus('Completed');
  const perSource = Object.fromEntries([...batches.values()].map((b) => [b.source, b.records.length]));
  return { status: failures.length > 0 ? 'partial' : 'completed', ...merged, perSource, skipped: failures };
}
