/** The fingerprint store on a real Postgres: one POST per fingerprint, whatever the concurrency. */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { setTimeout as delay } from 'node:timers/promises';
import { after, before, test } from 'node:test';
import { loadConfig } from '../config';
import { ensureStack } from '../devstack/stack';
import { generateKeySpec, parseKeyRing } from '../codec/keys';
import { createSealer } from '../codec/sealed';
import { isConfigError } from '../errors';
import { createPool, type Db } from './db';
import { migrate } from './migrate';
import { createFingerprintStore, type ClaimVerdict } from './fingerprints';

let db: Db;
const schema = `t_${randomBytes(6).toString('hex')}`;
before(async () => {
  const url = process.env.DATABASE_URL ?? loadConfig({}).database.url ?? (await ensureStack()).postgres.url;
  db = createPool({ url, schema }, { max: 25 });
  await migrate(db, schema);
});
after(async () => {
  await db.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
  await db.end();
});

let n = 0;
const parts = () => ({ effect: 'portal', fields: { recordId: `REC-${++n}`, entityId: 'ENT-1', businessDate: '2025-03-04' } });

test('20 concurrent claims of one fingerprint: exactly one may POST, the rest are told it is busy', async () => {
  const store = createFingerprintStore(db);
  const p = parts();
  const verdicts = await Promise.all(Array.from({ length: 20 }, (_, i) => store.claim({ ...p, payload: { a: 1 }, owner: `attempt-${i}`, leaseMs: 30_000 })));
  const kinds = verdicts.map((v) => v.kind);
  assert.equal(kinds.filter((k) => k === 'post').length, 1, kinds.join(','));
  assert.equal(kinds.filter((k) => k === 'busy').length, 19);
  const row = await store.get(verdicts[0]!.record.key);
  assert.equal(row?.status, 'pending');
  assert.equal(row?.postCount, 1);
  assert.ok(row?.postedAt, 'the POST intent is recorded before the POST');
});

test('done: the same fingerprint again gets the cached result, and a different payload is flagged', async () => {
  const store = createFingerprintStore(db);
  const p = parts();
  const first = await store.claim({ ...p, payload: { a: 1 }, owner: 'w1', leaseMs: 30_000 });
  assert.equal(first.kind, 'post');
  await store.markDone(first.record.key, { confirmation: 'PRT-1', receivedAt: new Date().toISOString(), via: 'posted' });
  const again = await store.claim({ ...p, payload: { a: 1 }, owner: 'w2', leaseMs: 30_000 });
  assert.equal(again.kind, 'done');
  assert.equal(again.record.confirmation, 'PRT-1');
  assert.equal((again as Extract<ClaimVerdict, { kind: 'done' }>).payloadMatches, true);
  const other = await store.claim({ ...p, payload: { a: 2 }, owner: 'w3', leaseMs: 30_000 });
  assert.equal((other as Extract<ClaimVerdict, { kind: 'done' }>).payloadMatches, false);
  assert.equal((await store.get(first.record.key))?.postCount, 1);
  // markDone again (a zombie attempt finishing late) keeps the first confirmation.
  const late = await store.markDone(first.record.key, { confirmation: 'PRT-2', receivedAt: new Date().toISOString(), via: 'posted' });
  assert.equal(late.confirmation, 'PRT-1');
});

test('a POST of unknown outcome must be reconciled: after the lease expires the next claimer is told to ask the portal', async () => {
  const store = createFingerprintStore(db);
  const p = parts();
  const first = await store.claim({ ...p, payload: {}, owner: 'crashed', leaseMs: 300 });
  assert.equal(first.kind, 'post');
  // The claimer dies after the POST: no markDone, no release.
  const during = await store.claim({ ...p, payload: {}, owner: 'next', leaseMs: 30_000 });
  assert.equal(during.kind, 'busy');
  await delay(400);
  const next = await store.claim({ ...p, payload: {}, owner: 'next', leaseMs: 30_000 });
  assert.equal(next.kind, 'reconcile');
  assert.ok((next as Extract<ClaimVerdict, { kind: 'reconcile' }>).msSincePost >= 300);
  assert.equal(next.record.postCount, 1, 'reconciling is not posting');
  // Shown absent after the window: the re-POST is recorded before it is sent, under the lease.
  assert.equal(await store.markPosting(next.record.key, 'someone-else'), false);
  assert.equal(await store.markPosting(next.record.key, 'next'), true);
  assert.equal((await store.get(next.record.key))?.postCount, 2);
});

