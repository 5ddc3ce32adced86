/**
 * Reads one source's records for the parallel ingest: `GET <url>` → `{ records: [{ id, fields }] }`,
 * validated. 5xx and network errors are retried by Temporal; a 4xx or a body that breaks the contract is a
 * non-retryable `BW_SOURCE_INVALID` (`IngestFailure.SourceInvalid`) — retrying would not change it.
 */
import { z } from 'zod';
import type { SourceBatch } from '../../deterministic/merge';
import { Failure, raise } from '../../failures';
import { IngestFailure } from './contract';

const recordSchema = z.strictObject({
  id: z.string().min(1).max(200),
  fields: z.record(z.string().min(1).max(100), z.union([z.string().max(10_000), z.number(), z.boolean(), z.null()])),
});
const bodySchema = z.object({ records: z.array(recordSchema).max(100_000) });
const inputSchema = z.strictObject({ source: z.string().min(1).max(200), url: z.url({ protocol: /^https?$/ }) });

export function createIngestActivities(o: { timeoutMs?: number } = {}) {
  const timeoutMs = o.timeoutMs ?? 30_000;
  return {
    async fetchSourceRecords(raw: { source: string; url: string }): Promise<SourceBatch> {
      const parsed = inputSchema.safeParse(raw);
      if (!parsed.success) throw raise(Failure.InvalidInput, `fetchSourceRecords: ${z.prettifyError(parsed.error)}`);
      const { source, url } = parsed.data;
      const res = await fetch(url, { signal: AbortSignal.timeout(timeoutMs), headers: { accept: 'application/json' } });
      if (res.status >= 500 || res.status === 429) throw new Error(`source '${source}' answered HTTP ${res.status}`);
      if (!res.ok) throw raise(IngestFailure.SourceInvalid, `source '${source}' answered HTTP ${res.status}`, { details: [{ source, status: res.status }] });
      const body = bodySchema.safeParse(await res.json().catch(() => undefined));
      if (!body.success) throw raise(IngestFailure.SourceInvalid, `source '${source}' broke the record contract: ${z.prettifyError(body.error)}`.slice(0, 2000), { details: [{ source }] });
      return { source, records: body.data.records };
    },
  };
}
