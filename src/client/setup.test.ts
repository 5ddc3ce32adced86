/** `breakwater setup` on a dev server started without Breakwater's search attributes: registers them, idempotently. */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { searchAttributeKeys } from '../contracts/searchAttributes';
import { ensureSearchAttributes } from './setup';

let env: TestWorkflowEnvironment;
before(async () => {
  // No `searchAttributes`: a user's fresh server or namespace.
  env = await TestWorkflowEnvironment.createLocal({ server: process.env.TEMPORAL_CLI ? { executable: { type: 'existing-path', path: process.env.TEMPORAL_CLI } } : {} });
});
after(async () => env?.teardown());

const names = searchAttributeKeys.map((k) => k.name).sort();

test('registers the four search attributes on a namespace without them, then finds them present', async () => {
  const connection = env.client.connection;
  const before = Object.keys((await connection.operatorService.listSearchAttributes({ namespace: 'default' })).customAttributes ?? {});
  assert.ok(!names.some((n) => before.includes(n)), 'the server starts without them');
  const first = await ensureSearchAttributes(connection, 'default');
  assert.deepEqual(first.added.sort(), names);
  const again = await ensureSearchAttributes(connection, 'default');
  assert.deepEqual([again.added, again.present.sort()], [[], names]);
  const after = Object.keys((await connection.operatorService.listSearchAttributes({ namespace: 'default' })).customAttributes ?? {});
  assert.ok(names.every((n) => after.includes(n)));
});

test('an unknown namespace is a clear SearchAttributeSetupError naming it', async () => {
  await assert.rejects(ensureSearchAttributes(env.client.connection, 'no-such-namespace'), (e: unknown) => (e as { code?: string }).code === 'BW_SETUP_FAILED' && /no-such-namespace/.test((e as Error).message));
});
