import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { apiLimitFor, configSecrets, configVariables, loadConfig } from './config';
import { isConfigError } from './errors';

const base = { DATABASE_URL: 'postgres://u@127.0.0.1:5432/db' };

// A project home with no stack: a running stack's recorded ports (free ones when 7233 is taken) are not defaults.
const noStack = () => ({ BREAKWATER_HOME: mkdtempSync(path.join(tmpdir(), 'bw-nostack-')) });

test('defaults apply when variables are unset', () => {
  const c = loadConfig({ ...base, ...noStack() });
  assert.equal(c.temporal.address, '127.0.0.1:7233');
  assert.equal(c.temporal.namespace, 'default');
  assert.equal(c.temporal.taskQueue, 'breakwater');
  assert.equal(c.database.schema, 'public');
  assert.deepEqual(c.apiLimits, {});
});

for (const [variable, value] of [
  ['TEMPORAL_ADDRESS', 'no-port'],
  ['DATABASE_URL', 'mysql://x'],
  ['OPENAI_BASE_URL', 'not a url'],
  ['BREAKWATER_API_LIMITS', 'shop=100'],
  ['ALERT_NTFY_URL', '::'],
  ['METRICS_PORT', '70000'],
  ['DATABASE_SCHEMA', 'Robert"); DROP TABLE x;--'],
  ['DAILY_SPEND_CAP_USD', '-1'],
  ['BREAKWATER_CODEC_KEYS', 'k1:too-short'],
  ['BREAKWATER_CODEC_KEYS_FILE', '/nonexistent/codec-keys'],
  ['BREAKWATER_CODEC_TOKEN', 'short'],
  ['BREAKWATER_RESOURCE_URLS', 'ftp://files.example/'],
  ['BREAKWATER_RESOURCE_FILE_ROOTS', 'relative/dir'],
  ['BREAKWATER_LLM_CONTENT', 'sometimes'],
] as const) {
  test(`a bad ${variable} is a ConfigError naming it`, () => {
    assert.throws(
      () => loadConfig({ ...base, [variable]: value }),
      (e: unknown) => isConfigError(e) && e.variables.includes(variable) && e.message.includes(variable),
    );
  });
}

test('every variable the brief names is part of the config module, and no reference pipeline setting is', () => {
  for (const v of ['TEMPORAL_ADDRESS', 'TEMPORAL_NAMESPACE', 'TEMPORAL_TASK_QUEUE', 'DATABASE_URL', 'OPENAI_BASE_URL', 'OPENAI_API_KEY', 'ALERT_NTFY_URL', 'ALERT_WEBHOOK_URL', 'BREAKWATER_API_LIMITS']) {
    assert.ok(configVariables.includes(v as never), v);
  }
  for (const v of ['PORTAL_URL', 'ENRICHMENT_URL', 'ENRICHMENT_RATE_LIMIT_PER_MINUTE']) assert.ok(!configVariables.includes(v as never), `${v} belongs to the reference pipelines (src/pipelines/config.ts)`);
});

test('BREAKWATER_API_LIMITS: each API gets its limit per window; an API without one is a ConfigError naming the variable', () => {
  const c = loadConfig({ ...base, BREAKWATER_API_LIMITS: 'shop=100/60s, search=10/500ms' });
  assert.deepEqual(c.apiLimits, { shop: { limit: 100, windowMs: 60_000 }, search: { limit: 10, windowMs: 500 } });
  assert.deepEqual(apiLimitFor(c, 'search'), { limit: 10, windowMs: 500 });
  assert.deepEqual(apiLimitFor(c, 'other', { limit: 5, windowMs: 1000 }), { limit: 5, windowMs: 1000 });
  assert.throws(() => apiLimitFor(c, 'other'), (e: unknown) => isConfigError(e) && e.variables.includes('BREAKWATER_API_LIMITS') && /other=<limit>/.test(e.message));
  assert.throws(() => loadConfig({ ...base, BREAKWATER_API_LIMITS: 'shop=0/1s' }), (e: unknown) => isConfigError(e) && e.variables.includes('BREAKWATER_API_LIMITS'));
});

test('a ConfigError message never echoes a secret value', () => {
  assert.throws(
    () => loadConfig({ ...base, OPENAI_API_KEY: 'sk-planted-secret-123456', OPENAI_BASE_URL: 'bad' }),
    (e: unknown) => isConfigError(e) && !e.message.includes('sk-planted'),
  );
});

