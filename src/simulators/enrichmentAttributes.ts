/**
 * Deterministic product attributes for a SKU: the same SKU always enriches to
 * the same attributes (across runs and processes), so tests and demos can
 * assert on enriched output without storing fixtures.
 */
import { createSeededRandom } from '../deterministic/seededRandom';

export interface EnrichmentAttributes {
  category: string;
  brand: string;
  color: string;
  weightGrams: number;
  dimensionsCm: { length: number; width: number; height: number };
  countryOfOrigin: string;
  hazardous: boolean;
}

const categories = ['hardware', 'garden', 'kitchen', 'electronics', 'toys', 'apparel', 'office'] as const;
const brands = ['Acme', 'Globex', 'Initech', 'Umbrella', 'Hooli', 'Vandelay', 'Stark'] as const;
const colors = ['black', 'white', 'red', 'blue', 'green', 'grey', 'yellow'] as const;
const countries = ['DE', 'US', 'JP', 'CN', 'MX', 'PL', 'VN'] as const;

/** FNV-1a over UTF-16 code units: a stable 32-bit seed from any string. */
export function hashString(value: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < value.length; i += 1) {
    hash ^= value.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return hash >>> 0;
}

export function attributesForSku(sku: string): EnrichmentAttributes {
  const next = createSeededRandom(hashString(sku));
  const pick = <T>(options: readonly T[]): T => options[Math.floor(next() * options.length)] as T;
  const between = (min: number, max: number): number => min + Math.floor(next() * (max - min + 1));
  return {
    category: pick(categories),
    brand: pick(brands),
    color: pick(colors),
    weightGrams: between(20, 25_000),
    dimensionsCm: { length: between(1, 200), width: between(1, 120), height: between(1, 100) },
    countryOfOrigin: pick(countries),
    hazardous: next() < 0.1,
  };
}
