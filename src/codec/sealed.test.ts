/** The sealer's keyed digests: what lets a sealed column still be compared for equality (src/codec/sealed.ts). */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { generateKeySpec, parseKeyRing } from './keys';
import { createSealer } from './sealed';

const K1 = generateKeySpec('k1');
const K2 = generateKeySpec('k2');
const SECRET = 'sk-live-PLANTED-digest-77';

test('a digest ignores key order, as jsonb equality does, and tells different values apart', () => {
  const sealer = createSealer(parseKeyRing(K1));
  const a = sealer.digests({ note: SECRET, amount: 12, nested: { y: [1, { b: 2, a: 1 }], x: null } }, 'fingerprints.payload');
  const b = sealer.digests({ nested: { x: null, y: [1, { a: 1, b: 2 }] }, amount: 12, note: SECRET }, 'fingerprints.payload');
  assert.deepEqual(a, b);
  assert.notDeepEqual(sealer.digests({ note: SECRET, amount: 13 }, 'fingerprints.payload'), sealer.digests({ note: SECRET, amount: 12 }, 'fingerprints.payload'));
  assert.notDeepEqual(sealer.digests([1, 2], 'p'), sealer.digests([2, 1], 'p'), 'array order matters, as in jsonb');
  // What the clear column would have held: undefined members dropped, toJSON applied (a Date is its ISO text).
  assert.deepEqual(sealer.digests({ a: 1, b: undefined, at: new Date(0) }, 'p'), sealer.digests({ at: '1970-01-01T00:00:00.000Z', a: 1 }, 'p'));
  assert.ok(!a.join().includes(SECRET) && !Buffer.from(a[0]!.split(':')[1]!, 'base64url').includes(SECRET), 'a digest is not the value');
});

test('one digest per key in the ring, the writing key first, each prefixed with its key id', () => {
  const rotated = createSealer(parseKeyRing(`${K2},${K1}`));
  const old = createSealer(parseKeyRing(K1));
  const value = { recordId: 'R-1', note: SECRET };
  const d = rotated.digests(value, 'fingerprints.payload');
  assert.equal(d.length, 2);
  assert.match(d[0]!, /^k2:[A-Za-z0-9_-]{43}$/);
  assert.match(d[1]!, /^k1:[A-Za-z0-9_-]{43}$/);
  assert.equal(d[1], old.digests(value, 'fingerprints.payload')[0], 'a row written under k1 still matches after the rotation');
  assert.notEqual(d[0], createSealer(parseKeyRing(generateKeySpec('k2'))).digests(value, 'fingerprints.payload')[0], 'the digest depends on the key bytes, not only its id');
});

test('a digest is bound to its purpose: the same value under another purpose does not match', () => {
  const sealer = createSealer(parseKeyRing(K1));
  assert.notEqual(sealer.digests({ a: 1 }, 'fingerprints.payload')[0], sealer.digests({ a: 1 }, 'llm_cache.key')[0]);
});
