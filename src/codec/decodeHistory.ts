/**
 * A fetched history with its payloads decoded by a client's codecs, for code that reads payloads out of
 * history events itself (`explain`, the run viewer, tests) — `fetchHistory` returns them as stored, i.e.
 * encrypted. Only payloads that a codec changed are replaced; everything else is left as it is.
 *
 * Failures written with encoded attributes (src/codec/failureConverter.ts) carry "Encoded failure" as their
 * message and the real message and stack trace in `encodedAttributes`: once that payload is decoded they are
 * put back in `message` and `stackTrace`, as the SDK's failure converter does for errors, so readers of the
 * proto failures see what happened.
 */
import type { Client } from '@temporalio/client';
import { defaultPayloadConverter, type Payload, type PayloadCodec, type PayloadConverter } from '@temporalio/common';
import { isEncrypted } from './payloadCodec';

type History = Awaited<ReturnType<ReturnType<Client['workflow']['getHandle']>['fetchHistory']>>;

export async function decodeHistory(client: Client, history: History): Promise<History> {
  return decodeHistoryWith(client.options.loadedDataConverter.payloadCodecs, history, client.options.loadedDataConverter.payloadConverter);
}

export async function decodeHistoryWith<T>(codecs: readonly PayloadCodec[], history: T, converter: PayloadConverter = defaultPayloadConverter): Promise<T> {
  const found: { holder: Record<string, unknown> | unknown[]; key: string | number; payload: Payload }[] = [];
  const failures: Record<string, unknown>[] = [];
  const seen = new Set<unknown>();
  const walk = (v: unknown): void => {
    if (!v || typeof v !== 'object' || seen.has(v) || ArrayBuffer.isView(v)) return;
    seen.add(v);
    if ((v as { encodedAttributes?: unknown }).encodedAttributes) failures.push(v as Record<string, unknown>);
    for (const [k, x] of Object.entries(v as Record<string, unknown>)) {
      if (x && typeof x === 'object' && !ArrayBuffer.isView(x) && (x as Payload).metadata && isEncrypted(x as Payload)) found.push({ holder: v as Record<string, unknown>, key: k, payload: x as Payload });
      else walk(x);
    }
  };
  walk(history);
  if (found.length > 0) {
    let payloads = found.map((f) => f.payload);
    for (const codec of [...codecs].reverse()) payloads = await codec.decode(payloads);
    found.forEach((f, i) => ((f.holder as Record<string | number, unknown>)[f.key] = payloads[i]));
  }
  for (const failure of failures) restoreEncodedAttributes(failure, converter);
  return history;
}

/** `{ message, stack_trace }` from a decoded `encodedAttributes` payload back into the failure (still encrypted: left as it is). */
function restoreEncodedAttributes(failure: Record<string, unknown>, converter: PayloadConverter): void {
  const payload = failure.encodedAttributes as Payload;
  if (isEncrypted(payload)) return; // no key for it here
  let attrs: unknown;
  try {
    attrs = converter.fromPayload(payload);
  } catch {
    return; // not the SDK's schema: leave the failure as stored
  }
  if (!attrs || typeof attrs !== 'object') return;
  const { message, stack_trace } = attrs as { message?: unknown; stack_trace?: unknown };
  if (typeof message === 'string') failure.message = message;
  if (typeof stack_trace === 'string') failure.stackTrace = stack_trace;
}
