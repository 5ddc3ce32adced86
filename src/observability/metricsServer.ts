/**
 * `GET /metrics` (Prometheus text) on METRICS_PORT: Breakwater's registry, then Temporal's own runtime
 * metrics (Core's Prometheus exporter, bound on 127.0.0.1:<port + 1> by `runtimeTelemetryOptions`) merged
 * into the same page, so one scrape target per worker has both. `GET /healthz` answers 200.
 *
 * Loopback by default. Beyond loopback only with TLS and a bearer token (Prometheus's `authorization` and
 * `tls_config` in deploy/prometheus/prometheus.yml): run names, pipelines, spend and error types are
 * operational data a network neighbour should not read, and a token sent in clear is no token.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createTlsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import type { TelemetryOptions } from '@temporalio/worker';
import type { BreakwaterConfig } from '../config';
import { ConfigError } from '../errors';
import { isLoopback } from './inbox/auth';
import { enableProcessMetrics, metricsRegistry } from './metrics';

/** Where Core's own exporter listens: next to ours, loopback only (we re-serve it). */
export const coreMetricsAddress = (metricsPort: number): string => `127.0.0.1:${metricsPort + 1}`;

/** For `Runtime.install({ telemetryOptions })`, before any connection or worker is created. */
export const runtimeTelemetryOptions = (metricsPort: number | undefined): TelemetryOptions =>
  metricsPort === undefined ? {} : { metrics: { prometheus: { bindAddress: coreMetricsAddress(metricsPort), countersTotalSuffix: true, useSecondsForDurations: true }, metricPrefix: 'temporal_' } };

export interface MetricsServerOptions {
  port: number;
  /** Default 127.0.0.1. Any other address needs `tls` and `token` (ConfigError otherwise). */
  host?: string;
  /** Required as `Authorization: Bearer <token>` on /metrics when set (≥ 32 characters). */
  token?: string;
  /** HTTPS with this certificate and key (PEM files). */
  tls?: { certPath: string; keyPath: string };
  /** Core's exporter (http://host:port/metrics) to append; omit when Runtime was installed without it. */
  coreMetricsUrl?: string;
}

/** The options a worker process uses, from its configuration (METRICS_*); undefined when METRICS_PORT is unset. */
export const metricsServerOptions = (c: BreakwaterConfig): MetricsServerOptions | undefined =>
  c.metrics.port === undefined ? undefined : { port: c.metrics.port, host: c.metrics.host, token: c.metrics.token, tls: c.metrics.tls, coreMetricsUrl: `http://${coreMetricsAddress(c.metrics.port)}/metrics` };
export interface MetricsServer {
  url: string;
  close(): Promise<void>;
}

async function coreMetrics(url: string | undefined): Promise<string> {
  if (!url) return '';
  try {
    const res = await fetch(url, { signal: AbortSignal.timeout(2000) });
    return res.ok ? `\n# Temporal SDK Core runtime metrics (${url})\n${await res.text()}` : '';
  } catch {
    return ''; // Core's exporter not running in this process: our own metrics still answer
  }
}

/** Refuses (ConfigError) what would expose the page: beyond loopback without TLS and a token, or a short token. */
export function assertMetricsBindable(o: Pick<MetricsServerOptions, 'host' | 'token' | 'tls'>): void {
  const host = o.host ?? '127.0.0.1';
  if (o.token !== undefined && o.token.length < 32) throw new ConfigError('METRICS_TOKEN: the token needs at least 32 characters', ['METRICS_TOKEN']);
  if (isLoopback(host)) return;
  const missing = [...(o.tls ? [] : ['METRICS_TLS_CERT_PATH', 'METRICS_TLS_KEY_PATH']), ...(o.token ? [] : ['METRICS_TOKEN'])];
  if (missing.length) throw new ConfigError(`/metrics binds ${host} only with TLS and a bearer token (set ${missing.join(', ')}), or keep METRICS_HOST on loopback`, missing);
}

const digest = (s: string): Buffer => createHash('sha256').update(s).digest();

/** Constant-time bearer check (digests of equal length, whatever was sent). */
function authorized(req: IncomingMessage, token: string | undefined): boolean {
  if (token === undefined) return true;
  const sent = /^Bearer (.+)$/.exec(req.headers.authorization ?? '')?.[1] ?? '';
  return timingSafeEqual(digest(sent), digest(token));
}

function readTls(tls: NonNullable<MetricsServerOptions['tls']>): { cert: Buffer; key: Buffer } {
  const read = (file: string, variable: string) => {
    try {
      return readFileSync(file);
    } catch (err) {
      throw new ConfigError(`${variable}: cannot read ${file} (${(err as NodeJS.ErrnoException).code ?? 'error'})`, [variable]);
    }
  };
  return { cert: read(tls.certPath, 'METRICS_TLS_CERT_PATH'), key: read(tls.keyPath, 'METRICS_TLS_KEY_PATH') };
}

function text(res: ServerResponse, status: number, body: string, headers: Record<string, string> = {}): void {
  res.writeHead(status, { 'content-type': 'text/plain', ...headers });
  res.end(body);
}

export async function startMetricsServer(o: MetricsServerOptions): Promise<MetricsServer> {
  assertMetricsBindable(o);
  const host = o.host ?? '127.0.0.1';
  enableProcessMetrics();
  const handler = (req: IncomingMessage, res: ServerResponse): void => {
    const path = (req.url ?? '/').split('?')[0];
    if (req.method === 'GET' && path === '/healthz') return text(res, 200, 'ok\n'); // liveness only: no data
    if (req.method !== 'GET' || path !== '/metrics') return text(res, 404, 'not found: try /metrics\n');
    if (!authorized(req, o.token)) return text(res, 401, 'unauthorized: send Authorization: Bearer <METRICS_TOKEN>\n', { 'www-authenticate': 'Bearer realm="metrics"' });
    Promise.all([metricsRegistry.metrics(), coreMetrics(o.coreMetricsUrl)])
      .then(([ours, core]) => {
        res.writeHead(200, { 'content-type': metricsRegistry.contentType });
        res.end(ours + core);
      })
      .catch((e: unknown) => text(res, 500, `metrics failed: ${(e as Error).message}\n`));
  };
  const server: Server = o.tls ? createTlsServer(readTls(o.tls), handler) : createServer(handler);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(o.port, host, () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  const shown = host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host.includes(':') ? `[${host}]` : host;
  return {
    url: `${o.tls ? 'https' : 'http'}://${shown}:${port}/metrics`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
