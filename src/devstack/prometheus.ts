/**
 * A real Prometheus (Debian's `prometheus`, scripts/install-system-deps.sh) scraping workers' `/metrics`
 * with the alert rules of deploy/prometheus — for `npm run prometheus` and the tests. Its scrape job is the
 * deployed one (deploy/prometheus/prometheus.yml: job name, HTTPS with a bearer token when the worker has
 * them) with static loopback targets in place of compose's DNS discovery; everything binds 127.0.0.1.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ConfigError } from '../errors';
import { packageRoot } from './paths';
import { findFreePort, waitFor } from './processes';

export const PROMETHEUS_BIN = '/usr/bin/prometheus';
/** The deployed job's name: the alert rules and the dashboard do not depend on it, people's queries might. */
export const WORKER_JOB = 'breakwater-worker';

export interface PrometheusOptions {
  /** host:port of each worker's metrics server. */
  targets: readonly string[];
  /** The worker's METRICS_TOKEN: sent as `Authorization: Bearer`. */
  token?: string;
  /** The worker's certificate (PEM file): HTTPS, trusting it. */
  caCertPath?: string;
  /** Seconds between scrapes and between rule evaluations (deployed: 15 s / 30 s; tests: 1 s). */
  intervalSeconds?: number;
  /** Extra scrape jobs, as Prometheus config objects (tests add one with a wrong token). */
  extraJobs?: readonly Record<string, unknown>[];
  port?: number;
  /** Where the config, secrets and TSDB go; a temporary folder (removed at stop) when omitted. */
  dir?: string;
}

export interface RunningPrometheus {
  url: string;
  /** The config file it runs with (JSON, which Prometheus reads as YAML). */
  configFile: string;
  stop(): Promise<void>;
  /** GET /api/v1/<path>: the `data` of a success, else throws with Prometheus's error. */
  api<T>(apiPath: string): Promise<T>;
}

export const alertRulesFile = (): string => path.join(packageRoot(), 'deploy', 'prometheus', 'alert-rules.yml');

/** The scrape config Prometheus runs with; `secretsDir` holds the token file. */
export function prometheusConfig(o: PrometheusOptions, secretsDir: string): Record<string, unknown> {
  const interval = `${o.intervalSeconds ?? 15}s`;
  const job: Record<string, unknown> = { job_name: WORKER_JOB, static_configs: [{ targets: [...o.targets] }] };
  if (o.caCertPath) Object.assign(job, { scheme: 'https', tls_config: { ca_file: o.caCertPath } });
  if (o.token !== undefined) {
    const tokenFile = path.join(secretsDir, 'metrics_token');
    writeFileSync(tokenFile, o.token, { mode: 0o600 });
    job.authorization = { credentials_file: tokenFile };
  }
  return { global: { scrape_interval: interval, evaluation_interval: interval }, rule_files: [alertRulesFile()], scrape_configs: [job, ...(o.extraJobs ?? [])] };
}

export async function startPrometheus(o: PrometheusOptions): Promise<RunningPrometheus> {
  if (!existsSync(PROMETHEUS_BIN)) throw new ConfigError(`${PROMETHEUS_BIN} is missing: run scripts/install-system-deps.sh (Debian's prometheus)`, []);
  if (o.targets.length === 0) throw new ConfigError('Prometheus needs at least one worker metrics target (host:port)', ['METRICS_PORT']);
  const bad = o.targets.find((t) => !/^[\w.-]+:\d{1,5}$/.test(t));
  if (bad) throw new ConfigError(`not a host:port target: ${bad}`, ['METRICS_PORT']);
  const ownDir = o.dir === undefined;
  const dir = o.dir ?? mkdtempSync(path.join(os.tmpdir(), 'bw-prometheus-'));
  mkdirSync(path.join(dir, 'secrets'), { recursive: true, mode: 0o700 });
  const configFile = path.join(dir, 'prometheus.json');
  writeFileSync(configFile, JSON.stringify(prometheusConfig(o, path.join(dir, 'secrets')), null, 2));
  const port = o.port ?? (await findFreePort());
  const url = `http://127.0.0.1:${port}`;
  const args = [`--config.file=${configFile}`, `--storage.tsdb.path=${path.join(dir, 'data')}`, `--web.listen-address=127.0.0.1:${port}`, '--log.level=warn'];
  const child: ChildProcess = spawn(PROMETHEUS_BIN, args, { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr!.on('data', (d: Buffer) => void (stderr = (stderr + d.toString()).slice(-4000)));
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      const exited = new Promise((r) => child.once('exit', r));
      child.kill('SIGTERM');
      await exited;
    }
    if (ownDir) rmSync(dir, { recursive: true, force: true });
  };
  try {
    await waitFor(async () => {
      if (child.exitCode !== null) throw new Error(`prometheus exited ${child.exitCode}: ${stderr}`);
      return fetch(`${url}/-/ready`).then((r) => r.ok, () => false);
    }, 'prometheus to be ready', 30_000);
  } catch (err) {
    await stop();
    throw err;
  }
  const api = async <T>(apiPath: string): Promise<T> => {
    const body = (await (await fetch(`${url}/api/v1/${apiPath}`)).json()) as { status: string; data: T; error?: string };
    if (body.status !== 'success') throw new Error(`prometheus ${apiPath}: ${body.error ?? body.status}`);
    return body.data;
  };
  return { url, configFile, stop, api };
}
