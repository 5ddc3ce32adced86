/** `breakwater init` end to end on the built CLI, in a fresh user project. */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { packageRoot } from '../../devstack/paths';

const bin = path.join(packageRoot(), 'bin', 'breakwater.js');
const clean = Object.fromEntries(Object.entries(process.env).filter(([k]) => !/^(BREAKWATER_|TEMPORAL_)/.test(k)));
const run = (args: string[], cwd: string, env: NodeJS.ProcessEnv) =>
  new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
    execFile(process.execPath, args, { cwd, env: { ...clean, ...env } }, (error, stdout, stderr) => resolve({ code: error ? Number(error.code ?? 1) : 0, stdout, stderr }));
  });

test('init makes the dev codec key (0600), an approver key, the config file and the .gitignore line; a second run keeps them', async () => {
  const project = mkdtempSync(path.join(tmpdir(), 'bw-init-'));
  writeFileSync(path.join(project, 'package.json'), '{"name":"my-app","private":true}\n');
  writeFileSync(path.join(project, '.gitignore'), 'node_modules\n');
  const keyDir = path.join(project, 'approver-keys');
  const env = { BREAKWATER_APPROVER_KEY_DIR: keyDir, USER: 'ada' };

  const first = await run([bin, 'init'], project, env);
  assert.equal(first.code, 0, first.stdout + first.stderr);
  const keyFile = path.join(project, '.breakwater', 'codec-keys');
  assert.equal(statSync(keyFile).mode & 0o777, 0o600);
  const codecKey = readFileSync(keyFile, 'utf8');
  assert.ok(!first.stdout.includes(codecKey.trim().split(':')[1]!), 'the codec key is never printed');
  const config = JSON.parse(readFileSync(path.join(project, 'breakwater.config.json'), 'utf8')) as { temporal: { taskQueue: string }; approvers: { keys: string[] } };
  assert.equal(config.temporal.taskQueue, 'breakwater');
  assert.match(config.approvers.keys[0]!, /^[\w.@-]+=ed25519:[A-Za-z0-9_-]{43}$/);
  assert.equal(statSync(path.join(keyDir, `${config.approvers.keys[0]!.split('=')[0]}.key`)).mode & 0o777, 0o600);
  assert.match(readFileSync(path.join(project, '.gitignore'), 'utf8'), /^\.breakwater\/$/m);
  assert.match(first.stdout, /npx breakwater/);

  const second = await run([bin, 'init'], project, env);
  assert.equal(second.code, 0, second.stdout + second.stderr);
  assert.equal(readFileSync(keyFile, 'utf8'), codecKey, 'the codec key is never overwritten');
  assert.deepEqual(JSON.parse(readFileSync(path.join(project, 'breakwater.config.json'), 'utf8')), config);
  assert.equal(readFileSync(path.join(project, '.gitignore'), 'utf8').match(/\.breakwater\//g)?.length, 1);

  const check = await run([bin, 'config', 'check', '--json'], project, env);
  assert.equal(check.code, 0, check.stdout + check.stderr);
  const report = JSON.parse(check.stdout) as { ok: boolean; settings: { variable: string; source: string }[] };
  assert.ok(report.ok);
  assert.deepEqual(report.settings.find((s) => s.variable === 'TEMPORAL_TASK_QUEUE'), { variable: 'TEMPORAL_TASK_QUEUE', value: 'breakwater', source: 'file' });
  writeFileSync(path.join(project, 'breakwater.config.json'), JSON.stringify({ temporal: { taskQeue: 'x' }, openai: { apiKey: 'sk-literal-77' } }));
  const bad = await run([bin, 'config', 'check'], project, env);
  assert.equal(bad.code, 1, bad.stdout + bad.stderr);
  assert.match(bad.stdout, /temporal\.taskQeue: unknown key/);
  assert.match(bad.stdout, /openai\.apiKey holds a literal secret/);
  assert.ok(!bad.stdout.includes('sk-literal-77'));
  writeFileSync(path.join(project, 'breakwater.config.json'), `${JSON.stringify(config, null, 2)}\n`);

  // loadConfig run from the project finds the key init made, and reads the config file (the approver's public key)
  const probe = `const { loadConfig } = require(${JSON.stringify(path.join(packageRoot(), 'dist', 'config.js'))}); const c = loadConfig(); console.log(c.codec.keysFrom, c.codec.keys.length, c.temporal.taskQueue, Object.keys(c.identity.approverKeys).length);`;
  const found = await run(['-e', probe], project, {});
  assert.equal(found.stdout.trim(), 'dev-stack 1 breakwater 1', found.stderr);
});
