/**
 * `GET /metrics` (Prometheus text) on METRICS_PORT: Breakwater's registry, then Temporal's own runtime
 * metrics (Core's Prometheus exporter, bound on 127.0.0.1:<port + 1> by `runtimeTelemetryOptions`) merged
 * into the same page, so one scrape target per worker has both. `GET /healthz` answers 200.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { TelemetryOptions } from '@temporalio/worker';
import { enableProcessMetrics, metricsRegistry } from './metrics';

/** Where Core's own exporter listens: next to ours, loopback only (we re-serve it). */
export const coreMetricsAddress = (metricsPort: number): string => `127.0.0.1:${metricsPort + 1}`;

/** For `Runtime.install({ telemetryOptions })`, before any connection or worker is created. */
export const runtimeTelemetryOptions = (metricsPort: number | undefined): TelemetryOptions =>
  metricsPort === undefined ? {} : { metrics: { prometheus: { bindAddress: coreMetricsAddress(metricsPort), countersTotalSuffix: true, useSecondsForDurations: true }, metricPrefix: 'temporal_' } };

export interface MetricsServerOptions {
  port: number;
  /** Default 0.0.0.0 (scraped from outside the container); tests use 127.0.0.1. */
  host?: string;
  /** Core's exporter (http://host:port/metrics) to append; omit when Runtime was installed without it. */
  coreMetricsUrl?: string;
}

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

export async function startMetricsServer(o: MetricsServerOptions): Promise<MetricsServer> {
  enableProcessMetrics();
  const server: Server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    if (req.method === 'GET' && path === '/metrics') {
      Promise.all([metricsRegistry.metrics(), coreMetrics(o.coreMetricsUrl)])
        .then(([ours, core]) => {
          res.writeHead(200, { 'content-type': metricsRegistry.contentType });
          res.end(ours + core);
        })
        .catch((e: unknown) => {
          res.writeHead(500, { 'content-type': 'text/plain' });
          res.end(`metrics failed: ${(e as Error).message}\n`);
        });
      return;
    }
    if (req.method === 'GET' && path === '/healthz') {
      res.writeHead(200, { 'content-type': 'text/plain' });
      res.end('ok\n');
      return;
    }
    res.writeHead(404, { 'content-type': 'text/plain' });
    res.end('not found: try /metrics\n');
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(o.port, o.host ?? '0.0.0.0', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://${o.host === '0.0.0.0' || !o.host ? '127.0.0.1' : o.host}:${port}/metrics`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
