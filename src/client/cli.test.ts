/** The CLI's contract: --help everywhere, exit 2 on usage errors, --json errors, exit 1 when the server is down. */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import path from 'node:path';
import { test } from 'node:test';
import { projectRoot } from '../devstack/paths';
import { findFreePort } from '../devstack/processes';

const bin = path.join(projectRoot(), 'bin', 'breakwater.js');
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
  const r = await run(['doctor', '--timeout', '3'], { TEMPORAL_ADDRESS: `127.0.0.1:${port}` });
  assert.equal(r.code, 1);
  assert.match(r.stderr, /breakwater:/);
});
