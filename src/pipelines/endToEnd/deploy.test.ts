/**
 * There is no Docker engine here, so the production stack is checked structurally: the compose file parses,
 * services reference what exists, the worker's environment names only variables the config module knows
 * (and all the ones a worker needs), and every file the compose file and the Dockerfile copy or mount exists.
 */
import { devServerSearchAttributeFlags } from '../../contracts/searchAttributes';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { parse } from 'yaml';
import { configVariables } from '../../config';
import { referenceConfigVariables } from '../config';
import { packageRoot } from '../../devstack/paths';

const root = packageRoot();
interface Service {
  image?: string;
  build?: string;
  environment?: Record<string, string>;
  depends_on?: Record<string, unknown> | string[];
  volumes?: string[];
  ports?: string[];
  secrets?: string[];
}
const composeText = readFileSync(path.join(root, 'docker-compose.yml'), 'utf8');
const compose = parse(composeText, { merge: true }) as { services: Record<string, Service>; secrets?: Record<string, { file?: string }> };

test('every service has an image or a build, and depends only on services that exist', () => {
  for (const [name, s] of Object.entries(compose.services)) {
    assert.ok(s.image || s.build, `${name} has neither image nor build`);
    const deps = Array.isArray(s.depends_on) ? s.depends_on : Object.keys(s.depends_on ?? {});
    for (const d of deps) assert.ok(d in compose.services, `${name} depends on unknown service ${d}`);
  }
  for (const needed of ['postgres', 'temporal-frontend', 'temporal-ui', 'worker', 'prometheus']) assert.ok(needed in compose.services, needed);
});

test("Temporal has the cluster profile's topology: v1.32.2, four service containers on postgres12, schemas by temporal-sql-tool, search attributes registered", () => {
  const services = ['history', 'matching', 'frontend', 'worker'];
  for (const svc of services) {
    const s = compose.services[`temporal-${svc}`] as Service & { command?: string[] };
    assert.equal(s?.image, 'temporalio/server:1.32.2', `temporal-${svc} runs the pinned server (tools/temporal-server/go.mod)`);
    assert.deepEqual(s.command?.slice(-2), ['--service', svc], `temporal-${svc} runs ${svc} only`);
    assert.equal(s.environment?.DB, 'postgres12');
    assert.equal(s.environment?.DBNAME, 'temporal');
    assert.equal(s.environment?.VISIBILITY_DBNAME, 'temporal_visibility');
  }
  assert.match(readFileSync(path.join(root, 'tools', 'temporal-server', 'go.mod'), 'utf8'), /go\.temporal\.io\/server v1\.32\.2/);
  assert.match(composeText, /update-schema --schema-name "\$\$schema"/);
  for (const k of devServerSearchAttributeFlags().filter((f) => f !== '--search-attribute')) assert.ok(composeText.includes(k), `compose registers ${k}`);
  assert.equal(compose.services.worker?.environment?.TEMPORAL_ADDRESS, '${TEMPORAL_ADDRESS:-temporal-frontend:7233}');
});

test("the worker's environment matches the config module", () => {
  const env = compose.services.worker?.environment ?? {};
  for (const key of Object.keys(env)) assert.ok([...configVariables, ...referenceConfigVariables].includes(key as never), `compose sets ${key}, which neither src/config.ts nor src/pipelines/config.ts reads`);
  for (const key of ['TEMPORAL_ADDRESS', 'TEMPORAL_NAMESPACE', 'TEMPORAL_TASK_QUEUE', 'DATABASE_URL', 'OPENAI_BASE_URL', 'OPENAI_API_KEY', 'PORTAL_URL', 'ENRICHMENT_URL', 'ALERT_NTFY_URL', 'ALERT_WEBHOOK_URL', 'METRICS_PORT', 'TEMPORAL_API_KEY']) {
    assert.ok(key in env, `compose worker lacks ${key}`);
  }
});

