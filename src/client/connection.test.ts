import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { Connection } from '@temporalio/client';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { loadConfig } from '../config';
import { temporalConnectionOptions, webUiLink } from './connection';

// A project home with no stack: a running stack's recorded address and UI (free ports when 7233/8233 are taken) are not defaults.
const noStack = () => ({ BREAKWATER_HOME: mkdtempSync(path.join(os.tmpdir(), 'bw-nostack-')) });

test('mTLS settings become a client cert pair read from the files; plain dev config has no TLS', () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'bw-tls-'));
  writeFileSync(path.join(dir, 'c.pem'), 'CERT');
  writeFileSync(path.join(dir, 'k.pem'), 'KEY');
  const options = temporalConnectionOptions(
    loadConfig({ DATABASE_URL: 'postgres://h/d', TEMPORAL_TLS_CLIENT_CERT_PATH: path.join(dir, 'c.pem'), TEMPORAL_TLS_CLIENT_KEY_PATH: path.join(dir, 'k.pem'), TEMPORAL_TLS_SERVER_NAME: 'temporal.internal' }),
  );
  const tls = options.tls as { clientCertPair: { crt: Buffer; key: Buffer }; serverNameOverride: string };
  assert.equal(tls.clientCertPair.crt.toString(), 'CERT');
  assert.equal(tls.clientCertPair.key.toString(), 'KEY');
  assert.equal(tls.serverNameOverride, 'temporal.internal');
  assert.deepEqual(temporalConnectionOptions(loadConfig({ DATABASE_URL: 'postgres://h/d', ...noStack() })), { address: '127.0.0.1:7233' });
});

test('Web UI links point at the run in its namespace', () => {
  const c = loadConfig({ DATABASE_URL: 'postgres://h/d', TEMPORAL_NAMESPACE: 'prod', ...noStack() });
  assert.equal(webUiLink(c, 'wf/1', 'run'), 'http://localhost:8233/namespaces/prod/workflows/wf%2F1/run');
});

test('mTLS file paths in a Temporal profile are read into the connection options', () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'bw-tls-'));
  writeFileSync(path.join(dir, 'c.pem'), 'CERT');
  writeFileSync(path.join(dir, 'k.pem'), 'KEY');
  writeFileSync(path.join(dir, 'ca.pem'), 'CA');
  const toml = path.join(dir, 'temporal.toml');
  writeFileSync(toml, `[profile.prod]\naddress = "temporal.internal:7233"\n[profile.prod.tls]\nclient_cert_path = "${dir}/c.pem"\nclient_key_path = "${dir}/k.pem"\nserver_ca_cert_path = "${dir}/ca.pem"\n`);
  const options = temporalConnectionOptions(loadConfig({ DATABASE_URL: 'postgres://h/d', TEMPORAL_CONFIG_FILE: toml, TEMPORAL_PROFILE: 'prod' }));
  const tls = options.tls as { clientCertPair: { crt: Buffer; key: Buffer }; serverRootCACertificate: Buffer };
  assert.equal(options.address, 'temporal.internal:7233');
  assert.equal(tls.clientCertPair.crt.toString(), 'CERT');
  assert.equal(tls.serverRootCACertificate.toString(), 'CA');
});

test('a real connection to a Temporal dev server through a profile', { skip: !process.env.TEMPORAL_CLI && 'TEMPORAL_CLI unset' }, async () => {
  const env = await TestWorkflowEnvironment.createLocal({ server: { executable: { type: 'existing-path', path: process.env.TEMPORAL_CLI! } } });
  try {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'bw-profile-'));
    const toml = path.join(dir, 'temporal.toml');
    writeFileSync(toml, `[profile.local]\naddress = "${env.address}"\nnamespace = "default"\n`);
    const config = loadConfig({ DATABASE_URL: 'postgres://h/d', TEMPORAL_CONFIG_FILE: toml, TEMPORAL_PROFILE: 'local' });
    const connection = await Connection.connect(temporalConnectionOptions(config));
    try {
      const info = await connection.workflowService.getSystemInfo({});
      assert.ok(info.capabilities, 'the server answered through the profile\'s address');
    } finally {
      await connection.close();
    }
  } finally {
    await env.teardown();
  }
});
