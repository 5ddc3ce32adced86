/**
 * The pipeline's story, as a Temporal workflow: look the product up in the supplier's catalog (a
 * rate-limited API, through the broker), let an agent pick the shop category (a person decides when it is
 * unsure), then put the product on sale in the shop exactly once and read the shop back to verify it.
 *
 * Workflow code must be deterministic: it imports only `breakwater/workflow`, zod and pure modules;
 * activities are imported as types. The worker bundles this file with Breakwater's own workflows.
 */
import {
  createAgentRunner,
  createHumanGate,
  defineAgentSchema,
  effectOptionsSchema,
  markPipeline,
  performAndVerify,
  proxyApi,
  withConfidence,
  type EffectOutcome,
} from 'breakwater/workflow';
import { z } from 'zod';
import { CATALOG_API, PIPELINE, PUBLISH_EFFECT, type CatalogApi, type Listing, type Product } from './contract';

/** Agents answer with structured data; a decision that triggers an action carries its confidence. */
export const productCategory = defineAgentSchema(
  'productCategory',
  withConfidence({ category: z.enum(['kitchen', 'garden', 'toys', 'apparel', 'office', 'electronics', 'hardware']) }),
);

/** Below this confidence a person approves or rejects the agent's category. */
export const CONFIDENCE_THRESHOLD = 0.8;

// Calls wait for their slot in the broker's queue (heartbeating), so give them room.
const catalog = proxyApi<CatalogApi>(CATALOG_API, {
  startToCloseTimeout: '5 minutes',
  heartbeatTimeout: '30 seconds',
  retry: { maximumAttempts: 10 },
});

// The shop lists a new product within a second: look after 1 s, give up (and ask a person) after 2 min.
const publishOptions = effectOptionsSchema.parse({
  verifyDelay: '1s',
  verifyDeadline: '2 min',
  pollBackoff: { initial: '500ms', max: '10s' },
  breakerPollInterval: '1s',
});

export interface ListingResult {
  sku: string;
  category: string;
  /** `confidence-gate` when the agent was sure enough, else the person who approved. */
  decidedBy: string;
  /** VERIFIED only when a read of the shop saw the listing. */
  published: EffectOutcome;
}

export async function listProduct(product: Product): Promise<ListingResult> {
  markPipeline(PIPELINE);
  const gate = createHumanGate(); // the `resolve` signal/Update and `escalation` query of this run
  const agents = createAgentRunner({ pipeline: PIPELINE, budgetUsd: 0.05, gate });

  // 1. Facts from the supplier's catalog: one account-wide rate limit, shared by every run.
  const facts = await catalog.lookupProduct(product.sku);

  // 2. The agent classifies; below the threshold the run waits for a person.
  const { output } = await agents.call('classifier', productCategory, [
    { role: 'system', content: 'You file products into shop categories. Answer with the category, how sure you are, and the facts you used.' },
    { role: 'user', content: JSON.stringify({ ...product, ...facts }) },
  ]);
  const { decidedBy } = await agents.requireConfidence(output, {
    threshold: CONFIDENCE_THRESHOLD,
    step: 'classify',
    summary: `${product.sku} as '${output.category}'`,
    evidence: output.evidence,
  });

  // 3. Publish once per SKU, across all runs; VERIFIED only once the shop lists it.
  const listing: Listing = { sku: product.sku, title: product.title, category: output.category, brand: facts.brand, weightGrams: facts.weightGrams };
  const published = await performAndVerify({
    gate,
    effect: PUBLISH_EFFECT,
    fields: { sku: product.sku }, // the fingerprint: one listing per SKU, whatever the run
    payload: listing,
    pipeline: PIPELINE,
    step: 'publish',
    options: publishOptions,
  });
  return { sku: product.sku, category: output.category, decidedBy, published };
}
