/** Circuit breakers on a real Postgres: open at 2 consecutive failures, reset on success, cleared by a named person. */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, test } from 'node:test';
import { loadConfig } from '../config';
import { ensureStack } from '../devstack/stack';
import { createCircuitBreakerStore, isBreakerNotFoundError } from './circuitBreakers';
import { createPool, type Db } from './db';
import { migrate } from './migrate';

let db: Db;
const schema = `t_${randomBytes(6).toString('hex')}`;
before(async () => {
  const url = process.env.DATABASE_URL ?? loadConfig({}).database.url ?? (await ensureStack()).postgres.url;
  db = createPool({ url, schema }, { max: 5 });
  await migrate(db, schema);
});
after(async () => {
  await db.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
  await db.end();
});

const failure = (error: string, at: string) => ({ error, at, attempt: 1, input: { recordId: 'R1' } });

test('opens at the second consecutive failure, keeping the first failure and the latest', async () => {
  const b = createCircuitBreakerStore(db);
  assert.equal((await b.get('p1', 's')).state, 'closed', 'a step that never failed is closed');
  const one = await b.recordFailure('p1', 's', failure('HTTP 503 first', '2025-01-01T00:00:00.000Z'), 'wf-1');
  assert.deepEqual([one.opened, one.breaker.state, one.breaker.consecutiveFailures], [false, 'closed', 1]);
  const two = await b.recordFailure('p1', 's', failure('timeout second', '2025-01-01T00:00:05.000Z'), 'wf-2');
  assert.deepEqual([two.opened, two.breaker.state, two.breaker.consecutiveFailures], [true, 'open', 2]);
  assert.equal(two.breaker.firstFailure?.error, 'HTTP 503 first');
  assert.equal(two.breaker.latestFailure?.error, 'timeout second');
  assert.ok(two.breaker.openedAt);
  const three = await b.recordFailure('p1', 's', failure('third', '2025-01-01T00:00:09.000Z'));
  assert.equal(three.opened, false, 'only the failure that opened it says so');
  assert.equal(three.breaker.firstFailure?.error, 'HTTP 503 first');
  await assert.rejects(() => b.assertClosed('p1', 's'), (e: Error & { code?: string }) => e.code === 'BW_BREAKER_OPEN');
  assert.equal((await b.get('p1', 'other')).state, 'closed', 'breakers are per pipeline + step');
});

test('a success resets the count of a closed breaker, so failures must be consecutive; an open breaker stays open', async () => {
  const b = createCircuitBreakerStore(db);
  await b.recordFailure('p2', 's', failure('one', '2025-01-01T00:00:00.000Z'));
  await b.recordSuccess('p2', 's');
  const after = await b.recordFailure('p2', 's', failure('two', '2025-01-01T00:01:00.000Z'));
  assert.deepEqual([after.breaker.state, after.breaker.consecutiveFailures, after.breaker.firstFailure?.error], ['closed', 1, 'two']);
  await b.recordFailure('p2', 's', failure('three', '2025-01-01T00:02:00.000Z'));
  await b.recordSuccess('p2', 's'); // an attempt that started before it opened
  assert.equal((await b.get('p2', 's')).state, 'open');
  const kinds = (await b.events('p2', 's')).map((e) => e.kind).reverse();
  assert.deepEqual(kinds, ['failure', 'reset', 'failure', 'failure', 'opened', 'success']);
});

test('clearing records who, when and why (row, events, audit log); an unknown breaker is a clear error', async () => {
  const b = createCircuitBreakerStore(db);
  await b.recordFailure('p3', 's', failure('a', '2025-01-01T00:00:00.000Z'));
  await b.recordFailure('p3', 's', failure('b', '2025-01-01T00:00:01.000Z'));
  const cleared = await b.clear({ pipeline: 'p3', step: 's', by: 'aj', reason: 'VPN back up' });
  assert.equal(cleared.wasOpen, true);
  assert.deepEqual([cleared.breaker.state, cleared.breaker.consecutiveFailures, cleared.breaker.clearedBy, cleared.breaker.clearReason], ['closed', 0, 'aj', 'VPN back up']);
  assert.ok(Date.now() - Date.parse(cleared.breaker.clearedAt!) < 60_000);
  const [last] = await b.events('p3', 's', 1);
  assert.equal(last?.kind, 'cleared');
  assert.equal(last?.actor, 'aj');
  assert.equal((last?.detail as { firstFailure: { error: string } }).firstFailure.error, 'a', 'the cleared episode keeps its first failure');
  const { rows } = await db.query('SELECT actor, action, target FROM audit_log WHERE action = $1', ['breaker.clear']);
  assert.deepEqual(rows, [{ actor: 'aj', action: 'breaker.clear', target: 'breaker:p3/s' }]);
  await assert.rejects(() => b.clear({ pipeline: 'nope', step: 's', by: 'aj' }), isBreakerNotFoundError);
});
