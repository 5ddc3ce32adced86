/**
 * Recorded workflow histories for replay tests. Integration tests call `recordHistory(handle, name)` after a
 * run; with BREAKWATER_RECORD_HISTORIES=1 the history is written to test/fixtures/histories/<name>.json.
 * The replay test replays every file there against the current workflow code and fails on any
 * non-determinism — so a change that would break running workflows is caught before it ships.
 */
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { WorkflowHandle } from '@temporalio/client';
import type { PayloadCodec } from '@temporalio/common';
import { execFileSync } from 'node:child_process';
import { historyFromJSON } from '@temporalio/common/lib/proto-utils';
import { ensureTemporalCli } from './temporalTools';
import { packageRoot } from './paths';

export const historiesDir = (): string => path.join(packageRoot(), 'test', 'fixtures', 'histories');

export interface RecordedHistory {
  name: string;
  workflowId: string;
  history: ReturnType<typeof historyFromJSON>;
}

/**
 * Exports the history with the Temporal CLI (`temporal workflow show --output json`), the same JSON the
 * Web UI downloads, so a history from production can be dropped into the fixtures folder as well.
 */
export async function recordHistory(handle: WorkflowHandle, name: string, address: string, namespace = 'default'): Promise<void> {
  if (process.env.BREAKWATER_RECORD_HISTORIES !== '1') return;
  await handle.result().catch(() => undefined); // only closed histories make complete fixtures
  const json = execFileSync(
    ensureTemporalCli(),
    ['workflow', 'show', '--workflow-id', handle.workflowId, '--address', address, '--namespace', namespace, '--output', 'json'],
    { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 },
  );
  mkdirSync(historiesDir(), { recursive: true });
  const history = await decodeJsonPayloads(handle.client.options.loadedDataConverter.payloadCodecs, JSON.parse(json));
  writeFileSync(path.join(historiesDir(), `${name}.json`), JSON.stringify({ workflowId: handle.workflowId, history }));
}

/**
 * The test's run encrypted its payloads with a key of its own: the fixture keeps them decoded (test data
 * only), so the replay test replays it with no key, like the fixtures recorded before encryption.
 */
async function decodeJsonPayloads(codecs: readonly PayloadCodec[], history: unknown): Promise<unknown> {
  const b64 = (m: Record<string, string>) => Object.fromEntries(Object.entries(m).map(([k, v]) => [k, Buffer.from(v, 'base64')]));
  const asProto = (o: { metadata: Record<string, string>; data?: string }) => ({ metadata: b64(o.metadata), data: Buffer.from(o.data ?? '', 'base64') });
  const holders: { o: Record<string, unknown> }[] = [];
  const walk = (v: unknown): void => {
    if (!v || typeof v !== 'object') return;
    const o = v as Record<string, unknown>;
    const meta = o.metadata as Record<string, string> | undefined;
    if (meta && typeof meta.encoding === 'string' && Buffer.from(meta.encoding, 'base64').toString() === 'binary/encrypted') return void holders.push({ o });
    Object.values(o).forEach(walk);
  };
  walk(history);
  let payloads = holders.map((h) => asProto(h.o as { metadata: Record<string, string>; data?: string }));
  for (const codec of [...codecs].reverse()) payloads = (await codec.decode(payloads)) as typeof payloads;
  holders.forEach((h, i) => {
    const p = payloads[i]!;
    h.o.metadata = Object.fromEntries(Object.entries(p.metadata).map(([k, v]) => [k, Buffer.from(v).toString('base64')]));
    h.o.data = Buffer.from(p.data).toString('base64');
  });
  return history;
}

export function loadHistories(dir = historiesDir()): RecordedHistory[] {
  return readdirSync(dir)
    .filter((f) => f.endsWith('.json'))
    .sort()
    .map((f) => {
      const raw = JSON.parse(readFileSync(path.join(dir, f), 'utf8')) as { workflowId: string; history: unknown };
      return { name: f.replace(/\.json$/, ''), workflowId: raw.workflowId, history: historyFromJSON(raw.history) };
    });
}