test('Temporal Cloud / secured cluster: an API key turns TLS on; cert and key go together', () => {
  const cloud = loadConfig({ ...base, TEMPORAL_ADDRESS: 'ns.acct.tmprl.cloud:7233', TEMPORAL_API_KEY: 'key-abcdef' });
  assert.equal(cloud.temporal.apiKey, 'key-abcdef');
  assert.deepEqual(cloud.temporal.tls, { certPath: undefined, keyPath: undefined, caPath: undefined, serverName: undefined });
  assert.equal(loadConfig(base).temporal.tls, undefined, 'the dev server is plain');
  assert.throws(
    () => loadConfig({ ...base, TEMPORAL_TLS_CLIENT_CERT_PATH: '/tls/client.pem' }),
    (e: unknown) => isConfigError(e) && e.variables.includes('TEMPORAL_TLS_CLIENT_KEY_PATH'),
  );
});

test('configSecrets lists the API keys, the database password and the codec keys and token for the redactor', () => {
  const key = Buffer.alloc(32, 7).toString('base64');
  const token = 'codec-token-abcdefghijklmnopqrstuvwxyz-0123';
  const c = loadConfig({ DATABASE_URL: 'postgres://u:db-pass-123@h:5432/d', OPENAI_API_KEY: 'sk-openai-xyz', TEMPORAL_API_KEY: 'tmprl-key-1', BREAKWATER_CODEC_KEYS: `k1:${key}`, BREAKWATER_CODEC_TOKEN: token });
  assert.deepEqual(configSecrets(c).sort(), [key, token, 'db-pass-123', 'sk-openai-xyz', 'tmprl-key-1'].sort());
});

test('codec keys: inline or from a file (newest first), not both; the resource allowlist is parsed', () => {
  const [a, b] = [Buffer.alloc(32, 1).toString('base64'), Buffer.alloc(32, 2).toString('base64')];
  const dir = mkdtempSync(path.join(tmpdir(), 'bw-keys-'));
  writeFileSync(path.join(dir, 'keys'), `new:${a}\nold:${b}\n`);
  const fromFile = loadConfig({ ...base, BREAKWATER_CODEC_KEYS_FILE: path.join(dir, 'keys') });
  assert.deepEqual(fromFile.codec.keys.map((k) => k.id), ['new', 'old']);
  assert.equal(fromFile.codec.keysFrom, 'file');
  assert.throws(() => loadConfig({ ...base, BREAKWATER_CODEC_KEYS: `x:${a}`, BREAKWATER_CODEC_KEYS_FILE: path.join(dir, 'keys') }), (e) => isConfigError(e) && /not both/.test((e as Error).message));
  const allow = loadConfig({ ...base, BREAKWATER_RESOURCE_URLS: 'https://erp.example.com/api/, http://127.0.0.1:4100/', BREAKWATER_RESOURCE_FILE_ROOTS: '/srv/data' });
  assert.deepEqual(allow.resources, { urls: ['https://erp.example.com/api/', 'http://127.0.0.1:4100/'], fileRoots: ['/srv/data'] });
  assert.throws(() => loadConfig({ ...base, BREAKWATER_RESOURCE_URLS: 'https://user:pw@erp.example.com/' }), (e) => isConfigError(e) && e.variables.includes('BREAKWATER_RESOURCE_URLS'));
});

/** A temporal.toml as the temporal CLI writes it (`temporal config set`), in a temp dir. */
function tomlFile(text: string): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'bw-toml-'));
  writeFileSync(path.join(dir, 'temporal.toml'), text);
  return path.join(dir, 'temporal.toml');
}

const TOML = `
[profile.default]
address = "127.0.0.1:7299"
namespace = "dev-ns"

[profile.cloud]
address = "acct.ns.tmprl.cloud:7233"
namespace = "acct.ns"
api_key = "cloud-key-123"

[profile.mtls]
address = "temporal.internal:7233"
[profile.mtls.tls]
client_cert_path = "/certs/client.pem"
client_key_path = "/certs/client.key"
server_ca_cert_path = "/certs/ca.pem"
server_name = "temporal.internal"
`;

