/**
 * `breakwater codec-server`: Temporal's remote codec protocol (POST …/encode and …/decode, body and answer
 * `{ payloads: [Payload as proto3 JSON] }`, only the last path segment counts) over Breakwater's encryption
 * codec, so the Temporal Web UI and CLI show plaintext to those allowed — and to nobody else:
 *
 * - auth, always: `Authorization: Bearer <BREAKWATER_CODEC_TOKEN>` (the CLI: `--codec-auth "Bearer …"`), or
 *   the session cookie set by signing in at /login with the same token (the Web UI's fetch sends cookies when
 *   its codec setting "include cross-origin credentials" is on; it cannot send a bearer of ours);
 * - CORS for the Web UI's origin only (credentials allowed); any other Origin is refused before auth;
 * - loopback only, unless TLS is configured (the caller checks: `assertBindable`);
 * - bodies validated (zod), at most 4 MiB and 1000 payloads; errors are typed JSON and the server keeps no
 *   state, so a bad request changes nothing. Plaintext is never logged.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import { readFileSync } from 'node:fs';
import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import type { Payload, PayloadCodec } from '@temporalio/common';
import { z } from 'zod';
import { ConfigError } from '../errors';
import { Failure, failureTypeOf, type FailureSpec } from '../failures';

export interface CodecServerOptions {
  codec: PayloadCodec;
  /** The bearer token (≥ 32 characters). */
  token: string;
  /** The Web UI's origin, e.g. http://localhost:8233: the only origin CORS lets in. */
  uiOrigin: string;
  host?: string;
  port?: number;
  tls?: { certPath: string; keyPath: string };
}

export interface CodecServer {
  url: string;
  close(): Promise<void>;
}

export const MAX_BODY_BYTES = 4 * 1024 * 1024;
const MAX_PAYLOADS = 1000;
const COOKIE = 'bw_codec_session';
const base64 = z.string().max(MAX_BODY_BYTES).regex(/^[A-Za-z0-9+/_-]*={0,2}$/, 'expected base64');
const payloadJson = z.object({ metadata: z.record(z.string().min(1).max(256), base64).optional(), data: base64.optional() });
const bodySchema = z.strictObject({ payloads: z.array(payloadJson).max(MAX_PAYLOADS) });

class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly spec: FailureSpec,
    message: string,
  ) {
    super(message);
  }
}

const isLoopback = (host: string) => host === 'localhost' || host === '::1' || /^127\./.test(host);

/** Refuses a bind beyond loopback without TLS: the token and the plaintext would cross the network in clear. */
export function assertBindable(host: string, tls: CodecServerOptions['tls']): void {
  if (!isLoopback(host) && !tls) throw new ConfigError(`the codec server binds ${host} only with TLS (BREAKWATER_CODEC_TLS_CERT_PATH/KEY_PATH): plaintext payloads and the token would cross the network in clear`, ['BREAKWATER_CODEC_TLS_CERT_PATH']);
}

