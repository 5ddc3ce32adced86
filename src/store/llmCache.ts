/**
 * Opt-in response cache. Only at temperature 0 (where the same request is meant to get the same answer),
 * only validated outputs are stored, and the key covers everything that shapes the answer: model,
 * messages, schema name and the JSON schema itself (so changing a schema invalidates its entries).
 *
 * With the payload encryption keys (a sealer), the answer (`content`, `output`) is stored sealed and the key
 * is a keyed digest of the request: an unkeyed hash of the prompt would let anyone reading the table confirm
 * a guessed prompt. The key is the writing key's digest only, so after a key rotation the cache simply misses
 * and refills under the new key — a cache may forget, and a lookup per key of the ring is not worth it.
 * Rows written in clear (before sealing, or without keys) are served as they are.
 */
import { createHash } from 'node:crypto';
import type { Sealer } from '../codec/sealed';
import type { Db } from './db';

export interface CacheKeyParts {
  model: string;
  messages: unknown;
  schemaName: string;
  jsonSchema: unknown;
}

/** The unkeyed key, used without a sealer (and by rows written before sealing). */
export const cacheKey = (p: CacheKeyParts): string =>
  createHash('sha256').update(JSON.stringify([p.model, p.messages, p.schemaName, p.jsonSchema])).digest('hex');

export interface CachedAnswer {
  content: string;
  output: unknown;
}

const CONTENT = 'llm_cache.content';
const OUTPUT = 'llm_cache.output';
const KEY_PURPOSE = 'llm_cache.key';

export function createLlmCache(db: Db, opts: { sealer?: Sealer } = {}) {
  const { sealer } = opts;
  const seal = (value: unknown, column: string): string => JSON.stringify(sealer ? sealer.seal(value, column) : value);
  const open = (stored: unknown, column: string): unknown => (sealer ? sealer.open(stored, column) : stored);
  return {
    /** The cache key of a request. */
    keyOf(p: CacheKeyParts): string {
      return sealer ? sealer.digests([p.model, p.messages, p.schemaName, p.jsonSchema], KEY_PURPOSE)[0]! : cacheKey(p);
    },
    async get(key: string): Promise<CachedAnswer | undefined> {
      const { rows } = await db.query<{ content: unknown; output: unknown }>(
        'UPDATE llm_cache SET hits = hits + 1, last_hit_at = now() WHERE key = $1 RETURNING content, output',
        [key],
      );
      const row = rows[0];
      return row && { content: open(row.content, CONTENT) as string, output: open(row.output, OUTPUT) };
    },
    async put(key: string, p: { model: string; schemaName: string } & CachedAnswer): Promise<void> {
      await db.query('INSERT INTO llm_cache (key, model, schema_name, content, output) VALUES ($1,$2,$3,$4,$5) ON CONFLICT (key) DO NOTHING', [
        key,
        p.model,
        p.schemaName,
        seal(p.content, CONTENT),
        seal(p.output, OUTPUT),
      ]);
    },
  };
}
export type LlmCache = ReturnType<typeof createLlmCache>;
