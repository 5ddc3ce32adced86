/**
 * enrichCatalog: enrich a list of SKUs from the rate-limited enrichment API, through the broker.
 *
 * Every call runs on the API's own task queue, where the broker admits it against the one account-wide
 * quota shared by all workflows and workers: when the quota is spent, calls queue for their slot — they do
 * not fail. A call whose retry budget is spent (or whose answer is unusable) escalates that one SKU to a
 * person; the others go on meanwhile.
 */
import { ActivityFailure, ApplicationFailure, workflowInfo } from '@temporalio/workflow';
import { z } from 'zod';
import { Failure, raise } from '../../failures';
import { proxyApi } from '../../workflows/api';
import { ENRICHMENT_API, type EnrichedSku, type EnrichmentActivities } from './contract';
import { createHumanGate, humanRejection } from '../../workflows/humanGate';
import { markPipeline, markStatus } from '../../workflows/status';

export const enrichCatalogInputSchema = z.strictObject({
  skus: z.array(z.string().trim().min(1).max(200)).min(1).max(10_000),
  /** How many calls this workflow has in flight at once (the broker still decides when each is sent). */
  concurrency: z.number().int().min(1).max(500).default(20),
  /** Attempts per call before the SKU escalates. */
  retryBudget: z.number().int().min(1).max(50).default(5),
  /** The enrichment API's broker queue; defaults to `<this workflow's queue>-api-enrichment`. */
  apiTaskQueue: z.string().min(1).max(200).optional(),
});
export type EnrichCatalogInput = z.input<typeof enrichCatalogInputSchema>;

export interface EnrichCatalogResult {
  enriched: EnrichedSku[];
  /** SKUs a person chose to skip after their call escalated. */
  skipped: string[];
  /** Activity attempts over all calls (1 per call when nothing was retried). */
  attempts: number;
  maxQueuedMs: number;
}

export async function enrichCatalog(rawInput: EnrichCatalogInput): Promise<EnrichCatalogResult> {
  const parsed = enrichCatalogInputSchema.safeParse(rawInput);
  if (!parsed.success) {
    throw raise(Failure.InvalidInput, `enrichCatalog: ${z.prettifyError(parsed.error)}`);
  }
  const input = parsed.data;
  markPipeline('enrich-catalog');
  const gate = createHumanGate();

  const { enrichSku } = proxyApi<EnrichmentActivities>(ENRICHMENT_API, {
    taskQueue: input.apiTaskQueue,
    // Long enough to wait for a slot behind a deep queue; heartbeats notice a lost worker within 30 s.
    startToCloseTimeout: '30 minutes',
    heartbeatTimeout: '30 seconds',
    // The activity sets each delay itself (Retry-After, full jitter) and fails non-retryably at the budget;
    // this policy is the backstop for failures it cannot see (worker crash, timeouts).
    retry: { maximumAttempts: input.retryBudget + 1, initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '1 minute' },
  });

  const enriched = new Map<string, EnrichedSku>();
  const skipped: string[] = [];
  let escalations: Promise<unknown> = Promise.resolve();
  const serially = <T>(fn: () => Promise<T>): Promise<T> => {
    const run = escalations.then(fn);
    escalations = run.catch(() => undefined);
    return run;
  };

  async function enrichOne(sku: string): Promise<void> {
    for (;;) {
      try {
        enriched.set(sku, await enrichSku({ sku, retryBudget: input.retryBudget }));
        return;
      } catch (err) {
        if (!(err instanceof ActivityFailure)) throw err;
        const cause = err.cause instanceof ApplicationFailure ? err.cause : undefined;
        // One escalation open at a time (the gate holds a single open question): failures queue up here.
        const decision = await serially(() =>
          gate.escalate({
            kind: 'enrichment-failed',
            reason: `enrichment of ${sku} failed: ${cause?.message ?? err.message}`,
            step: `enrich:${sku}`,
            latestFailure: { error: cause?.message ?? err.message, at: new Date(workflowInfo().unsafe.now()).toISOString() },
            details: { sku, type: cause?.type, hint: 'retry = call again, approve = skip this SKU, reject = stop the workflow' },
          }),
        );
        if (decision.decision === 'approve') {
          skipped.push(sku);
          return;
        }
        if (decision.decision === 'reject') {
          throw humanRejection(`enrich ${sku}`, decision);
        }
      }
    }
  }

  const pending = [...input.skus];
  async function lane(): Promise<void> {
    for (let sku = pending.shift(); sku !== undefined; sku = pending.shift()) await enrichOne(sku);
  }
  await Promise.all(Array.from({ length: Math.min(input.concurrency, pending.length) }, lane));

  markStatus('Completed');
  const items = input.skus.flatMap((s) => enriched.get(s) ?? []);
  return {
    enriched: items,
    skipped,
    attempts: items.reduce((n, i) => n + i.attempt, 0),
    maxQueuedMs: items.reduce((m, i) => Math.max(m, i.queuedMs), 0),
  };
}
