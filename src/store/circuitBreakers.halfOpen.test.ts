/**
 * The opt-in half-open probe on a real Postgres: after the cool-down exactly one caller (an atomic claim
 * under a lease) probes; its success closes the breaker in the name of `half-open-probe`, its failure
 * re-opens it with a fresh cool-down; a lapsed lease lets another caller probe. Without the opt-in nothing
 * closes an open breaker but a person.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { setTimeout as delay } from 'node:timers/promises';
import { after, before, test } from 'node:test';
import { loadConfig } from '../config';
import { ensureStack } from '../devstack/stack';
import { createCircuitBreakerStore, HALF_OPEN_PROBE_ACTOR } from './circuitBreakers';
import { createPool, type Db } from './db';
import { migrate } from './migrate';

let db: Db;
const schema = `t_${randomBytes(6).toString('hex')}`;
before(async () => {
  const url = process.env.DATABASE_URL ?? loadConfig({}).database.url ?? (await ensureStack()).postgres.url;
  db = createPool({ url, schema }, { max: 8 });
  await migrate(db, schema);
});
after(async () => {
  await db.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
  await db.end();
});

const failure = (error: string) => ({ error, at: new Date().toISOString(), attempt: 1, input: { recordId: 'R1' } });
const COOL_DOWN_MS = 400;

/** Opens the breaker of `pipeline`/s with two failures, opted in to a probe after COOL_DOWN_MS. */
async function openOptedIn(pipeline: string) {
  const b = createCircuitBreakerStore(db);
  await b.recordFailure(pipeline, 's', failure('503 one'), 'wf-1', { halfOpenAfterMs: COOL_DOWN_MS });
  const { breaker } = await b.recordFailure(pipeline, 's', failure('503 two'), 'wf-2', { halfOpenAfterMs: COOL_DOWN_MS });
  assert.equal(breaker.state, 'open');
  return { b, opened: breaker };
}
const claim = (b: ReturnType<typeof createCircuitBreakerStore>, pipeline: string, owner: string, leaseMs = 10_000) =>
  b.claimProbe(pipeline, 's', { owner, workflowId: `wf-${owner}`, leaseMs });

test('no probe before the cool-down; after it, of concurrent claims exactly one wins and the breaker is half-open', async () => {
  const { b, opened } = await openOptedIn('h1');
  assert.equal(opened.halfOpenAfterMs, COOL_DOWN_MS);
  assert.equal(opened.probeDue, false);
  assert.equal(Date.parse(opened.probeDueAt!) - Date.parse(opened.openedAt!), COOL_DOWN_MS);
  assert.equal((await claim(b, 'h1', 'early')).won, false, 'nobody probes inside the cool-down');

  await delay(COOL_DOWN_MS + 100);
  assert.equal((await b.get('h1', 's')).probeDue, true, 'waiting runs can see that a probe is due');
  const claims = await Promise.all(['a', 'b', 'c', 'd', 'e'].map((o) => claim(b, 'h1', o)));
  const winners = claims.filter((c) => c.won);
  assert.equal(winners.length, 1, 'one probe across all callers');
  const now = await b.get('h1', 's');
  assert.equal(now.state, 'half-open');
  assert.equal(now.probeDue, false, 'no second probe while one runs under its lease');
  assert.equal(now.probe?.owner, winners[0]!.breaker.probe?.owner);
  for (const loser of claims.filter((c) => !c.won)) assert.equal(loser.breaker.state, 'half-open', 'losers see the probe and stay refused');
  const kinds = (await b.events('h1', 's')).map((e) => e.kind);
  assert.equal(kinds.filter((k) => k === 'probe').length, 1);
});

test("the probe's success closes the breaker, recorded as the half-open probe's doing (row, event, audit)", async () => {
  const { b } = await openOptedIn('h2');
  await delay(COOL_DOWN_MS + 100);
  assert.equal((await claim(b, 'h2', 'p1')).won, true);
  assert.equal(await b.recordProbeSuccess('h2', 's', 'p1', 'wf-p1'), true);
  const closed = await b.get('h2', 's');
  assert.deepEqual([closed.state, closed.consecutiveFailures, closed.clearedBy, closed.probe], ['closed', 0, HALF_OPEN_PROBE_ACTOR, null]);
  assert.match(closed.clearReason ?? '', /probe .*succeeded/);
  const [last] = await b.events('h2', 's', 1);
  assert.deepEqual([last?.kind, last?.actor, last?.workflowId], ['cleared', HALF_OPEN_PROBE_ACTOR, 'wf-p1']);
  assert.equal((last?.detail as { via: string; firstFailure: { error: string } }).via, 'half-open-probe');
  assert.equal((last?.detail as { firstFailure: { error: string } }).firstFailure.error, '503 one', 'the closed episode keeps its first failure');
  const { rows } = await db.query("SELECT actor, target FROM audit_log WHERE action = 'breaker.clear' AND target = 'breaker:h2/s'");
  assert.deepEqual(rows, [{ actor: HALF_OPEN_PROBE_ACTOR, target: 'breaker:h2/s' }]);
});