test('Temporal profiles: TEMPORAL_CONFIG_FILE and TEMPORAL_PROFILE select one; the default profile otherwise', () => {
  const file = tomlFile(TOML);
  const dflt = loadConfig({ ...base, TEMPORAL_CONFIG_FILE: file });
  assert.equal(dflt.temporal.address, '127.0.0.1:7299');
  assert.equal(dflt.temporal.namespace, 'dev-ns');
  assert.equal(dflt.temporal.tls, undefined);
  const cloud = loadConfig({ ...base, TEMPORAL_CONFIG_FILE: file, TEMPORAL_PROFILE: 'cloud' });
  assert.equal(cloud.temporal.address, 'acct.ns.tmprl.cloud:7233');
  assert.equal(cloud.temporal.apiKey, 'cloud-key-123');
  assert.ok(cloud.temporal.tls, 'an API key turns TLS on');
  const mtls = loadConfig({ ...base, TEMPORAL_CONFIG_FILE: file, TEMPORAL_PROFILE: 'mtls' });
  assert.deepEqual(mtls.temporal.tls, { certPath: '/certs/client.pem', keyPath: '/certs/client.key', caPath: '/certs/ca.pem', serverName: 'temporal.internal' });
  assert.throws(() => loadConfig({ ...base, TEMPORAL_CONFIG_FILE: file, TEMPORAL_PROFILE: 'nope' }), (e: unknown) => isConfigError(e) && e.variables.includes('TEMPORAL_PROFILE'));
  assert.throws(() => loadConfig({ ...base, TEMPORAL_CONFIG_FILE: tomlFile('not = [toml') }), (e: unknown) => isConfigError(e) && e.variables.includes('TEMPORAL_CONFIG_FILE'));
});

test('TEMPORAL_* variables override the profile, as in the temporal CLI; TEMPORAL_TLS=false turns the profile\'s TLS off', () => {
  const file = tomlFile(TOML);
  const c = loadConfig({ ...base, TEMPORAL_CONFIG_FILE: file, TEMPORAL_PROFILE: 'cloud', TEMPORAL_NAMESPACE: 'other', TEMPORAL_API_KEY: 'env-key' });
  assert.equal(c.temporal.namespace, 'other');
  assert.equal(c.temporal.apiKey, 'env-key');
  assert.equal(c.temporal.address, 'acct.ns.tmprl.cloud:7233');
  assert.equal(loadConfig({ ...base, TEMPORAL_CONFIG_FILE: file, TEMPORAL_PROFILE: 'mtls', TEMPORAL_TLS: 'false' }).temporal.tls, undefined);
});

test('Breakwater\'s former TLS names still work as aliases of Temporal\'s; the Temporal name wins', () => {
  const old = loadConfig({ ...base, TEMPORAL_TLS_CERT_PATH: '/a.pem', TEMPORAL_TLS_KEY_PATH: '/a.key', TEMPORAL_TLS_CA_PATH: '/ca.pem' });
  assert.deepEqual(old.temporal.tls, { certPath: '/a.pem', keyPath: '/a.key', caPath: '/ca.pem', serverName: undefined });
  const both = loadConfig({ ...base, TEMPORAL_TLS_CERT_PATH: '/a.pem', TEMPORAL_TLS_KEY_PATH: '/a.key', TEMPORAL_TLS_CLIENT_CERT_PATH: '/b.pem', TEMPORAL_TLS_CLIENT_KEY_PATH: '/b.key' });
  assert.equal(both.temporal.tls?.certPath, '/b.pem');
});

test('breakwater.config.json: a layer under the environment; secrets only by reference; unknown keys and literal secrets named', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'bw-cfgfile-'));
  const file = (body: unknown) => {
    writeFileSync(path.join(dir, 'bw.json'), JSON.stringify(body));
    return { ...base, BREAKWATER_CONFIG: path.join(dir, 'bw.json') };
  };
  writeFileSync(path.join(dir, 'openai-key'), 'sk-from-file-1\n');
  const c = loadConfig(file({ temporal: { taskQueue: 'from-file', namespace: 'ns-file' }, openai: { apiKey: { file: 'openai-key' } }, codec: { token: { env: 'MY_TOKEN' } } }));
  assert.equal(c.temporal.taskQueue, 'from-file');
  assert.equal(c.openai.apiKey, 'sk-from-file-1');
  assert.equal(loadConfig({ ...file({ temporal: { taskQueue: 'from-file' } }), TEMPORAL_TASK_QUEUE: 'from-env' }).temporal.taskQueue, 'from-env');
  const tok = 'x'.repeat(40);
  assert.equal(loadConfig({ ...file({ codec: { token: { env: 'MY_TOKEN' } } }), MY_TOKEN: tok }).codec.token, tok);
  assert.throws(() => loadConfig(file({ openai: { apiKey: 'sk-literal-999' } })), (e: unknown) => isConfigError(e) && e.variables.includes('openai.apiKey') && !e.message.includes('sk-literal'));
  assert.throws(() => loadConfig(file({ temporal: { taskQeue: 'typo' }, colour: 1 })), (e: unknown) => isConfigError(e) && e.variables.includes('temporal.taskQeue') && e.variables.includes('colour'));
  assert.throws(() => loadConfig(file({ temporal: { address: 'no-port' } })), (e: unknown) => isConfigError(e) && e.variables.includes('TEMPORAL_ADDRESS'));
});
