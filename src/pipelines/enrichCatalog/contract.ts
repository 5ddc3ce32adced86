/**
 * The enrichment API as enrichCatalog sees it: the API's name (its broker queue), what one call takes and
 * returns, and its stable failure types. Pure: usable in workflows.
 */
import { z } from 'zod';
import { defineFailures } from '../../failures';
import type { createEnrichmentActivities } from './activities';

export const ENRICHMENT_API = 'enrichment';

/**
 * The enrichment call's own failure types. It also fails with the toolkit's `Failure.RateLimited` (a 429,
 * through the broker), `Failure.RetryBudgetExhausted` (the step escalates), `Failure.InvalidInput` and
 * `Failure.ConfigInvalid`.
 */
export const EnrichmentFailure = defineFailures({
  Unavailable: { type: 'BW_ENRICHMENT_UNAVAILABLE', retryable: true, meaning: 'The enrichment API failed (5xx, 408, timeout, dropped connection): retried with full-jitter backoff until the retry budget is spent.' },
  Rejected: { type: 'BW_ENRICHMENT_REJECTED', retryable: false, meaning: 'The enrichment API refused the SKU (a 4xx other than 408 and 429): the SKU escalates to a person.' },
  BadResponse: { type: 'BW_ENRICHMENT_BAD_RESPONSE', retryable: false, meaning: "The enrichment API's answer breaks its contract (wrong shape, another SKU): the SKU escalates to a person." },
});

export const enrichSkuInputSchema = z.strictObject({
  sku: z.string().trim().min(1).max(200),
  /** Attempts allowed for this call (the first one included) before the step escalates. */
  retryBudget: z.number().int().min(1).max(50).default(5),
});
export type EnrichSkuInput = z.input<typeof enrichSkuInputSchema>;

export const enrichmentResponseSchema = z.object({
  sku: z.string().min(1),
  attributes: z.object({
    category: z.string(),
    brand: z.string(),
    color: z.string(),
    weightGrams: z.number().nonnegative(),
    dimensionsCm: z.object({ length: z.number().nonnegative(), width: z.number().nonnegative(), height: z.number().nonnegative() }),
    countryOfOrigin: z.string(),
    hazardous: z.boolean(),
  }),
});
export type EnrichmentPayload = z.output<typeof enrichmentResponseSchema>;

export interface EnrichedSku extends EnrichmentPayload {
  attempt: number;
  /** Time this attempt waited in the broker's queue. */
  queuedMs: number;
}


/** The brokered activities of the enrichment API (run on its own queue by `createApiWorkers`). */
export type EnrichmentActivities = ReturnType<typeof createEnrichmentActivities>;
