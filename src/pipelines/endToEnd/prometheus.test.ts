/**
 * A real Prometheus (Debian's) scraping a real worker's /metrics over HTTPS with its bearer token — the
 * deployed scrape job — with deploy/prometheus's alert rules: a breaker that a failing portal trips is one
 * firing alert; a scraper with the wrong token is refused (401); every query of the Grafana dashboard in
 * deploy/grafana is valid PromQL over metrics the worker really exports, and the seed incidents' panels
 * show the run's data. Also: /metrics refuses to bind beyond loopback without TLS and a token.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { parse } from 'yaml';
import { startPortalSimulator, type PortalSimulator } from '../../simulators/portal';
import { startAgentLayerStack, waitForEscalation, type AgentLayerStack } from '../testKit';
import { submitAndVerify } from '../submitAndVerify/workflow';
import { waitFor } from '../../testing/waitFor';
import { packageRoot } from '../../devstack/paths';
import { prometheusConfig, startPrometheus, WORKER_JOB, type RunningPrometheus } from '../../devstack/prometheus';
import { isConfigError } from '../../errors';
import { metricsRegistry } from '../../observability/metrics';
import { startMetricsServer, type MetricsServer } from '../../observability/metricsServer';

const TOKEN = 'prometheus-test-token-0123456789abcdef';
const dir = mkdtempSync(path.join(os.tmpdir(), 'bw-prom-test-'));
const cert = path.join(dir, 'metrics.crt');
const key = path.join(dir, 'metrics.key');
let portal: PortalSimulator;
let t: AgentLayerStack;
let metrics: MetricsServer;
let prom: RunningPrometheus;

interface Target { labels: { job: string }; health: string; lastError: string }
interface Alert { labels: Record<string, string>; state: string }
interface Sample { metric: Record<string, string>; value: [number, string] }

before(async () => {
  // A throwaway self-signed certificate for 127.0.0.1 (the deployed one is issued for the service name).
  execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-days', '1', '-subj', '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1', '-keyout', key, '-out', cert], { stdio: 'ignore' });
  portal = await startPortalSimulator({ lagMs: 100, mode: 'failing' });
  t = await startAgentLayerStack({ env: { PORTAL_URL: portal.url } });
  metrics = await startMetricsServer({ port: 0, host: '127.0.0.1', token: TOKEN, tls: { certPath: cert, keyPath: key } });
  const target = new URL(metrics.url).host;
  prom = await startPrometheus({
    targets: [target],
    token: TOKEN,
    caCertPath: cert,
    intervalSeconds: 1,
    extraJobs: [{ job_name: 'wrong-token', scheme: 'https', tls_config: { ca_file: cert }, authorization: { credentials: 'not-the-token-not-the-token-0000' }, static_configs: [{ targets: [target] }] }],
  });
});
after(async () => {
  await prom?.stop();
  await metrics?.close();
  await t?.stop();
  await portal?.close();
  rmSync(dir, { recursive: true, force: true });
});

const query = (q: string) => prom.api<{ result: Sample[] }>(`query?query=${encodeURIComponent(q)}`).then((d) => d.result);

test("the scrape job Prometheus runs is the deployed one, with loopback targets in place of compose's DNS", () => {
  const deployed = parse(readFileSync(path.join(packageRoot(), 'deploy', 'prometheus', 'prometheus.yml'), 'utf8')) as { scrape_configs: Record<string, unknown>[]; rule_files: string[] };
  const job = deployed.scrape_configs.find((j) => j.job_name === WORKER_JOB)!;
  const ours = (prometheusConfig({ targets: ['127.0.0.1:1'], token: TOKEN, caCertPath: cert }, dir).scrape_configs as Record<string, unknown>[])[0]!;
  assert.equal(ours.scheme, job.scheme, 'HTTPS, as deployed');
  assert.deepEqual(Object.keys(ours.authorization as object), Object.keys(job.authorization as object), 'a bearer token from a file, as deployed');
  assert.deepEqual(deployed.rule_files, ['alert-rules.yml']);
});

test('a real Prometheus scrapes the worker over HTTPS with its token; the wrong token is refused', async () => {
  const targets = await waitFor('both targets scraped', async () => {
    const d = await prom.api<{ activeTargets: Target[] }>('targets');
    return d.activeTargets.length === 2 && d.activeTargets.every((x) => x.health !== 'unknown') ? d.activeTargets : undefined;
  }, 20_000);
  const byJob = Object.fromEntries(targets.map((x) => [x.labels.job, x]));
  assert.equal(byJob[WORKER_JOB]?.health, 'up', byJob[WORKER_JOB]?.lastError);
  assert.equal(byJob['wrong-token']?.health, 'down');
  assert.match(byJob['wrong-token']?.lastError ?? '', /401/);
  const plain = await fetch(metrics.url.replace('https:', 'http:')).then((r) => r.status, () => 'refused');
  assert.notEqual(plain, 200, 'no plaintext answer on the TLS port');
});

test('a breaker tripped by a failing portal is one firing alert in Prometheus, with its run data on the dashboard', async () => {
  const run = await t.stack.env.client.workflow.start(submitAndVerify, {
    taskQueue: t.stack.taskQueue,
    workflowId: `prom-trip-${t.stack.schema}`,
    args: [{ recordId: 'PROM-1', entityId: 'E', businessDate: '2025-03-04', options: { verifyDelay: '1s', verifyDeadline: '5s' } }],
  });
  await waitForEscalation(run, 'breaker-open');
  const trips = await waitFor('Prometheus to have scraped the trip', async () => {
    const r = await query(`breakwater_breaker_trips_total{job="${WORKER_JOB}",pipeline="submitAndVerify",step="portal.submit"}`);
    return r.length ? r : undefined;
  }, 20_000);
  assert.equal(trips[0]!.value[1], '1');
  const firing = await waitFor('BreakwaterBreakerTrip to fire', async () => {
    const a = (await prom.api<{ alerts: Alert[] }>('alerts')).alerts.filter((x) => x.labels.alertname === 'BreakwaterBreakerTrip' && x.state === 'firing');
    return a.length ? a : undefined;
  }, 20_000);
  // A few more evaluations: still one alert for the one breaker (the rule sums over instances and jobs).
  await new Promise((r) => setTimeout(r, 3000));
  const still = (await prom.api<{ alerts: Alert[] }>('alerts')).alerts.filter((x) => x.labels.alertname === 'BreakwaterBreakerTrip');
  assert.deepEqual(still.map((a) => [a.labels.pipeline, a.labels.step, a.state]), [['submitAndVerify', 'portal.submit', 'firing']]);
  assert.equal(firing[0]!.labels.severity, 'critical');

  await run.executeUpdate('resolve', { args: [{ decision: 'reject', by: 'prom-test' }] });
  await run.result();
});

interface Panel { title: string; type: string; targets?: { expr: string }[] }
const dashboard = JSON.parse(readFileSync(path.join(packageRoot(), 'deploy', 'grafana', 'breakwater-dashboard.json'), 'utf8')) as { panels: Panel[]; templating: { list: { name: string; query?: string; current?: { value?: string } }[] } };
const exprs = dashboard.panels.flatMap((p) => (p.targets ?? []).map((x) => ({ panel: p.title, expr: x.expr })));
/** Dashboard variables as their defaults (Grafana substitutes them before Prometheus sees the query). */
const substitute = (expr: string) =>
  dashboard.templating.list.reduce((e, v) => e.replaceAll(`$${v.name}`, String(v.current?.value ?? v.query ?? '')), expr).replaceAll('$__rate_interval', '5m').replaceAll('$__interval', '1m');

