/**
 * The pipeline's side effects, on the worker: the irreversible "publish to the shop" effect, and the
 * supplier's catalog behind the broker. Breakwater makes the effect exactly-once and verified and keeps
 * the catalog under its rate limit; this file only says how to talk to each system and what its answers mean.
 */
import { ApplicationFailure } from '@temporalio/common';
import { apiLimitFor, apiRateLimited, createApiBroker, defineEffect, EffectError, type BreakwaterConfig, type Db, type EffectReceipt } from 'breakwater';
import { z } from 'zod';
import { CATALOG_API, PUBLISH_EFFECT, type CatalogApi, type CatalogFacts, type Listing } from './contract';

const receiptSchema = z.object({ listingId: z.string(), receivedAt: z.string() });
const listingsSchema = z.object({ listings: z.array(receiptSchema) });

/** Publishing to the shop: `perform` sends it once, `lookup` reads back what the shop lists for the SKU. */
export function publishToShop(shopUrl: string) {
  /** One request; what a failure means for the effect is said with EffectError's kinds. */
  async function request(method: 'GET' | 'POST', path: string, signal: AbortSignal, body?: Listing): Promise<unknown> {
    let res: Response;
    try {
      res = await fetch(`${shopUrl}${path}`, { method, signal, headers: { 'content-type': 'application/json' }, body: body && JSON.stringify(body) });
    } catch (e) {
      // No answer to a POST: the listing may or may not exist. Breakwater reconciles (lookup) before any re-send.
      throw new EffectError(method === 'POST' ? 'unknown-outcome' : 'unavailable', `shop: ${(e as Error).message}`);
    }
    if (res.status === 429) throw new EffectError('rate-limited', 'shop answered 429', 429, Number(res.headers.get('retry-after') ?? 1) * 1000);
    if (res.status >= 500) throw new EffectError('unavailable', `shop answered ${res.status}`, res.status);
    if (res.status >= 400) throw new EffectError('rejected', `shop refused the listing: ${res.status} ${await res.text()}`, res.status);
    return res.json();
  }
  const parse = <T>(schema: z.ZodType<T>, value: unknown): T => {
    const parsed = schema.safeParse(value);
    if (!parsed.success) throw new EffectError('bad-response', `shop sent an unexpected answer: ${z.prettifyError(parsed.error)}`);
    return parsed.data;
  };
  const receipt = (r: z.output<typeof receiptSchema>): EffectReceipt => ({ confirmation: r.listingId, receivedAt: r.receivedAt });

  return defineEffect<Listing>({
    name: PUBLISH_EFFECT,
    perform: async ({ payload, signal }) => receipt(parse(receiptSchema, await request('POST', '/products', signal, payload))),
    lookup: async ({ fields, signal }) => parse(listingsSchema, await request('GET', `/products?sku=${encodeURIComponent(fields.sku ?? '')}`, signal)).listings.map(receipt),
  });
}

const catalogAnswer = z.object({
  attributes: z.object({ brand: z.string(), color: z.string(), weightGrams: z.number(), countryOfOrigin: z.string() }),
});

/**
 * The supplier's catalog: one account-wide limit (BREAKWATER_API_LIMITS, e.g. `catalog=100/60s`) shared by
 * every run and worker. Each call takes a slot from the broker first; a 429 pauses the API for everyone.
 */
export function createCatalogActivities(o: { db: Db; config: BreakwaterConfig; catalogUrl: string }): CatalogApi {
  const limit = apiLimitFor(o.config, CATALOG_API, { limit: 100, windowMs: 60_000 });
  const broker = createApiBroker({ db: o.db, api: CATALOG_API, limit: { ...limit, marginMs: 500 } });
  return {
    lookupProduct: broker.activity(async (_call, sku: string): Promise<CatalogFacts> => {
      const res = await fetch(`${o.catalogUrl}/enrich?sku=${encodeURIComponent(sku)}`, { signal: AbortSignal.timeout(10_000) });
      if (res.status === 429) {
        const retryAfterMs = Number(res.headers.get('retry-after') ?? 1) * 1000;
        throw apiRateLimited({ message: 'catalog answered 429', delayMs: retryAfterMs, retryAfterMs });
      }
      if (!res.ok) throw new Error(`catalog answered ${res.status}`); // retried by the activity's retry policy
      const parsed = catalogAnswer.safeParse(await res.json());
      if (!parsed.success) throw ApplicationFailure.nonRetryable(`catalog sent an unexpected answer for ${sku}: ${z.prettifyError(parsed.error)}`, 'CatalogBadResponse');
      const { brand, color, weightGrams, countryOfOrigin } = parsed.data.attributes;
      return { brand, color, weightGrams, countryOfOrigin };
    }),
  };
}
