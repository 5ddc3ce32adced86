/**
 * BENCHMARK BASELINE ONLY — not a pipeline; do not use it for real submissions.
 *
 * The same portal calls as submitAndVerify (one POST, then GETs until the record is listed) in a bare
 * Temporal workflow: no fingerprint, no breaker, no verify delay, no human gate. `npm run bench` runs both
 * in one run to measure what the guards cost. Its activities are supplied by the benchmark's worker
 * (src/bench/submitAndVerify.bench.ts), not registered in production workers.
 */
import { proxyActivities, sleep } from '@temporalio/workflow';

export interface BareSubmitActivities {
  barePortalPost(req: { recordId: string; entityId: string; payload: unknown }): Promise<{ confirmation: string; receivedAt: string }>;
  barePortalFind(recordId: string): Promise<{ confirmation: string }[]>;
}

const { barePortalPost, barePortalFind } = proxyActivities<BareSubmitActivities>({
  startToCloseTimeout: '30 seconds',
  retry: { initialInterval: '1 second', maximumAttempts: 3 },
});

export async function bareSubmit(input: { recordId: string; entityId: string; payload: unknown }): Promise<{ confirmation: string; looks: number }> {
  const { confirmation } = await barePortalPost(input);
  for (let looks = 1; looks <= 20; looks++) {
    const listed = await barePortalFind(input.recordId);
    if (listed.some((r) => r.confirmation === confirmation)) return { confirmation, looks };
    await sleep(100);
  }
  throw new Error(`baseline: ${confirmation} never became visible`);
}
