/**
 * Shared HTTP plumbing for the simulators: JSON bodies with a size limit,
 * JSON responses, zod validation mapped to 400s, and listen/close helpers.
 *
 * Kept on node:http (no framework) so the simulators speak exactly the wire
 * protocol we write, including deliberately broken behaviour such as
 * dropping a socket mid-request.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { z } from 'zod';

/** An error that maps to an HTTP status; anything else becomes a 500. */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly code: string = defaultErrorCode(status),
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
    this.name = 'HttpError';
  }
}

function defaultErrorCode(status: number): string {
  if (status === 400) return 'bad_request';
  if (status === 404) return 'not_found';
  if (status === 405) return 'method_not_allowed';
  if (status === 413) return 'payload_too_large';
  if (status === 429) return 'rate_limited';
  return status >= 500 ? 'server_error' : 'error';
}

export const DEFAULT_MAX_BODY_BYTES = 1024 * 1024;

/**
 * Reads and parses a JSON request body. Oversized bodies are drained (not
 * buffered) and rejected with 413 so a misbehaving client cannot exhaust
 * memory; an empty body or invalid JSON is a 400.
 */
export function readJsonBody(
  req: http.IncomingMessage,
  maxBytes: number = DEFAULT_MAX_BODY_BYTES,
): Promise<unknown> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let tooLarge = false;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > maxBytes) {
        tooLarge = true;
        chunks.length = 0;
        return;
      }
      if (!tooLarge) chunks.push(chunk);
    });
    req.on('error', reject);
    req.on('end', () => {
      if (tooLarge) {
        reject(new HttpError(413, `request body exceeds ${maxBytes} bytes`));
        return;
      }
      const text = Buffer.concat(chunks).toString('utf8');
      if (text.trim() === '') {
        reject(new HttpError(400, 'request body must be JSON, got an empty body'));
        return;
      }
      try {
        resolve(JSON.parse(text));
      } catch (err) {
        reject(new HttpError(400, `request body is not valid JSON: ${(err as Error).message}`));
      }
    });
  });
}

/** Validates a value with zod, turning failures into a readable 400. */
export function parseOrThrow<S extends z.ZodType>(schema: S, value: unknown, what: string): z.output<S> {
  const result = schema.safeParse(value);
  if (!result.success) {
    throw new HttpError(400, `invalid ${what}: ${z.prettifyError(result.error)}`);
  }
  return result.data;
}

/** Writes a JSON response unless the socket is already gone (never throws). */
export function sendJson(
  res: http.ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  if (res.destroyed || res.writableEnded || res.headersSent) return;
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(text),
    ...headers,
  });
  res.end(text);
}

export type RequestHandler = (req: http.IncomingMessage, res: http.ServerResponse, url: URL) => Promise<void>;

/** Shapes the JSON body of an error response (the LLM simulator uses OpenAI's shape). */
export type ErrorBodyFormatter = (error: HttpError) => unknown;

export const plainErrorBody: ErrorBodyFormatter = (error) => ({
  error: error.code,
  message: error.message,
});

/**
 * Creates a server whose handler may throw: HttpErrors become their status,
 * anything unexpected becomes a 500 — a simulator must never crash on input.
 */
export function createJsonServer(handler: RequestHandler, formatError: ErrorBodyFormatter = plainErrorBody): http.Server {
  return http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://simulator.invalid');
    handler(req, res, url).catch((err: unknown) => {
      const error =
        err instanceof HttpError ? err : new HttpError(500, `internal simulator error: ${(err as Error)?.message ?? err}`);
      sendJson(res, error.status, formatError(error), error.headers);
    });
  });
}

export interface ListenOptions {
  port?: number;
  host?: string;
}

/** Listens (default 127.0.0.1 on an ephemeral port) and resolves the base URL. */
export function listen(server: http.Server, options: ListenOptions = {}): Promise<string> {
  const host = options.host ?? '127.0.0.1';
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host, () => {
      server.off('error', reject);
      const address = server.address() as AddressInfo;
      const urlHost = address.family === 'IPv6' ? `[${address.address}]` : address.address;
      resolve(`http://${urlHost}:${address.port}`);
    });
  });
}

/** Closes the server, cutting keep-alive connections so close() does not hang. */
export function closeServer(server: http.Server): Promise<void> {
  return new Promise((resolve, reject) => {
    if (!server.listening) {
      resolve();
      return;
    }
    server.close((err) => (err ? reject(err) : resolve()));
    server.closeAllConnections();
  });
}

/**
 * Sleeps without keeping the process alive: simulated latency must not block
 * a test runner or a CLI from exiting once the server is closed.
 */
export function sleep(ms: number): Promise<void> {
  if (ms <= 0) return Promise.resolve();
  return new Promise((resolve) => setTimeout(resolve, ms).unref());
}

/** Throws 405 unless the request uses the expected method. */
export function requireMethod(req: http.IncomingMessage, method: string): void {
  if (req.method !== method) {
    throw new HttpError(405, `${req.method} is not allowed here; use ${method}`, 'method_not_allowed', { allow: method });
  }
}
