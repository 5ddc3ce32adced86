/**
 * Breakwater's PayloadCodec: AES-256-GCM over each whole payload (its metadata too, so even the encoding
 * name of a workflow input is hidden), with the writing key's id in the new payload's metadata. Temporal's
 * history then holds ciphertext only; workers and clients built by Breakwater decrypt, and the codec server
 * lets the Web UI show plaintext to those allowed.
 *
 * The format is the one of Temporal's encryption samples — metadata `encoding: binary/encrypted`,
 * `encryption-key-id: <id>`, data = 12-byte IV ‖ ciphertext ‖ 16-byte tag of the serialised
 * `temporal.api.common.v1.Payload` — so a codec server of another SDK with the same keys reads it.
 * A payload without that encoding is passed through on decode: the stock `temporal workflow signal
 * --input` path sends plaintext JSON, and histories written before encryption still replay.
 */
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import type { Payload, PayloadCodec } from '@temporalio/common';
import protobuf from 'protobufjs';
import { Failure, raise } from '../failures';
import type { CodecKey } from './keys';

export const ENCRYPTED_ENCODING = 'binary/encrypted';
export const KEY_ID_METADATA = 'encryption-key-id';
const CIPHER_METADATA = 'encryption-cipher';
const CIPHER = 'AES256GCM';
const IV_BYTES = 12;
const TAG_BYTES = 16;

// The wire shape of temporal.api.common.v1.Payload (field numbers as in Temporal's protos).
const PayloadMessage = new protobuf.Type('Payload').add(new protobuf.MapField('metadata', 1, 'string', 'bytes')).add(new protobuf.Field('data', 2, 'bytes'));

const utf8 = (s: string) => new TextEncoder().encode(s);
const text = (b: Uint8Array | null | undefined) => (b ? Buffer.from(b).toString('utf8') : undefined);

export function isEncrypted(p: Payload): boolean {
  return text(p.metadata?.encoding) === ENCRYPTED_ENCODING;
}

/** The codec over a key ring: the first key writes, all keys read. */
export function createEncryptionCodec(keys: readonly CodecKey[]): PayloadCodec & { readonly writeKeyId: string } {
  if (keys.length === 0) throw new Error('createEncryptionCodec: at least one key');
  const writer = keys[0]!;
  const byId = new Map(keys.map((k) => [k.id, k.key]));
  return {
    writeKeyId: writer.id,
    async encode(payloads) {
      return payloads.map((p) => (isEncrypted(p) ? p : encrypt(writer, p)));
    },
    async decode(payloads) {
      return payloads.map((p) => (isEncrypted(p) ? decrypt(byId, p) : p));
    },
  };
}

function encrypt(writer: CodecKey, payload: Payload): Payload {
  const plain = PayloadMessage.encode(PayloadMessage.create({ metadata: payload.metadata ?? {}, data: payload.data ?? new Uint8Array() })).finish();
  const iv = randomBytes(IV_BYTES);
  const cipher = createCipheriv('aes-256-gcm', writer.key, iv);
  cipher.setAAD(utf8(writer.id)); // the key id is bound to the ciphertext: relabelling it fails the tag
  const body = Buffer.concat([iv, cipher.update(plain), cipher.final(), cipher.getAuthTag()]);
  return { metadata: { encoding: utf8(ENCRYPTED_ENCODING), [KEY_ID_METADATA]: utf8(writer.id), [CIPHER_METADATA]: utf8(CIPHER) }, data: body };
}

function decrypt(byId: ReadonlyMap<string, Buffer>, payload: Payload): Payload {
  const id = text(payload.metadata?.[KEY_ID_METADATA]);
  const key = id === undefined ? undefined : byId.get(id);
  if (!key) throw raise(Failure.CodecKeyUnknown, `an encrypted payload names key '${id ?? '(none)'}', which is not in this process's BREAKWATER_CODEC_KEYS`, { details: [{ keyId: id ?? null }] });
  const data = Buffer.from(payload.data ?? new Uint8Array());
  if (data.length < IV_BYTES + TAG_BYTES) throw raise(Failure.CodecDecryptFailed, `an encrypted payload (key '${id}') is too short to be one`);
  try {
    const decipher = createDecipheriv('aes-256-gcm', key, data.subarray(0, IV_BYTES));
    decipher.setAAD(utf8(id!));
    decipher.setAuthTag(data.subarray(data.length - TAG_BYTES));
    const plain = Buffer.concat([decipher.update(data.subarray(IV_BYTES, data.length - TAG_BYTES)), decipher.final()]);
    const msg = PayloadMessage.decode(plain) as unknown as { metadata?: Record<string, Uint8Array>; data?: Uint8Array };
    return { metadata: msg.metadata ?? {}, data: msg.data ?? new Uint8Array() };
  } catch {
    throw raise(Failure.CodecDecryptFailed, `an encrypted payload (key '${id}') does not decrypt: altered, truncated, or written with another key of the same id`);
  }
}
