/** The encryption codec alone: ciphertext only, rotation (first key writes, all read), plaintext passes, tampering is refused. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { defaultPayloadConverter, type Payload } from '@temporalio/common';
import { isFailure, Failure } from '../failures';
import { generateKeySpec, parseKeyRing } from './keys';
import { createEncryptionCodec, ENCRYPTED_ENCODING, KEY_ID_METADATA } from './payloadCodec';
import { decodeHistoryWith } from './decodeHistory';

const SECRET = 'sk-live-PLANTED-4242-secret';
const text = (b?: Uint8Array | null) => Buffer.from(b ?? new Uint8Array()).toString('utf8');
const plain = (v: unknown): Payload => defaultPayloadConverter.toPayload(v);
const value = (p: Payload) => defaultPayloadConverter.fromPayload(p);

test('encode hides the value and its encoding; decode gives back the exact payload', async () => {
  const codec = createEncryptionCodec(parseKeyRing(generateKeySpec('a')));
  const original = plain({ card: SECRET });
  const [enc] = await codec.encode([original]);
  assert.equal(text(enc!.metadata!.encoding), ENCRYPTED_ENCODING);
  assert.equal(text(enc!.metadata![KEY_ID_METADATA]), 'a');
  const everything = Buffer.concat([enc!.data!, ...Object.values(enc!.metadata!).map((v) => Buffer.from(v!))]);
  assert.ok(!everything.includes(SECRET) && !everything.includes('json/plain'), 'no plaintext value or encoding in the encoded payload');
  const [dec] = await codec.decode([enc!]);
  assert.deepEqual(value(dec!), { card: SECRET });
  assert.equal(text(dec!.metadata!.encoding), 'json/plain');
  const [again] = await codec.encode([original]);
  assert.notDeepEqual(Buffer.from(again!.data!), Buffer.from(enc!.data!), 'a fresh IV each time');
});

test('rotation: the first key writes, every key reads; a removed key is BW_CODEC_KEY_UNKNOWN', async () => {
  const [oldKey, newKey] = [generateKeySpec('old'), generateKeySpec('new')];
  const before = createEncryptionCodec(parseKeyRing(oldKey));
  const after = createEncryptionCodec(parseKeyRing(`${newKey},${oldKey}`));
  const [written] = await before.encode([plain('order ORD-1')]);
  assert.equal(value((await after.decode([written!]))[0]!), 'order ORD-1', 'old payloads stay readable after rotation');
  const [rewritten] = await after.encode([plain('order ORD-2')]);
  assert.equal(text(rewritten!.metadata![KEY_ID_METADATA]), 'new');
  const dropped = createEncryptionCodec(parseKeyRing(newKey));
  await assert.rejects(dropped.decode([written!]), (e) => isFailure(e, Failure.CodecKeyUnknown));
});

test('payloads without the encryption metadata pass through decode (the stock `temporal workflow signal --input` path)', async () => {
  const codec = createEncryptionCodec(parseKeyRing(generateKeySpec('a')));
  const p = plain({ decision: 'approve' });
  assert.deepEqual((await codec.decode([p]))[0], p);
});

test('altered ciphertext, a relabelled key id or a truncated payload is BW_CODEC_DECRYPT_FAILED', async () => {
  const ring = parseKeyRing(`${generateKeySpec('a')},${generateKeySpec('b')}`);
  const codec = createEncryptionCodec(ring);
  const [enc] = await codec.encode([plain(SECRET)]);
  const flipped = Buffer.from(enc!.data!);
  flipped[20]! ^= 1;
  const relabelled = { ...enc!, metadata: { ...enc!.metadata, [KEY_ID_METADATA]: new TextEncoder().encode('b') } };
  for (const bad of [{ ...enc!, data: flipped }, relabelled, { ...enc!, data: flipped.subarray(0, 10) }]) {
    await assert.rejects(codec.decode([bad]), (e) => isFailure(e, Failure.CodecDecryptFailed));
  }
});

test('key rings: malformed entries are refused with the entry named, never the key bytes', () => {
  assert.throws(() => parseKeyRing('nokey'), /key 1: expected id:base64/);
  assert.throws(() => parseKeyRing(`a:${Buffer.alloc(16).toString('base64')}`), /key 'a': expected 32 bytes/);
  const spec = generateKeySpec('a');
  assert.throws(() => parseKeyRing(`${spec},${spec}`), /appears twice/);
  assert.throws(() => parseKeyRing(''), /no keys/);
  assert.equal(parseKeyRing(`${generateKeySpec('x')}\n${generateKeySpec('y')}\n`).length, 2);
});

test('decodeHistoryWith: encrypted payloads anywhere in a history object are decoded in place; plaintext ones are left alone', async () => {
  const codec = createEncryptionCodec(parseKeyRing(generateKeySpec('h')));
  const [input, result] = await codec.encode([plain({ order: SECRET }), plain('done')]);
  const clear = plain('signal arg');
  const history = { events: [{ a: { input: { payloads: [input] } } }, { b: { result: { payloads: [result] }, sig: { payloads: [clear] } } }] };
  await decodeHistoryWith([codec], history);
  assert.deepEqual(value(history.events[0]!.a!.input.payloads[0]!), { order: SECRET });
  assert.equal(value(history.events[1]!.b!.result.payloads[0]!), 'done');
  assert.equal(history.events[1]!.b!.sig.payloads[0], clear);
});

test('decodeHistoryWith: a failure with encoded attributes gets its message and stack trace back, causes too', async () => {
  const codec = createEncryptionCodec(parseKeyRing(generateKeySpec('f')));
  const [outer, inner] = await codec.encode([plain({ message: 'Activity task failed', stack_trace: '' }), plain({ message: `refused ${SECRET}`, stack_trace: 'at portal.post' })]);
  const failure = { message: 'Encoded failure', stackTrace: '', encodedAttributes: outer, cause: { message: 'Encoded failure', stackTrace: '', encodedAttributes: inner, applicationFailureInfo: { type: 'PortalRejected' } } };
  const history = { events: [{ activityTaskFailedEventAttributes: { failure } }] };
  await decodeHistoryWith([codec], history);
  assert.deepEqual([failure.message, failure.cause.message, failure.cause.stackTrace], ['Activity task failed', `refused ${SECRET}`, 'at portal.post']);
  // Without the key the placeholder stays: nothing is made up.
  const [still] = await codec.encode([plain({ message: 'hidden', stack_trace: '' })]);
  const locked = { message: 'Encoded failure', encodedAttributes: still };
  await decodeHistoryWith([], { events: [{ failure: locked }] });
  assert.equal(locked.message, 'Encoded failure');
});