test('a POST the portal answered as failed leaves no unknown outcome: the next attempt may POST at once', async () => {
  const store = createFingerprintStore(db);
  const p = parts();
  const first = await store.claim({ ...p, payload: {}, owner: 'a', leaseMs: 30_000 });
  await store.markFailed(first.record.key, 'a', 'HTTP 503');
  const next = await store.claim({ ...p, payload: {}, owner: 'b', leaseMs: 30_000 });
  assert.equal(next.kind, 'post');
  assert.equal(next.record.lastError, 'HTTP 503');
});

test('reopen (a person retries a NOT_SUBMITTED) makes the next attempt reconcile first, and is audited', async () => {
  const store = createFingerprintStore(db);
  const p = parts();
  const first = await store.claim({ ...p, payload: {}, owner: 'a', leaseMs: 30_000 });
  await store.markDone(first.record.key, { confirmation: 'PRT-LOST', receivedAt: new Date().toISOString(), via: 'posted' });
  const reopened = await store.reopen(first.record.key, 'alice', 'never visible');
  assert.equal(reopened?.status, 'pending');
  assert.match(reopened?.lastError ?? '', /alice.*PRT-LOST/);
  const next = await store.claim({ ...p, payload: {}, owner: 'b', leaseMs: 30_000 });
  assert.equal(next.kind, 'reconcile');
  const { rows } = await db.query('SELECT actor, action FROM audit_log WHERE target = $1', [`fingerprint:${first.record.key}`]);
  assert.deepEqual(rows, [{ actor: 'alice', action: 'fingerprint.reopen' }]);
});

test('reopen with a confirmation (a DLQ replay) acts only while the fingerprint is done with that confirmation', async () => {
  const store = createFingerprintStore(db);
  const p = parts();
  const first = await store.claim({ ...p, payload: {}, owner: 'a', leaseMs: 30_000 });
  const key = first.record.key;
  // In flight (pending, leased): left alone.
  assert.equal(await store.reopen(key, 'bob', 'dlq replay', { confirmation: 'PRT-LOST' }), undefined);
  assert.equal((await store.get(key))?.lastError, null, 'untouched');
  await store.markDone(key, { confirmation: 'PRT-LOST', receivedAt: new Date().toISOString(), via: 'posted' });
  // Another confirmation than the lost one: left alone.
  assert.equal(await store.reopen(key, 'bob', 'dlq replay', { confirmation: 'PRT-OTHER' }), undefined);
  assert.equal((await store.get(key))?.confirmation, 'PRT-LOST');
  // Still done with the lost one: reopened, reconciled next.
  assert.equal((await store.reopen(key, 'bob', 'dlq replay', { confirmation: 'PRT-LOST' }))?.status, 'pending');
  assert.equal((await store.claim({ ...p, payload: {}, owner: 'b', leaseMs: 30_000 })).kind, 'reconcile');
  const { rows } = await db.query<{ accepted: boolean; detail: { confirmation: string } }>('SELECT accepted, detail FROM audit_log WHERE target = $1 ORDER BY id', [`fingerprint:${key}`]);
  assert.deepEqual(rows.map((r) => [r.accepted, r.detail.confirmation]), [[false, 'PRT-LOST'], [false, 'PRT-OTHER'], [true, 'PRT-LOST']], 'every attempt audited');
});

const SECRET = 'acct-PLANTED-3f9e1c-iban-DE89';
const K1 = generateKeySpec('k1');
const K2 = generateKeySpec('k2');
const matches = (v: ClaimVerdict) => (v as Exclude<ClaimVerdict, { kind: 'busy' }>).payloadMatches;
const rawPayload = async (key: string) => (await db.query<{ payload: unknown; payload_mac: string | null }>('SELECT payload, payload_mac FROM fingerprints WHERE key = $1', [key])).rows[0]!;

