/**
 * Jaeger v2 (the OTel-collector-based all-in-one, `cmd/jaeger` of v1.75.0) as a trace backend for the
 * worker's OTLP export. Pinned as a Go tool in tools/jaeger/go.mod; built once per machine into the tools
 * cache (~/.cache/breakwater/tools/go/jaeger-v1.75.0/jaeger) and reused. JAEGER_BIN overrides.
 * Cold build measured on the 2-core machine: ~25 s `go get` + ~3 min 54 s `go build` (loaded by other builds).
 * The Go-module build carries no UI assets (they come from the jaeger-ui repo): the query API works, the UI
 * page is Jaeger's placeholder.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ProvisioningError } from '../errors';
import { ensureGoTool } from './goTools';
import { toolsCacheDir } from '../projectHome';
import { findFreePort, waitFor } from './processes';

export const JAEGER_VERSION = '1.75.0';
const toolModuleDir = () => path.resolve(__dirname, '..', '..', 'tools', 'jaeger');
export const jaegerBinaryPath = () => path.join(toolsCacheDir(), 'go', `jaeger-v${JAEGER_VERSION}`, 'jaeger');

/** Path of the pinned Jaeger binary, building it (nice'd: the machine is shared) when the cache lacks it. */
export function ensureJaeger(log = (line: string) => process.stderr.write(`${line}\n`)): string {
  return ensureGoTool(
    { name: `Jaeger v${JAEGER_VERSION}`, envVar: 'JAEGER_BIN', bin: jaegerBinaryPath(), moduleDir: toolModuleDir(), pkg: 'github.com/jaegertracing/jaeger/cmd/jaeger', timeoutMs: 30 * 60_000, expect: 'a few minutes, once per machine', fix: "make 'go' reach the Go module proxy, or set JAEGER_BIN." },
    log,
  );
}

export interface JaegerPorts {
  otlpHttp: number;
  otlpGrpc: number;
  queryHttp: number;
  queryGrpc: number;
  health: number;
  metrics: number;
}

/** Config for in-memory storage with every listener on 127.0.0.1 (the defaults of several are 0.0.0.0). */
export function jaegerConfig(p: JaegerPorts): string {
  const at = (port: number) => `127.0.0.1:${port}`;
  return `service:
  extensions: [jaeger_storage, jaeger_query, healthcheckv2]
  pipelines:
    traces: { receivers: [otlp], processors: [batch], exporters: [jaeger_storage_exporter] }
  telemetry:
    metrics:
      level: basic
      readers: [{ pull: { exporter: { prometheus: { host: 127.0.0.1, port: ${p.metrics} } } } }]
    logs: { level: warn }
extensions:
  jaeger_query:
    storage: { traces: mem }
    http: { endpoint: "${at(p.queryHttp)}" }
    grpc: { endpoint: "${at(p.queryGrpc)}" }
  jaeger_storage:
    backends: { mem: { memory: { max_traces: 100000 } } }
  healthcheckv2:
    use_v2: true
    http: { endpoint: "${at(p.health)}" }
receivers:
  otlp:
    protocols:
      grpc: { endpoint: "${at(p.otlpGrpc)}" }
      http: { endpoint: "${at(p.otlpHttp)}" }
processors:
  batch: { timeout: 200ms }
exporters:
  jaeger_storage_exporter: { trace_storage: mem }
`;
}

export interface Jaeger {
  ports: JaegerPorts;
  /** Set OTEL_EXPORTER_OTLP_ENDPOINT to this (OTLP/HTTP base URL). */
  otlpEndpoint: string;
  queryUrl: string;
  child: ChildProcess;
  stop(): Promise<void>;
}

/** Starts Jaeger on free loopback ports and waits until its query API answers. */
export async function startJaeger(o: { bin?: string; dir?: string } = {}): Promise<Jaeger> {
  const bin = o.bin ?? ensureJaeger();
  const ports: JaegerPorts = { otlpHttp: await findFreePort(), otlpGrpc: await findFreePort(), queryHttp: await findFreePort(), queryGrpc: await findFreePort(), health: await findFreePort(), metrics: await findFreePort() };
  const dir = o.dir ?? path.join(os.tmpdir(), `breakwater-jaeger-${process.pid}-${ports.queryHttp}`);
  mkdirSync(dir, { recursive: true });
  const config = path.join(dir, 'jaeger.yaml');
  writeFileSync(config, jaegerConfig(ports));
  const child = spawn(bin, ['--config', `file:${config}`], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr?.on('data', (d: Buffer) => (stderr = (stderr + d.toString()).slice(-4000)));
  const queryUrl = `http://127.0.0.1:${ports.queryHttp}`;
  try {
    await waitFor(async () => {
      if (child.exitCode !== null) throw new ProvisioningError(`Jaeger exited (${child.exitCode}): ${stderr.slice(-800)}`);
      return fetch(`${queryUrl}/api/services`).then((r) => r.ok, () => false);
    }, 'the Jaeger query API', 60_000);
  } catch (e) {
    child.kill('SIGKILL');
    throw e;
  }
  return {
    ports,
    otlpEndpoint: `http://127.0.0.1:${ports.otlpHttp}`,
    queryUrl,
    child,
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
        setTimeout(() => child.kill('SIGKILL'), 5000).unref();
      }),
  };
}
