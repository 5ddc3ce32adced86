/** The CLI's contract: --help everywhere, exit 2 on usage errors, --json errors, exit 1 when the server is down. */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { packageRoot } from '../devstack/paths';
import { findFreePort } from '../devstack/processes';
import { generateKeySpec, parseKeyRing } from '../codec/keys';

const bin = path.join(packageRoot(), 'bin', 'breakwater.js');
const run = (args: string[], env: NodeJS.ProcessEnv = {}) =>
  new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
    execFile(process.execPath, [bin, ...args], { env: { ...process.env, ...env } }, (error, stdout, stderr) =>
      resolve({ code: error ? Number(error.code ?? 1) : 0, stdout, stderr }),
    );
  });

test('--help exits 0 and lists the commands', async () => {
  const r = await run(['--help']);
  assert.equal(r.code, 0);
  assert.match(r.stdout, /doctor/);
});

test('an unknown command is a usage error: exit 2, and a JSON error with --json', async () => {
  assert.equal((await run(['no-such-command'])).code, 2);
  const r = await run(['no-such-command', '--json']);
  assert.equal(r.code, 2);
  assert.equal((JSON.parse(r.stdout) as { error: { code: string } }).error.code, 'BW_USAGE');
});

test('a bad environment value is a usage error naming the variable', async () => {
  const r = await run(['doctor', '--json'], { TEMPORAL_ADDRESS: 'nonsense' });
  assert.equal(r.code, 2);
  const body = JSON.parse(r.stdout) as { error: { code: string; message: string } };
  assert.equal(body.error.code, 'BW_CONFIG_INVALID');
  assert.match(body.error.message, /TEMPORAL_ADDRESS/);
});

test('an unreachable Temporal server is an operational failure: exit 1', async () => {
  const port = await findFreePort();
  const r = await run(['doctor', '--timeout', '3'], { TEMPORAL_ADDRESS: `127.0.0.1:${port}`, BREAKWATER_CODEC_KEYS: generateKeySpec('cli') });
  assert.equal(r.code, 1);
  assert.match(r.stderr, /breakwater:/);
});

test('no payload encryption key configured (and no dev stack key): the CLI refuses to connect, exit 2 naming BREAKWATER_CODEC_KEYS', async () => {
  const home = mkdtempSync(path.join(tmpdir(), 'bw-nokey-')); // no .breakwater/codec-keys to fall back on
  const r = await run(['status', 'any-run', '--json'], { BREAKWATER_HOME: home, BREAKWATER_CODEC_KEYS: '', BREAKWATER_CODEC_KEYS_FILE: '' });
  assert.equal(r.code, 2, r.stdout + r.stderr);
  assert.equal((JSON.parse(r.stdout) as { error: { code: string } }).error.code, 'BW_CONFIG_INVALID');
  assert.match(r.stdout, /run `npx breakwater init`/);
  assert.match(r.stdout, /BREAKWATER_CODEC_KEYS/);
});

test('codec-key prints a usable key ring entry; --token a 43-character token', async () => {
  const key = await run(['codec-key', '--id', 'k9']);
  assert.equal(key.code, 0);
  assert.equal(parseKeyRing(key.stdout.trim())[0]!.id, 'k9');
  const token = await run(['codec-key', '--token']);
  assert.match(token.stdout.trim(), /^[A-Za-z0-9_-]{43}$/);
  assert.equal((await run(['codec-key', '--id', 'bad id!'])).code, 2);
});