test('with the payload keys, the stored payload is sealed and compared by a keyed MAC: key order does not matter, a different payload does', async () => {
  const store = createFingerprintStore(db, { sealer: createSealer(parseKeyRing(K1)) });
  const p = parts();
  const first = await store.claim({ ...p, payload: { iban: SECRET, amount: 12, meta: { a: 1, b: 2 } }, owner: 'a', leaseMs: 30_000 });
  assert.equal(first.kind, 'post');
  assert.equal(matches(first), true, 'the first claim matches what it wrote');
  const raw = await rawPayload(first.record.key);
  assert.equal((raw.payload as { $sealed?: string }).$sealed, 'v1', 'the column holds a sealed value');
  assert.match(raw.payload_mac ?? '', /^k1:/);
  const { rows } = await db.query<{ j: string }>('SELECT row_to_json(f)::text AS j FROM fingerprints f WHERE key = $1', [first.record.key]);
  assert.ok(!rows[0]!.j.includes(SECRET) && !rows[0]!.j.includes('DE89'), 'no plaintext of the payload anywhere in the row');
  await store.markDone(first.record.key, { confirmation: 'PRT-S', receivedAt: new Date().toISOString(), via: 'posted' });
  const reordered = await store.claim({ ...p, payload: { meta: { b: 2, a: 1 }, amount: 12, iban: SECRET }, owner: 'b', leaseMs: 30_000 });
  assert.deepEqual([reordered.kind, matches(reordered)], ['done', true], 'the same payload, keys in another order, matches');
  assert.equal((await store.lookup(first.record.key, { amount: 12, iban: SECRET, meta: { a: 1, b: 2 } }))?.payloadMatches, true);
  const other = await store.claim({ ...p, payload: { iban: SECRET, amount: 13, meta: { a: 1, b: 2 } }, owner: 'c', leaseMs: 30_000 });
  assert.deepEqual([other.kind, matches(other)], ['done', false], 'a different payload is flagged');
  assert.equal((await store.lookup(first.record.key, { iban: 'other' }))?.payloadMatches, false);
});

test('after a key rotation (new key first, the old one kept) a row written under the old key still matches', async () => {
  const p = parts();
  const payload = { iban: SECRET, amount: 7 };
  const before = await createFingerprintStore(db, { sealer: createSealer(parseKeyRing(K1)) }).claim({ ...p, payload, owner: 'a', leaseMs: 30_000 });
  await createFingerprintStore(db).markDone(before.record.key, { confirmation: 'PRT-R', receivedAt: new Date().toISOString(), via: 'posted' });
  const rotated = createFingerprintStore(db, { sealer: createSealer(parseKeyRing(`${K2},${K1}`)) });
  const again = await rotated.claim({ ...p, payload, owner: 'b', leaseMs: 30_000 });
  assert.deepEqual([again.kind, matches(again)], ['done', true]);
  assert.equal(matches(await rotated.claim({ ...p, payload: { ...payload, amount: 8 }, owner: 'c', leaseMs: 30_000 })), false);
  // A new row is written under the new key.
  const fresh = await rotated.claim({ ...parts(), payload, owner: 'd', leaseMs: 30_000 });
  assert.match((await rawPayload(fresh.record.key)).payload_mac ?? '', /^k2:/);
  assert.equal((await rotated.lookup(fresh.record.key, payload))?.payloadMatches, true);
});

test('a MAC-compared row read without the keys is a ConfigError naming BREAKWATER_CODEC_KEYS, not a silent mismatch', async () => {
  const p = parts();
  const sealed = await createFingerprintStore(db, { sealer: createSealer(parseKeyRing(K1)) }).claim({ ...p, payload: { iban: SECRET }, owner: 'a', leaseMs: 30_000 });
  const keyless = createFingerprintStore(db);
  const named = (e: unknown) => isConfigError(e) && e.variables.includes('BREAKWATER_CODEC_KEYS') && /BREAKWATER_CODEC_KEYS/.test(e.message);
  await assert.rejects(keyless.claim({ ...p, payload: { iban: SECRET }, owner: 'b', leaseMs: 30_000 }), named);
  await assert.rejects(keyless.lookup(sealed.record.key, { iban: SECRET }), named);
  assert.equal((await keyless.get(sealed.record.key))?.status, 'pending', 'reading the record needs no key');
});

test('a row written before sealing (no MAC) still compares in clear, with or without the keys', async () => {
  const p = parts();
  const legacy = await createFingerprintStore(db).claim({ ...p, payload: { iban: 'legacy', amount: 1 }, owner: 'a', leaseMs: 30_000 });
  const raw = await rawPayload(legacy.record.key);
  assert.deepEqual([raw.payload, raw.payload_mac], [{ iban: 'legacy', amount: 1 }, null], 'without keys the payload is stored as today');
  await createFingerprintStore(db).markDone(legacy.record.key, { confirmation: 'PRT-L', receivedAt: new Date().toISOString(), via: 'posted' });
  const keyed = createFingerprintStore(db, { sealer: createSealer(parseKeyRing(K1)) });
  assert.equal(matches(await keyed.claim({ ...p, payload: { amount: 1, iban: 'legacy' }, owner: 'b', leaseMs: 30_000 })), true);
  assert.equal(matches(await keyed.claim({ ...p, payload: { amount: 2, iban: 'legacy' }, owner: 'c', leaseMs: 30_000 })), false);
  assert.equal((await createFingerprintStore(db).lookup(legacy.record.key, { iban: 'legacy', amount: 1 }))?.payloadMatches, true);
});