test('the probe failing re-opens the breaker with a fresh cool-down (new openedAt), and then a new probe is due', async () => {
  const { b, opened } = await openOptedIn('h3');
  await delay(COOL_DOWN_MS + 100);
  assert.equal((await claim(b, 'h3', 'p1')).won, true);
  const { breaker: reopened } = await b.recordFailure('h3', 's', failure('503 probe'), 'wf-p1', { halfOpenAfterMs: COOL_DOWN_MS });
  assert.equal(reopened.state, 'open');
  assert.ok(Date.parse(reopened.openedAt!) > Date.parse(opened.openedAt!), 'the cool-down starts again');
  assert.equal(reopened.probeDue, false);
  assert.equal(reopened.probe, null);
  assert.equal(reopened.firstFailure?.error, '503 one', 'still the same episode');
  assert.equal((await claim(b, 'h3', 'p2')).won, false, 'inside the fresh cool-down nobody probes');
  assert.equal(await b.recordProbeSuccess('h3', 's', 'p1', 'wf-p1'), false, 'a success of the re-opened probe closes nothing');
  assert.equal((await b.get('h3', 's')).state, 'open');
  await delay(COOL_DOWN_MS + 100);
  assert.equal((await b.get('h3', 's')).probeDue, true);
  assert.equal((await claim(b, 'h3', 'p2')).won, true);
  assert.ok((await b.events('h3', 's')).some((e) => e.kind === 'reopened'));
});

test("a probe whose lease lapsed (its worker crashed) does not block: another caller probes; the lapsed one's word no longer counts", async () => {
  const { b } = await openOptedIn('h4');
  await delay(COOL_DOWN_MS + 100);
  assert.equal((await claim(b, 'h4', 'crashed', 300)).won, true);
  assert.equal((await claim(b, 'h4', 'p2')).won, false, 'inside the lease the probe is still running');
  await delay(400);
  assert.equal((await b.get('h4', 's')).probeDue, true, 'the lapsed lease makes a probe due again');
  const taken = await claim(b, 'h4', 'p2');
  assert.equal(taken.won, true);
  assert.equal(taken.breaker.probe?.owner, 'p2');
  assert.equal(await b.recordProbeSuccess('h4', 's', 'crashed', 'wf-crashed'), false, 'the lapsed probe no longer closes it');
  assert.equal(await b.recordProbeSuccess('h4', 's', 'p2', 'wf-p2'), true);
  assert.equal((await b.get('h4', 's')).state, 'closed');
});

test('a released probe (it never reached the system) leaves the breaker open with the probe due at once', async () => {
  const { b, opened } = await openOptedIn('h5');
  await delay(COOL_DOWN_MS + 100);
  assert.equal((await claim(b, 'h5', 'p1')).won, true);
  await b.releaseProbe('h5', 's', 'p1', 'fingerprint already done');
  const now = await b.get('h5', 's');
  assert.deepEqual([now.state, now.openedAt, now.probeDue], ['open', opened.openedAt, true]);
});

test('without the opt-in an open breaker never admits a probe: only a person closes it', async () => {
  const b = createCircuitBreakerStore(db);
  await b.recordFailure('h6', 's', failure('one'));
  const { breaker } = await b.recordFailure('h6', 's', failure('two'));
  assert.deepEqual([breaker.state, breaker.halfOpenAfterMs, breaker.probeDueAt], ['open', null, null]);
  await delay(COOL_DOWN_MS + 100);
  assert.equal((await b.get('h6', 's')).probeDue, false);
  assert.equal((await claim(b, 'h6', 'p1')).won, false);
  await b.recordSuccess('h6', 's');
  assert.equal((await b.get('h6', 's')).state, 'open', 'a success while open still does not close it');
  assert.ok(!(await b.events('h6', 's')).some((e) => e.kind === 'probe' || e.kind === 'cleared'));
});
