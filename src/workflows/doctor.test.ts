/** End to end on real servers: a client starts `doctor`, a worker runs it, the activity reads Postgres. */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { startTestStack, type TestStack } from '../testing/harness';
import { recordHistory } from '../devstack/histories';
import { doctor } from './doctor';

let stack: TestStack;
before(async () => {
  stack = await startTestStack();
});
after(async () => stack?.teardown());

test('doctor reaches Postgres through a real worker and reports the applied migrations', async () => {
  const worker = await stack.createWorker();
  const handle = await stack.env.client.workflow.start(doctor, { taskQueue: stack.taskQueue, workflowId: `doctor-${stack.schema}` });
  const report = await worker.runUntil(handle.result());
  await recordHistory(handle, 'doctor', stack.env.address);
  assert.equal(report.schema, stack.schema);
  assert.match(report.postgresVersion, /^\d+\.\d+/);
  assert.ok(report.migrations.includes(1), `migrations: ${report.migrations.join(',')}`);
});
