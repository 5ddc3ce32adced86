/**
 * The example's fake shop, over HTTP on 127.0.0.1 — the outside system the publish effect changes.
 *
 *   POST /products            {sku, title, category, brand, weightGrams} → 201 {listingId, receivedAt}
 *                             Every POST creates a listing: the shop does not de-duplicate.
 *   GET  /products?sku=SKU    → 200 {listings: [...]}; a new listing shows up after `listDelayMs`.
 *   POST /_admin/failing      {failing: true|false}: while failing, every /products request gets a 503.
 *
 * Run it on its own with `node dist/shopServer.js [port]`; tests start it in-process.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface ShopListing {
  listingId: string;
  sku: string;
  title: string;
  category: string;
  receivedAt: string;
}

export interface ShopRequest {
  method: string;
  sku: string | undefined;
  status: number;
  at: string;
}

export interface ShopServer {
  readonly url: string;
  /** While on, every /products request is answered 503 (nothing is stored). */
  setFailing(on: boolean): void;
  /** The POSTs received (answered or not), optionally for one SKU. */
  posts(sku?: string): ShopRequest[];
  /** What the shop lists now (delayed listings included). */
  listings(sku?: string): ShopListing[];
  close(): Promise<void>;
}

export interface ShopServerOptions {
  port?: number;
  /** How long a new listing takes to show up in GET /products. Default 300 ms. */
  listDelayMs?: number;
}

async function readJson(req: http.IncomingMessage): Promise<Record<string, unknown>> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  const value: unknown = JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}');
  return typeof value === 'object' && value !== null ? (value as Record<string, unknown>) : {};
}

export async function startShopServer(o: ShopServerOptions = {}): Promise<ShopServer> {
  const listDelayMs = o.listDelayMs ?? 300;
  const stored: (ShopListing & { visibleAt: number })[] = [];
  const requests: ShopRequest[] = [];
  let failing = false;

  const visible = (sku?: string) => stored.filter((l) => l.visibleAt <= Date.now() && (sku === undefined || l.sku === sku)).map(({ visibleAt: _hidden, ...l }) => l);

  async function handle(req: http.IncomingMessage, url: URL): Promise<[number, unknown]> {
    if (url.pathname === '/_admin/failing' && req.method === 'POST') {
      failing = (await readJson(req)).failing === true;
      return [200, { failing }];
    }
    if (url.pathname !== '/products') return [404, { error: `no route ${req.method} ${url.pathname}` }];
    const body = req.method === 'POST' ? await readJson(req) : {};
    const sku = req.method === 'POST' ? body.sku : url.searchParams.get('sku');
    const entry: ShopRequest = { method: req.method ?? '?', sku: typeof sku === 'string' ? sku : undefined, status: 0, at: new Date().toISOString() };
    requests.push(entry);
    const answer = (status: number, value: unknown): [number, unknown] => {
      entry.status = status;
      return [status, value];
    };
    if (failing) return answer(503, { error: 'the shop is down for maintenance' });
    if (typeof sku !== 'string' || sku === '') return answer(400, { error: 'sku is required' });
    if (req.method === 'GET') return answer(200, { listings: visible(sku) });
    if (req.method !== 'POST') return answer(405, { error: 'GET or POST' });
    if (typeof body.title !== 'string' || typeof body.category !== 'string') return answer(422, { error: 'title and category are required' });
    const listing = { listingId: `L-${String(stored.length + 1).padStart(6, '0')}`, sku, title: body.title, category: body.category, receivedAt: new Date().toISOString() };
    stored.push({ ...listing, visibleAt: Date.now() + listDelayMs });
    return answer(201, { listingId: listing.listingId, receivedAt: listing.receivedAt });
  }

  const server = http.createServer((req, res) => {
    handle(req, new URL(req.url ?? '/', 'http://shop'))
      .catch((e: unknown): [number, unknown] => [400, { error: (e as Error).message }])
      .then(([status, value]) => res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(value)));
  });
  await new Promise<void>((resolve) => server.listen(o.port ?? 0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://127.0.0.1:${port}`,
    setFailing: (on) => void (failing = on),
    posts: (sku) => requests.filter((r) => r.method === 'POST' && (sku === undefined || r.sku === sku)),
    listings: visible,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((e) => (e ? reject(e) : resolve()));
        server.closeAllConnections(); // keep-alive connections would hold close() open
      }),
  };
}

if (require.main === module) {
  startShopServer({ port: Number(process.argv[2] ?? 4010) }).then(
    (shop) => process.stdout.write(`shop listening on ${shop.url} (SHOP_URL=${shop.url})\n`),
    (e: unknown) => {
      process.stderr.write(`shop: ${(e as Error).message}\n`);
      process.exit(1);
    },
  );
}
