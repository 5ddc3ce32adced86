/**
 * Enrichment API simulator: a read-only lookup with an account-wide rolling
 * rate limit, the shape of many SaaS data APIs. Its log lets tests check that
 * a client-side limiter really stays under the server's limit.
 *
 *   GET /enrich?sku=SKU -> 200 {sku, attributes}
 *   over the limit      -> 429 + Retry-After (whole seconds until the oldest
 *                          admitted request leaves the window, at least 1)
 * Admin: GET /_admin/log, GET /_admin/stats, GET|POST /_admin/config, POST /_admin/reset.
 *
 * Only admitted requests count toward the window: a real API usually does
 * not charge a request it refused, and counting rejections would let a
 * client that retries eagerly lock itself out forever. Rejected requests are
 * still logged so tests can see them.
 */
import type http from 'node:http';
import { z } from 'zod';
import { attributesForSku, type EnrichmentAttributes } from './enrichmentAttributes';
import {
  HttpError,
  closeServer,
  createJsonServer,
  listen,
  parseOrThrow,
  readJsonBody,
  requireMethod,
  sendJson,
  sleep,
} from './http';
import { createRollingWindow, maxInAnyWindow as maxInWindow } from './rollingWindow';

export type { EnrichmentAttributes } from './enrichmentAttributes';

export const enrichmentConfigSchema = z.strictObject({
  /** Admitted requests allowed per rolling window (account-wide). */
  limit: z.number().int().min(1),
  windowMs: z.number().int().min(1),
  /** Added delay before every /enrich response (after the admission decision). */
  latencyMs: z.number().int().min(0),
});
export type EnrichmentConfig = z.output<typeof enrichmentConfigSchema>;
export const enrichmentConfigPatchSchema = enrichmentConfigSchema.partial();
export type EnrichmentConfigPatch = z.output<typeof enrichmentConfigPatchSchema>;

export const defaultEnrichmentConfig: EnrichmentConfig = { limit: 100, windowMs: 60_000, latencyMs: 0 };

export interface EnrichmentSimulatorOptions extends EnrichmentConfigPatch {
  port?: number;
  host?: string;
}

export type EnrichmentOutcome = 'ok' | 'rate-limited' | 'bad-request';

export interface EnrichmentLogEntry {
  seq: number;
  /** Arrival (= admission decision) time, ISO and epoch ms. */
  time: string;
  timeMs: number;
  sku: string | null;
  status: number;
  outcome: EnrichmentOutcome;
  retryAfterSeconds?: number;
}

export interface EnrichmentStats {
  requests: number;
  ok: number;
  rateLimited: number;
  badRequests: number;
}

export interface EnrichmentResponse {
  sku: string;
  attributes: EnrichmentAttributes;
}

export interface EnrichmentSimulator {
  readonly url: string;
  configure(patch: EnrichmentConfigPatch): EnrichmentConfig;
  config(): EnrichmentConfig;
  log(): EnrichmentLogEntry[];
  stats(): EnrichmentStats;
  /** Maximum admitted requests in any rolling window (default: the configured window). */
  maxInAnyWindow(windowMs?: number): number;
  /** Clears the log and the rate-limit history. */
  reset(): void;
  close(): Promise<void>;
}

export async function startEnrichmentSimulator(options: EnrichmentSimulatorOptions = {}): Promise<EnrichmentSimulator> {
  const { port, host, ...patch } = options;
  let config = enrichmentConfigSchema.parse({ ...defaultEnrichmentConfig, ...patch });
  let entries: EnrichmentLogEntry[] = [];
  const window = createRollingWindow();

  function configure(next: EnrichmentConfigPatch): EnrichmentConfig {
    config = { ...config, ...enrichmentConfigPatchSchema.parse(next) };
    return { ...config };
  }

  function reset(): void {
    entries = [];
    window.reset();
  }

  function stats(): EnrichmentStats {
    const count = (outcome: EnrichmentOutcome) => entries.filter((e) => e.outcome === outcome).length;
    return { requests: entries.length, ok: count('ok'), rateLimited: count('rate-limited'), badRequests: count('bad-request') };
  }

  function maxInAnyWindow(windowMs: number = config.windowMs): number {
    return maxInWindow(
      entries.filter((e) => e.outcome === 'ok').map((e) => e.timeMs),
      windowMs,
    );
  }

  async function handleEnrich(req: http.IncomingMessage, res: http.ServerResponse, url: URL): Promise<void> {
    requireMethod(req, 'GET');
    const now = Date.now();
    const sku = url.searchParams.get('sku');
    const entry: EnrichmentLogEntry = {
      seq: entries.length + 1,
      time: new Date(now).toISOString(),
      timeMs: now,
      sku,
      status: 400,
      outcome: 'bad-request',
    };
    entries.push(entry);
    // Malformed requests are refused before admission, so they use no quota.
    if (!sku || sku.trim() === '') throw new HttpError(400, 'query parameter sku is required');

    const admission = window.tryAdmit(now, config.limit, config.windowMs);
    const remaining = Math.max(0, config.limit - window.countAt(now, config.windowMs));
    const limitHeaders = { 'x-ratelimit-limit': String(config.limit), 'x-ratelimit-remaining': String(remaining) };
    if (!admission.admitted) {
      entry.status = 429;
      entry.outcome = 'rate-limited';
      entry.retryAfterSeconds = admission.retryAfterSeconds;
      return sendJson(
        res,
        429,
        {
          error: 'rate_limited',
          message: `account limit of ${config.limit} requests per ${config.windowMs} ms exceeded`,
          retryAfterSeconds: admission.retryAfterSeconds,
        },
        { ...limitHeaders, 'retry-after': String(admission.retryAfterSeconds) },
      );
    }
    entry.status = 200;
    entry.outcome = 'ok';
    await sleep(config.latencyMs);
    const body: EnrichmentResponse = { sku, attributes: attributesForSku(sku) };
    return sendJson(res, 200, body, limitHeaders);
  }

  async function handleAdmin(req: http.IncomingMessage, res: http.ServerResponse, path: string): Promise<void> {
    switch (path) {
      case '/_admin/log':
        requireMethod(req, 'GET');
        return sendJson(res, 200, { entries });
      case '/_admin/stats':
        requireMethod(req, 'GET');
        return sendJson(res, 200, { stats: stats(), maxInAnyWindow: maxInAnyWindow() });
      case '/_admin/config':
        if (req.method === 'GET') return sendJson(res, 200, { config });
        requireMethod(req, 'POST');
        return sendJson(res, 200, {
          config: configure(parseOrThrow(enrichmentConfigPatchSchema, await readJsonBody(req), 'enrichment config')),
        });
      case '/_admin/reset':
        requireMethod(req, 'POST');
        reset();
        return sendJson(res, 200, { ok: true });
      default:
        throw new HttpError(404, `no admin endpoint ${path}`);
    }
  }

  const server = createJsonServer(async (req, res, url) => {
    if (url.pathname === '/enrich') return handleEnrich(req, res, url);
    if (url.pathname.startsWith('/_admin/')) return handleAdmin(req, res, url.pathname);
    throw new HttpError(404, `no route ${url.pathname}`);
  });
  const url = await listen(server, { port, host });

  return {
    url,
    configure,
    config: () => ({ ...config }),
    log: () => entries.map((e) => ({ ...e })),
    stats,
    maxInAnyWindow,
    reset,
    close: () => closeServer(server),
  };
}
