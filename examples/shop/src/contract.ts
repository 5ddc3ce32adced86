/**
 * Names and shapes shared by the workflow, the activities, the worker and the client. Pure (no I/O), so
 * the workflow may import it as a value.
 */

/** The pipeline's name: its runs, its breaker and its escalations are filed under it. */
export const PIPELINE = 'shop-listing';

/** The irreversible effect: putting a product on sale in the shop. */
export const PUBLISH_EFFECT = 'shop.publish';

/** The supplier's catalog: a rate-limited API, called through the broker on its own task queue. */
export const CATALOG_API = 'catalog';

/** What a run is started with. */
export interface Product {
  sku: string;
  title: string;
  description: string;
}

/** What the supplier's catalog knows about a SKU. */
export interface CatalogFacts {
  brand: string;
  color: string;
  weightGrams: number;
  countryOfOrigin: string;
}

/** What the shop receives. */
export interface Listing {
  sku: string;
  title: string;
  category: string;
  brand: string;
  weightGrams: number;
}

/** The rate-limited API's activities, as the workflow calls them. */
export interface CatalogApi {
  lookupProduct(sku: string): Promise<CatalogFacts>;
}