test('every metric the dashboard reads is one the worker exports', async () => {
  assert.ok(exprs.length > 20, `${exprs.length} queries`);
  const exported = new Set((await metricsRegistry.getMetricsAsJSON()).flatMap((m) => (String(m.type) === 'histogram' ? ['_bucket', '_sum', '_count'].map((s) => m.name + s) : [m.name])));
  for (const { panel, expr } of exprs) {
    for (const name of expr.match(/breakwater_[a-z_]+/g) ?? []) assert.ok(exported.has(name), `${panel}: ${name} is not exported`);
  }
});

test('every dashboard query is valid PromQL on the real Prometheus, and the breaker panel shows the trip', async () => {
  for (const { panel, expr } of exprs) {
    await assert.doesNotReject(query(substitute(expr)), `${panel}: ${expr}`);
  }
  const breaker = exprs.find((x) => x.panel.startsWith('Breaker trips since'))!;
  const shown = await query(substitute(breaker.expr));
  assert.deepEqual(shown.map((s) => [s.metric.pipeline, s.metric.step]), [['submitAndVerify', 'portal.submit']]);
});

test('/metrics binds beyond loopback only with TLS and a token', async () => {
  await assert.rejects(startMetricsServer({ port: 0, host: '0.0.0.0' }), (e: unknown) => isConfigError(e) && e.variables.includes('METRICS_TLS_CERT_PATH') && e.variables.includes('METRICS_TOKEN'));
  await assert.rejects(startMetricsServer({ port: 0, host: '0.0.0.0', tls: { certPath: cert, keyPath: key } }), (e: unknown) => isConfigError(e) && e.variables.join() === 'METRICS_TOKEN');
  await assert.rejects(startMetricsServer({ port: 0, token: 'short' }), (e: unknown) => isConfigError(e) && e.variables.join() === 'METRICS_TOKEN');
  const open = await startMetricsServer({ port: 0, host: '0.0.0.0', token: TOKEN, tls: { certPath: cert, keyPath: key } });
  await open.close();
});