export async function startCodecServer(o: CodecServerOptions): Promise<CodecServer> {
  const host = o.host ?? '127.0.0.1';
  assertBindable(host, o.tls);
  if (o.token.length < 32) throw new ConfigError('the codec server token needs at least 32 characters', ['BREAKWATER_CODEC_TOKEN']);
  const uiOrigin = new URL(o.uiOrigin).origin;
  // The cookie holds a MAC of the token, not the token: a leaked cookie does not reveal the bearer.
  const session = createHmac('sha256', o.token).update('breakwater codec session').digest('base64url');
  const secure = Boolean(o.tls);
  const handler = (req: IncomingMessage, res: ServerResponse) => {
    handle(req, res).catch((e: unknown) => {
      if (e instanceof HttpError) return send(res, e.status, { error: { code: e.spec.type, message: e.message } });
      const code = failureTypeOf(e);
      if (code === Failure.CodecKeyUnknown.type || code === Failure.CodecDecryptFailed.type) return send(res, 400, { error: { code, message: (e as Error).message } });
      send(res, 500, { error: { code: Failure.Failed.type, message: 'the codec failed' } });
    });
  };
  const cors = (res: ServerResponse) => {
    res.setHeader('Access-Control-Allow-Origin', uiOrigin);
    res.setHeader('Access-Control-Allow-Credentials', 'true');
    res.setHeader('Vary', 'Origin');
  };

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://codec');
    const origin = req.headers.origin;
    if (origin !== undefined && origin !== uiOrigin && !(url.pathname === '/login' && origin === ownOrigin())) throw new HttpError(403, Failure.CodecUnauthorized, `origin ${origin} is not the Web UI's (${uiOrigin})`);
    if (origin === uiOrigin) cors(res);
    if (url.pathname === '/login') return login(req, res);
    const op = url.pathname.split('/').filter(Boolean).at(-1);
    if (op !== 'encode' && op !== 'decode') throw new HttpError(404, Failure.NotFound, `no such endpoint ${url.pathname}: POST …/encode or …/decode`);
    if (req.method === 'OPTIONS') {
      res.setHeader('Access-Control-Allow-Methods', 'POST');
      res.setHeader('Access-Control-Allow-Headers', 'Content-Type, X-Namespace, Authorization, Authorization-Extras');
      res.setHeader('Access-Control-Max-Age', '600');
      res.writeHead(204).end();
      return;
    }
    if (req.method !== 'POST') throw new HttpError(405, Failure.InvalidInput, `${req.method} ${url.pathname}: only POST`);
    if (!authorised(req)) throw new HttpError(401, Failure.CodecUnauthorized, 'missing or wrong credentials: Authorization: Bearer <BREAKWATER_CODEC_TOKEN>, or sign in at /login');
    if (!/^application\/json\b/i.test(req.headers['content-type'] ?? '')) throw new HttpError(415, Failure.InvalidInput, 'Content-Type must be application/json');
    const raw = await readBody(req);
    let json: unknown;
    try {
      json = JSON.parse(raw);
    } catch {
      throw new HttpError(400, Failure.InvalidInput, 'the body is not JSON');
    }
    const parsed = bodySchema.safeParse(json);
    if (!parsed.success) throw new HttpError(400, Failure.InvalidInput, `bad body: ${z.prettifyError(parsed.error)}`);
    const payloads = parsed.data.payloads.map(fromJson);
    const out = op === 'encode' ? await o.codec.encode(payloads) : await o.codec.decode(payloads);
    send(res, 200, { payloads: out.map(toJson) });
  }

  function authorised(req: IncomingMessage): boolean {
    const bearer = /^Bearer (.+)$/.exec(req.headers.authorization ?? '')?.[1];
    if (bearer !== undefined) return same(bearer, o.token);
    const cookie = (req.headers.cookie ?? '').split(/;\s*/).find((c) => c.startsWith(`${COOKIE}=`))?.slice(COOKIE.length + 1);
    return cookie !== undefined && same(cookie, session);
  }

  async function login(req: IncomingMessage, res: ServerResponse): Promise<void> {
    if (req.method === 'GET') {
      res.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8', 'Cache-Control': 'no-store', 'Content-Security-Policy': "default-src 'none'; form-action 'self'" });
      res.end('<!doctype html><title>Breakwater codec server</title><form method="post" action="/login"><label>Codec server token <input type="password" name="token" autocomplete="off"></label> <button>Sign in</button></form>');
      return;
    }
    if (req.method !== 'POST') throw new HttpError(405, Failure.InvalidInput, `${req.method} /login: GET or POST`);
    const token = new URLSearchParams(await readBody(req)).get('token') ?? '';
    if (!same(token, o.token)) throw new HttpError(401, Failure.CodecUnauthorized, 'wrong token');
    res.writeHead(200, {
      'Set-Cookie': `${COOKIE}=${session}; Path=/; HttpOnly; SameSite=Strict; Max-Age=43200${secure ? '; Secure' : ''}`,
      'Content-Type': 'text/plain; charset=utf-8',
      'Cache-Control': 'no-store',
    });
    res.end(`signed in: the Web UI at ${uiOrigin} may decode payloads here (its codec setting "include cross-origin credentials" must be on)\n`);
  }

  const server = o.tls ? https.createServer({ cert: readFileSync(o.tls.certPath), key: readFileSync(o.tls.keyPath) }, handler) : http.createServer(handler);
  server.headersTimeout = 10_000;
  server.requestTimeout = 30_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(o.port ?? 0, host, resolve);
  });
  const { port } = server.address() as AddressInfo;
  const url = `${o.tls ? 'https' : 'http'}://${host.includes(':') ? `[${host}]` : host}:${port}`;
  function ownOrigin() {
    return url;
  }
  return {
    url,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

function same(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

async function readBody(req: IncomingMessage): Promise<string> {
  const declared = Number(req.headers['content-length'] ?? 0);
  if (declared > MAX_BODY_BYTES) throw new HttpError(413, Failure.InvalidInput, `body over ${MAX_BODY_BYTES} bytes`);
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY_BYTES) throw new HttpError(413, Failure.InvalidInput, `body over ${MAX_BODY_BYTES} bytes`);
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}

function send(res: ServerResponse, status: number, body: unknown): void {
  if (res.headersSent) return void res.end();
  res.writeHead(status, { 'Content-Type': 'application/json', 'Cache-Control': 'no-store' });
  res.end(JSON.stringify(body));
}

const b64 = (s: string) => new Uint8Array(Buffer.from(s, 'base64'));
const fromJson = (p: z.infer<typeof payloadJson>): Payload => ({
  metadata: Object.fromEntries(Object.entries(p.metadata ?? {}).map(([k, v]) => [k, b64(v)])),
  data: b64(p.data ?? ''),
});
const toJson = (p: Payload) => ({
  metadata: Object.fromEntries(Object.entries(p.metadata ?? {}).map(([k, v]) => [k, Buffer.from(v ?? new Uint8Array()).toString('base64')])),
  data: Buffer.from(p.data ?? new Uint8Array()).toString('base64'),
});
