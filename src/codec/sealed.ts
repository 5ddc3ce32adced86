/**
 * Sealed JSON for Postgres columns that must keep an exact copy of sensitive data (a dead letter's original
 * input, which `dlq replay` re-sends as received): AES-256-GCM with the same key ring as the payload codec
 * (first key seals, every key opens), stored as JSONB `{"$sealed":"v1","k":"<key id>","c":"<base64>"}`. The
 * column's name is bound to the ciphertext (AAD), so a value cannot be moved to another column unnoticed.
 * A value that is not sealed (rows written before sealing) opens to itself.
 *
 * A sealed value cannot be compared in SQL (a fresh IV each time), so a column that is only ever compared
 * (a fingerprint's payload, a cache key) stores a keyed digest beside it: HMAC-SHA256 over the value's
 * canonical JSON, under a MAC key derived (HKDF) from each AES key and the digest's purpose — never the AES
 * key itself, and another key per purpose, so a digest of one column says nothing about another.
 */
import { createCipheriv, createDecipheriv, createHmac, hkdfSync, randomBytes } from 'node:crypto';
import { canonicalJson } from '../contracts/tool';
import { Failure, raise } from '../failures';
import type { CodecKey } from './keys';

export interface SealedValue {
  $sealed: 'v1';
  k: string;
  c: string;
}

export interface Sealer {
  seal(value: unknown, column: string): SealedValue;
  open(stored: unknown, column: string): unknown;
  /**
   * Keyed digests of `value` for equality lookups, one per key of the ring, the writing key's first, each
   * `<key id>:<base64url>`. Store element 0; compare a stored digest with any element, so a row written
   * under a key still in the ring matches after a rotation. Object key order does not count (as with jsonb
   * equality); `purpose` (e.g. the column) separates the digests of different uses.
   */
  digests(value: unknown, purpose: string): string[];
}

export const isSealed = (v: unknown): v is SealedValue => typeof v === 'object' && v !== null && (v as { $sealed?: unknown }).$sealed === 'v1';

/**
 * The JSON the value would be stored as (JSON.stringify: undefined members dropped, toJSON applied), with
 * object keys sorted at every depth: equal text for values jsonb holds equal.
 */
const storedCanonicalJson = (value: unknown): string => canonicalJson(JSON.parse(JSON.stringify(value ?? null)) as unknown);

export function createSealer(keys: readonly CodecKey[]): Sealer {
  if (keys.length === 0) throw new Error('createSealer: at least one key');
  const writer = keys[0]!;
  const byId = new Map(keys.map((k) => [k.id, k.key]));
  const macKeys = new Map<string, Buffer[]>();
  const macKeysFor = (purpose: string): Buffer[] => {
    let found = macKeys.get(purpose);
    if (!found) {
      found = keys.map((k) => Buffer.from(hkdfSync('sha256', k.key, Buffer.alloc(0), `breakwater sealed-digest v1\0${purpose}`, 32)));
      macKeys.set(purpose, found);
    }
    return found;
  };
  return {
    digests(value, purpose) {
      const text = storedCanonicalJson(value);
      return macKeysFor(purpose).map((mk, i) => `${keys[i]!.id}:${createHmac('sha256', mk).update(text, 'utf8').digest('base64url')}`);
    },
    seal(value, column) {
      const iv = randomBytes(12);
      const cipher = createCipheriv('aes-256-gcm', writer.key, iv);
      cipher.setAAD(Buffer.from(`${writer.id}\0${column}`));
      const body = Buffer.concat([iv, cipher.update(JSON.stringify(value ?? null), 'utf8'), cipher.final(), cipher.getAuthTag()]);
      return { $sealed: 'v1', k: writer.id, c: body.toString('base64') };
    },
    open(stored, column) {
      if (!isSealed(stored)) return stored;
      const key = byId.get(stored.k);
      if (!key) throw raise(Failure.CodecKeyUnknown, `a sealed ${column} value names key '${stored.k}', which is not in BREAKWATER_CODEC_KEYS`, { details: [{ keyId: stored.k }] });
      const data = Buffer.from(stored.c, 'base64');
      try {
        const decipher = createDecipheriv('aes-256-gcm', key, data.subarray(0, 12));
        decipher.setAAD(Buffer.from(`${stored.k}\0${column}`));
        decipher.setAuthTag(data.subarray(data.length - 16));
        return JSON.parse(Buffer.concat([decipher.update(data.subarray(12, data.length - 16)), decipher.final()]).toString('utf8')) as unknown;
      } catch {
        throw raise(Failure.CodecDecryptFailed, `a sealed ${column} value does not decrypt with key '${stored.k}'`);
      }
    },
  };
}
