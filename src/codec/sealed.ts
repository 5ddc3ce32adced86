/**
 * Sealed JSON for Postgres columns that must keep an exact copy of sensitive data (a dead letter's original
 * input, which `dlq replay` re-sends as received): AES-256-GCM with the same key ring as the payload codec
 * (first key seals, every key opens), stored as JSONB `{"$sealed":"v1","k":"<key id>","c":"<base64>"}`. The
 * column's name is bound to the ciphertext (AAD), so a value cannot be moved to another column unnoticed.
 * A value that is not sealed (rows written before sealing) opens to itself.
 */
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
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
}

export const isSealed = (v: unknown): v is SealedValue => typeof v === 'object' && v !== null && (v as { $sealed?: unknown }).$sealed === 'v1';

export function createSealer(keys: readonly CodecKey[]): Sealer {
  if (keys.length === 0) throw new Error('createSealer: at least one key');
  const writer = keys[0]!;
  const byId = new Map(keys.map((k) => [k.id, k.key]));
  return {
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
