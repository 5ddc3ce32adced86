/**
 * `npm run stack` is idempotent and the dev server keeps history on its SQLite file: kill the server,
 * start the stack again, and the workflows recorded before are still there.
 */
import assert from 'node:assert/strict';
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, test } from 'node:test';
import { Client, Connection } from '@temporalio/client';
import { findFreePort, isAlive } from './processes';
import { ensureStack, readStackState, stopStack } from './stack';

const home = mkdtempSync(path.join(os.tmpdir(), 'bw-stack-'));
chmodSync(home, 0o755); // the postgres user must reach its data folder inside
after(async () => {
  await stopStack(home).catch(() => undefined);
  rmSync(home, { recursive: true, force: true });
});

test('stack start twice starts nothing twice; after a dev-server kill the workflows recorded before remain', async () => {
  const options = { home, temporalPort: await findFreePort(), uiPort: await findFreePort(), env: {} };
  const first = await ensureStack(options);
  assert.equal(first.temporal.started, true);
  assert.equal(first.postgres.started, true);
  const pid = readStackState(home).temporal?.pid;
  assert.ok(isAlive(pid));

  const again = await ensureStack(options);
  assert.equal(again.temporal.started, false, 'second start must reuse the running dev server');
  assert.equal(again.postgres.started, false, 'second start must reuse the running cluster');
  assert.equal(readStackState(home).temporal?.pid, pid);

  // Record a workflow (no worker needed: the start itself is history on the SQLite file).
  const workflowId = `persist-${Date.now()}`;
  let connection = await Connection.connect({ address: first.temporal.address });
  await new Client({ connection }).workflow.start('doctor', { taskQueue: 'nobody-polls', workflowId });
  await connection.close();

  process.kill(pid!, 'SIGKILL');
  await new Promise((r) => setTimeout(r, 300));
  assert.equal(isAlive(pid), false);

  const restarted = await ensureStack(options);
  assert.equal(restarted.temporal.started, true, 'the killed dev server must be started again');
  connection = await Connection.connect({ address: restarted.temporal.address });
  try {
    const description = await new Client({ connection }).workflow.getHandle(workflowId).describe();
    assert.equal(description.workflowId, workflowId);
    assert.equal(description.type, 'doctor');
  } finally {
    await connection.close();
  }
});
