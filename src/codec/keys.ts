/**
 * Payload encryption keys. A key ring is `id:base64,id:base64,…` (BREAKWATER_CODEC_KEYS, or the same text in
 * the file BREAKWATER_CODEC_KEYS_FILE, one per line allowed): the FIRST key encrypts everything written from
 * now on; every key decrypts. Rotation is: put the new key first, keep the old ones until no run that still
 * matters was written with them. Each key is 32 random bytes (AES-256).
 */
import { randomBytes } from 'node:crypto';

export interface CodecKey {
  /** Stored in each payload's metadata, so a reader finds the key that wrote it. */
  readonly id: string;
  readonly key: Buffer;
}

export const keyIdPattern = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/;

/** Parses a key ring; throws an Error naming the bad entry (never its key bytes). */
export function parseKeyRing(spec: string): CodecKey[] {
  const entries = spec.split(/[,\n]/).map((e) => e.trim()).filter(Boolean);
  if (entries.length === 0) throw new Error('no keys: expected id:base64[,id:base64…]');
  const seen = new Set<string>();
  return entries.map((entry, i) => {
    const colon = entry.indexOf(':');
    const id = colon < 0 ? '' : entry.slice(0, colon);
    if (!keyIdPattern.test(id)) throw new Error(`key ${i + 1}: expected id:base64 with an id of letters, digits, _ . - (1-64)`);
    if (seen.has(id)) throw new Error(`key ${i + 1}: the id '${id}' appears twice`);
    seen.add(id);
    const b64 = entry.slice(colon + 1);
    const key = Buffer.from(b64, 'base64');
    if (!/^[A-Za-z0-9+/]+={0,2}$/.test(b64) || key.length !== 32) throw new Error(`key '${id}': expected 32 bytes in base64 (44 characters), e.g. from \`breakwater codec-key\``);
    return { id, key };
  });
}

/** A fresh key ring entry, `id:base64`. */
export function generateKeySpec(id = `k${new Date().toISOString().slice(0, 10).replace(/-/g, '')}`): string {
  if (!keyIdPattern.test(id)) throw new Error(`key id '${id}': letters, digits, _ . - (1-64)`);
  return `${id}:${randomBytes(32).toString('base64')}`;
}
