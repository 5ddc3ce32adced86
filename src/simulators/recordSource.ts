/**
 * Record-source simulator: N systems of record behind one loopback server, for the parallel-ingest pattern
 * and the resource gate. `GET /sources/<name>/records` → `{ records: [{ id, fields }] }`; an unknown source
 * is a 404; `HEAD` works too (the resource gate uses it). `setSources` replaces what is served.
 */
import type http from 'node:http';
import { HttpError, closeServer, createJsonServer, listen, sendJson } from './http';

export interface SimulatedRecord {
  id: string;
  fields: Record<string, string | number | boolean | null>;
}

export interface RecordSourceSimulator {
  readonly url: string;
  /** URL of one source's records. */
  sourceUrl(name: string): string;
  setSources(sources: Record<string, SimulatedRecord[]>): void;
  /** Requests served per source. */
  hits(): Record<string, number>;
  close(): Promise<void>;
}

export async function startRecordSourceSimulator(o: { sources?: Record<string, SimulatedRecord[]>; port?: number } = {}): Promise<RecordSourceSimulator> {
  let sources = new Map(Object.entries(o.sources ?? {}));
  const counts = new Map<string, number>();
  const server = createJsonServer(async (req: http.IncomingMessage, res: http.ServerResponse, url: URL) => {
    const m = /^\/sources\/([^/]+)\/records$/.exec(url.pathname);
    if (!m) throw new HttpError(404, `no route ${req.method} ${url.pathname}`);
    if (req.method !== 'GET' && req.method !== 'HEAD') throw new HttpError(405, 'use GET or HEAD', 'method_not_allowed', { allow: 'GET, HEAD' });
    const name = decodeURIComponent(m[1] as string);
    const records = sources.get(name);
    if (!records) throw new HttpError(404, `no source '${name}'`);
    counts.set(name, (counts.get(name) ?? 0) + 1);
    if (req.method === 'HEAD') {
      res.writeHead(200, { 'content-type': 'application/json; charset=utf-8' });
      res.end();
      return;
    }
    sendJson(res, 200, { source: name, records });
  });
  const url = await listen(server, { port: o.port });
  return {
    url,
    sourceUrl: (name) => `${url}/sources/${encodeURIComponent(name)}/records`,
    setSources(next) {
      sources = new Map(Object.entries(next));
    },
    hits: () => Object.fromEntries(counts),
    close: () => closeServer(server),
  };
}
