/**
 * A fetched history with its payloads decoded by a client's codecs, for code that reads payloads out of
 * history events itself (`explain`, the run viewer, tests) — `fetchHistory` returns them as stored, i.e.
 * encrypted. Only payloads that a codec changed are replaced; everything else is left as it is.
 */
import type { Client } from '@temporalio/client';
import type { Payload, PayloadCodec } from '@temporalio/common';
import { isEncrypted } from './payloadCodec';

type History = Awaited<ReturnType<ReturnType<Client['workflow']['getHandle']>['fetchHistory']>>;

export async function decodeHistory(client: Client, history: History): Promise<History> {
  return decodeHistoryWith(client.options.loadedDataConverter.payloadCodecs, history);
}

export async function decodeHistoryWith<T>(codecs: readonly PayloadCodec[], history: T): Promise<T> {
  const found: { holder: Record<string, unknown> | unknown[]; key: string | number; payload: Payload }[] = [];
  const seen = new Set<unknown>();
  const walk = (v: unknown): void => {
    if (!v || typeof v !== 'object' || seen.has(v) || ArrayBuffer.isView(v)) return;
    seen.add(v);
    for (const [k, x] of Object.entries(v as Record<string, unknown>)) {
      if (x && typeof x === 'object' && !ArrayBuffer.isView(x) && (x as Payload).metadata && isEncrypted(x as Payload)) found.push({ holder: v as Record<string, unknown>, key: k, payload: x as Payload });
      else walk(x);
    }
  };
  walk(history);
  if (found.length === 0) return history;
  let payloads = found.map((f) => f.payload);
  for (const codec of [...codecs].reverse()) payloads = await codec.decode(payloads);
  found.forEach((f, i) => ((f.holder as Record<string | number, unknown>)[f.key] = payloads[i]));
  return history;
}