test('every mounted file and every Dockerfile COPY source exists in the repo', () => {
  for (const [name, s] of Object.entries(compose.services)) {
    for (const v of s.volumes ?? []) {
      const source = v.split(':')[0]!.replace(/\$\{[A-Z_]+:-([^}]*)\}/, '$1');
      if (source.startsWith('.')) assert.ok(existsSync(path.join(root, source)), `${name} mounts missing ${source}`);
    }
  }
  const dockerfile = readFileSync(path.join(root, 'Dockerfile'), 'utf8');
  for (const line of dockerfile.split('\n').filter((l) => /^COPY (?!--from)/.test(l))) {
    const sources = line.replace(/^COPY\s+/, '').split(/\s+/).slice(0, -1);
    for (const src of sources) assert.ok(existsSync(path.join(root, src)), `Dockerfile copies missing ${src}`);
  }
});

test('Prometheus scrapes the workers and loads the alert rules', () => {
  const prom = parse(readFileSync(path.join(root, 'deploy', 'prometheus', 'prometheus.yml'), 'utf8')) as {
    rule_files?: string[];
    scrape_configs?: { static_configs?: { targets?: string[] }[]; dns_sd_configs?: { names?: string[] }[] }[];
  };
  assert.ok(prom.rule_files?.some((f) => f.endsWith('alert-rules.yml')));
  const targets = JSON.stringify(prom.scrape_configs ?? []);
  assert.match(targets, /worker/);
  const rules = parse(readFileSync(path.join(root, 'deploy', 'prometheus', 'alert-rules.yml'), 'utf8')) as { groups: { rules: { alert: string }[] }[] };
  assert.ok(rules.groups.flatMap((g) => g.rules).length >= 4, 'the four alert rules of the observability issue');
});

test('no default secrets: the password, keys, token and approvers are required variables; keys and token are Docker secrets', () => {
  assert.doesNotMatch(composeText, /BREAKWATER_DB_PASSWORD:-/, 'no default database password');
  assert.match(composeText, /BREAKWATER_DB_PASSWORD:\?/);
  for (const name of ['codec_keys', 'codec_token', 'codec_tls_cert', 'codec_tls_key', 'approver_keys', 'metrics_token', 'metrics_tls_cert', 'metrics_tls_key']) {
    assert.match(compose.secrets?.[name]?.file ?? '', /^\$\{[A-Z_]+:\?.+\}$/, `secret ${name} comes from a required variable`);
  }
  assert.deepEqual(compose.services.worker?.secrets, ['codec_keys', 'approver_keys', 'metrics_token', 'metrics_tls_cert', 'metrics_tls_key']);
  // /metrics beyond the container's loopback: over TLS with a token from a Docker secret (never a value).
  assert.equal(compose.services.worker?.environment?.METRICS_TOKEN_FILE, '/run/secrets/metrics_token');
  assert.ok(!('METRICS_TOKEN' in (compose.services.worker?.environment ?? {})), 'the metrics token is never an environment value');
  assert.equal(compose.services.worker?.environment?.BREAKWATER_CODEC_KEYS_FILE, '/run/secrets/codec_keys');
  assert.ok(!('BREAKWATER_CODEC_KEYS' in (compose.services.worker?.environment ?? {})), 'keys are never an environment value');
  assert.match(compose.services.worker?.environment?.BREAKWATER_APPROVERS ?? '', /:\?/);
  assert.equal(compose.services.worker?.environment?.BREAKWATER_APPROVER_KEYS_FILE, '/run/secrets/approver_keys', 'the worker verifies decisions against the approvers\' keys');
  assert.ok(!('BREAKWATER_DEV_MODE' in (compose.services.worker?.environment ?? {})), 'no development mode in production');
});

test("Temporal's frontend is not published (no TLS here); everything published binds the host's loopback", () => {
  for (const svc of ['history', 'matching', 'frontend', 'worker']) assert.equal(compose.services[`temporal-${svc}`]?.ports, undefined);
  for (const [name, s] of Object.entries(compose.services)) for (const p of s.ports ?? []) assert.match(p, /^127\.0\.0\.1:/, `${name} publishes ${p} beyond loopback`);
  assert.deepEqual(compose.services['codec-server']?.secrets, ['codec_keys', 'codec_token', 'codec_tls_cert', 'codec_tls_key'], 'the codec server binds beyond its container only with TLS');
});
