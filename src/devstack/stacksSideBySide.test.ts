/**
 * Two projects, two stacks, one machine: `breakwater stack start` run at once in two folders (no
 * BREAKWATER_HOME) gives each its own Temporal on its own ports, recorded in its own stack.json, which its
 * config reads; a second start reuses its own; stopping one leaves the other up.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { after, test } from 'node:test';
import { Client, Connection } from '@temporalio/client';
import { loadConfig } from '../config';
import { packageRoot } from './paths';
import { isAlive } from './processes';

const bin = path.join(packageRoot(), 'bin', 'breakwater.js');
const run = promisify(execFile);

// A user's shell: nothing that points at a stack or a home.
const env = { ...process.env };
for (const name of ['BREAKWATER_HOME', 'DATABASE_URL', 'TEMPORAL_ADDRESS', 'TEMPORAL_UI_URL', 'BREAKWATER_STACK_TEMPORAL_PORT', 'BREAKWATER_STACK_UI_PORT', 'BREAKWATER_CODEC_KEYS']) delete env[name];

function project(name: string): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), `bw-${name}-`));
  chmodSync(dir, 0o755); // the postgres user must reach the cluster's folder inside
  writeFileSync(path.join(dir, 'package.json'), JSON.stringify({ name, version: '1.0.0', private: true }));
  return dir;
}
const projects = [project('alpha'), project('beta')];

async function stack(cwd: string, ...args: string[]): Promise<Record<string, unknown>> {
  const { stdout } = await run(process.execPath, [bin, 'stack', ...args, '--json'], { cwd, env, timeout: 180_000 });
  return JSON.parse(stdout) as Record<string, unknown>;
}
interface Started {
  temporal: { address: string; uiUrl: string; started: boolean };
  postgres: { url: string };
}
const recorded = (dir: string) => JSON.parse(readFileSync(path.join(dir, '.breakwater', 'stack.json'), 'utf8')) as { temporal: { address: string; uiUrl: string; pid: number } };

after(async () => {
  for (const dir of projects) {
    await stack(dir, 'stop').catch(() => undefined);
    rmSync(dir, { recursive: true, force: true });
  }
});

async function configIn<T>(dir: string, fn: () => T): Promise<T> {
  const cwd = process.cwd();
  const saved = { ...process.env };
  process.chdir(dir);
  for (const k of Object.keys(process.env)) if (!(k in env)) delete process.env[k];
  try {
    return await fn();
  } finally {
    process.chdir(cwd);
    Object.assign(process.env, saved);
  }
}

test('two folders start their stacks at once: each its own ports, its own stack.json, its own Temporal', async () => {
  const [a, b] = projects as [string, string];
  const [sa, sb] = (await Promise.all([stack(a, 'start'), stack(b, 'start')])) as unknown as [Started, Started];
  assert.equal(sa.temporal.started, true);
  assert.equal(sb.temporal.started, true, "the second folder must not take the first folder's server for its own");
  assert.notEqual(sa.temporal.address, sb.temporal.address);
  assert.notEqual(sa.temporal.uiUrl, sb.temporal.uiUrl);
  assert.notEqual(sa.postgres.url, sb.postgres.url);
  assert.equal(recorded(a).temporal.address, sa.temporal.address);
  assert.equal(recorded(b).temporal.address, sb.temporal.address);

  // Each folder's config reaches its own Temporal: a workflow started in alpha's is not in beta's.
  const configA = await configIn(a, () => loadConfig());
  const configB = await configIn(b, () => loadConfig());
  assert.equal(configA.temporal.address, sa.temporal.address);
  assert.equal(configB.temporal.address, sb.temporal.address);
  assert.equal(configA.database.url, sa.postgres.url);
  const workflowId = `side-by-side-${Date.now()}`;
  const ca = await Connection.connect({ address: configA.temporal.address });
  const cb = await Connection.connect({ address: configB.temporal.address });
  try {
    await new Client({ connection: ca }).workflow.start('doctor', { taskQueue: 'nobody-polls', workflowId });
    assert.equal((await new Client({ connection: ca }).workflow.getHandle(workflowId).describe()).workflowId, workflowId);
    await assert.rejects(new Client({ connection: cb }).workflow.getHandle(workflowId).describe(), /not found/i);
  } finally {
    await ca.close();
    await cb.close();
  }

  // A second start in the same folder reuses its own stack.
  const again = (await stack(a, 'start')) as unknown as Started;
  assert.equal(again.temporal.started, false);
  assert.equal(again.temporal.address, sa.temporal.address);
  const status = (await stack(b, 'status')) as { temporal: { running: boolean; address: string } };
  assert.deepEqual([status.temporal.running, status.temporal.address], [true, sb.temporal.address]);

  // Stopping alpha's leaves beta's up.
  const pidA = recorded(a).temporal.pid;
  const pidB = recorded(b).temporal.pid;
  assert.equal((await stack(a, 'stop')).temporal, true);
  assert.equal(isAlive(pidA), false);
  assert.equal(isAlive(pidB), true);
  const still = await Connection.connect({ address: sb.temporal.address });
  await still.workflowService.getSystemInfo({});
  await still.close();
});

test('bad port input is a usage error (exit 2); a taken explicit port is refused, not shared', async () => {
  const [a, b] = projects as [string, string];
  await assert.rejects(run(process.execPath, [bin, 'stack', 'start', '--temporal-port', 'seventy'], { cwd: a, env }), (e: { code?: number; stderr?: string }) => {
    assert.equal(e.code, 2);
    assert.match(e.stderr ?? '', /--temporal-port must be a port number/);
    return true;
  });
  const taken = Number(recorded(b).temporal.address.split(':').pop());
  await assert.rejects(run(process.execPath, [bin, 'stack', 'start', '--temporal-port', String(taken)], { cwd: a, env }), (e: { code?: number; stderr?: string }) => {
    assert.equal(e.code, 1);
    assert.match(e.stderr ?? '', new RegExp(`port ${taken} is taken`));
    return true;
  });
});
