import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { loadConfig } from '../config';
import { temporalConnectionOptions, webUiLink } from './connection';

test('mTLS settings become a client cert pair read from the files; plain dev config has no TLS', () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'bw-tls-'));
  writeFileSync(path.join(dir, 'c.pem'), 'CERT');
  writeFileSync(path.join(dir, 'k.pem'), 'KEY');
  const options = temporalConnectionOptions(
    loadConfig({ DATABASE_URL: 'postgres://h/d', TEMPORAL_TLS_CERT_PATH: path.join(dir, 'c.pem'), TEMPORAL_TLS_KEY_PATH: path.join(dir, 'k.pem'), TEMPORAL_TLS_SERVER_NAME: 'temporal.internal' }),
  );
  const tls = options.tls as { clientCertPair: { crt: Buffer; key: Buffer }; serverNameOverride: string };
  assert.equal(tls.clientCertPair.crt.toString(), 'CERT');
  assert.equal(tls.clientCertPair.key.toString(), 'KEY');
  assert.equal(tls.serverNameOverride, 'temporal.internal');
  assert.deepEqual(temporalConnectionOptions(loadConfig({ DATABASE_URL: 'postgres://h/d' })), { address: '127.0.0.1:7233' });
});

test('Web UI links point at the run in its namespace', () => {
  const c = loadConfig({ DATABASE_URL: 'postgres://h/d', TEMPORAL_NAMESPACE: 'prod' });
  assert.equal(webUiLink(c, 'wf/1', 'run'), 'http://localhost:8233/namespaces/prod/workflows/wf%2F1/run');
});
