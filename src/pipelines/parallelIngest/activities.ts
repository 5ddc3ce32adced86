/**
 * Reads one source's records for the parallel ingest: `GET <url>` → `{ records: [{ id, fields }] }`,
 * validated. 5xx and network errors are retried by Temporal; a 4xx or a body that breaks the contract is a
 * non-retryable `BW_SOURCE_INVALID` — retrying would not change it.
 */
import { ApplicationFailure } from '@temporalio/common';
import { z } from 'zod';
import type { SourceBatch } from '../../deterministic/merge';

const recordSchema = z.strictObject({
  id: z.string().min(1).max(200),
  fields: z.record(z.string().min(1).max(100), z.union([z.string().max(10_000), z.number(), z.boolean(), z.null()])),
});
const bodySchema = z.object({ records: z.array(recordSchema).max(100_000) });
const inputSchema = z.strictObject({ source: z.string().min(1).max(200), url: z.url({ protocol: /^https?$/ }) });

export const SOURCE_INVALID = 'BW_SOURCE_INVALID';

export function createIngestActivities(o: { timeoutMs?: number } = {}) {
  const timeoutMs = o.timeoutMs ?? 30_000;
  return {
    async fetchSourceRecords(raw: { source: string; url: string }): Promise<SourceBatch> {
      const parsed = inputSchema.safeParse(raw);
      if (!parsed.success) throw ApplicationFailure.create({ type: 'BW_INVALID_INPUT', message: `fetchSourceRecords: ${z.prettifyError(parsed.error)}`, nonRetryable: true });
      const { source, url } = parsed.data;
      const res = await fetch(url, { signal: AbortSignal.timeout(timeoutMs), headers: { accept: 'application/json' } });
      if (res.status >= 500 || res.status === 429) throw new Error(`source '${source}' answered HTTP ${res.status}`);
      if (!res.ok) throw ApplicationFailure.create({ type: SOURCE_INVALID, message: `source '${source}' answered HTTP ${res.status}`, nonRetryable: true, details: [{ source, status: res.status }] });
      const body = bodySchema.safeParse(await res.json().catch(() => undefined));
      if (!body.success) throw ApplicationFailure.create({ type: SOURCE_INVALID, message: `source '${source}' broke the record contract: ${z.prettifyError(body.error)}`.slice(0, 2000), nonRetryable: true, details: [{ source }] });
      return { source, records: body.data.records };
    },
  };
}
