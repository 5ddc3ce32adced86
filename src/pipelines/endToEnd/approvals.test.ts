/**
 * Only allowlisted approvers decide; every attempt is recorded, refused ones change nothing. The allowlist
 * (BREAKWATER_APPROVERS) narrows the approvers with keys: a correctly signed decision by someone not on it
 * is still refused — by the worker, with whom it verified.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { startTestStack, type TestStack } from '../testKit';
import { breakwaterCli } from '../submitAndVerify/testKit';
import { judgeApprover } from '../../store/auditLog';
import { createCircuitBreakerStore } from '../../store/circuitBreakers';
import { createTestApprover } from '../../testing/approvers';

test('without an allowlist anyone named may decide; with one, only those on it', () => {
  assert.equal(judgeApprover(undefined, 'anyone').accepted, true);
  assert.equal(judgeApprover(['alice', 'bob'], 'bob').accepted, true);
  assert.equal(judgeApprover(['alice', 'bob'], ' alice ').accepted, true);
  const refused = judgeApprover(['alice'], 'mallory');
  assert.equal(refused.accepted, false);
  assert.match(refused.reason, /not on the approver allowlist/);
});

const alice = createTestApprover('alice');
const mallory = createTestApprover('mallory');
let stack: TestStack;
before(async () => {
  stack = await startTestStack({ approvers: [alice, mallory], env: { BREAKWATER_APPROVERS: 'alice' } });
  await stack.startWorker();
});
after(async () => stack?.teardown());

test('breaker clear by an unknown approver is refused (exit 2), recorded, and leaves the breaker open', async () => {
  const breakers = createCircuitBreakerStore(stack.db);
  for (let i = 0; i < 2; i++) await breakers.recordFailure('p', 's', { error: `503 #${i}`, at: new Date().toISOString(), input: { i } });
  assert.equal((await breakers.get('p', 's'))?.state, 'open');
  const env = {
    TEMPORAL_ADDRESS: stack.env.address,
    DATABASE_URL: stack.config.database.url!,
    DATABASE_SCHEMA: stack.schema,
    TEMPORAL_TASK_QUEUE: stack.taskQueue,
  };
  const refused = await breakwaterCli(env, ['breaker', 'clear', 'p', 's', '--by', 'mallory', '--key', mallory.keyFile, '--json']);
  assert.equal(refused.code, 2);
  assert.match(refused.stdout, /not on the approver allowlist/);
  assert.equal((await breakers.get('p', 's'))?.state, 'open', 'still open');

  const ok = await breakwaterCli(env, ['breaker', 'clear', 'p', 's', '--by', 'alice', '--key', alice.keyFile, '--json']);
  assert.equal(ok.code, 0, ok.stdout + ok.stderr);
  assert.equal((await breakers.get('p', 's'))?.state, 'closed');
  const { rows } = await stack.db.query<{ actor: string; accepted: boolean; verified_by: string }>("SELECT actor, accepted, verified_by FROM audit_log WHERE action = 'breaker:clear' ORDER BY id");
  assert.deepEqual(rows, [
    { actor: 'mallory', accepted: false, verified_by: 'mallory' },
    { actor: 'alice', accepted: true, verified_by: 'alice' },
  ]);
});
