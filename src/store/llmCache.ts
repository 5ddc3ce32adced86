/**
 * Opt-in response cache. Only at temperature 0 (where the same request is meant to get the same answer),
 * only validated outputs are stored, and the key covers everything that shapes the answer: model,
 * messages, schema name and the JSON schema itself (so changing a schema invalidates its entries).
 */
import { createHash } from 'node:crypto';
import type { Db } from './db';

export interface CacheKeyParts {
  model: string;
  messages: unknown;
  schemaName: string;
  jsonSchema: unknown;
}

export const cacheKey = (p: CacheKeyParts): string =>
  createHash('sha256').update(JSON.stringify([p.model, p.messages, p.schemaName, p.jsonSchema])).digest('hex');

export interface CachedAnswer {
  content: string;
  output: unknown;
}

export function createLlmCache(db: Db) {
  return {
    async get(key: string): Promise<CachedAnswer | undefined> {
      const { rows } = await db.query<CachedAnswer>(
        'UPDATE llm_cache SET hits = hits + 1, last_hit_at = now() WHERE key = $1 RETURNING content, output',
        [key],
      );
      return rows[0];
    },
    async put(key: string, p: { model: string; schemaName: string } & CachedAnswer): Promise<void> {
      await db.query('INSERT INTO llm_cache (key, model, schema_name, content, output) VALUES ($1,$2,$3,$4,$5) ON CONFLICT (key) DO NOTHING', [
        key,
        p.model,
        p.schemaName,
        p.content,
        JSON.stringify(p.output),
      ]);
    },
  };
}
export type LlmCache = ReturnType<typeof createLlmCache>;
