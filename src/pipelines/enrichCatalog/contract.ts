/**
 * The enrichment API as enrichCatalog sees it: the API's name (its broker queue), what one call takes and
 * returns, and its stable failure types. Pure: usable in workflows.
 */
import { z } from 'zod';
import { API_RATE_LIMITED } from '../../contracts/api';
import type { createEnrichmentActivities } from './activities';

export const ENRICHMENT_API = 'enrichment';

/** Stable failure types of the enrichment call (ApplicationFailure.type). */
export const enrichmentFailures = {
  rateLimited: API_RATE_LIMITED,
  unavailable: 'BW_ENRICHMENT_UNAVAILABLE',
  rejected: 'BW_ENRICHMENT_REJECTED',
  badResponse: 'BW_ENRICHMENT_BAD_RESPONSE',
  budgetExhausted: 'BW_RETRY_BUDGET_EXHAUSTED',
  invalidInput: 'BW_INVALID_INPUT',
  config: 'BW_CONFIG_INVALID',
} as const;

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
