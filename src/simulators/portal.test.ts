import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { setTimeout as delay } from 'node:timers/promises';
import { startPortalSimulator, type PortalSimulatorOptions } from './portal';

async function start(t: TestContext, options: PortalSimulatorOptions = {}) {
  const portal = await startPortalSimulator(options);
  t.after(() => portal.close());
  return portal;
}

function post(url: string, body: unknown): Promise<Response> {
  return fetch(`${url}/submissions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
}

async function listFor(url: string, recordId: string): Promise<{ results: Array<Record<string, string>> }> {
  const res = await fetch(`${url}/submissions?recordId=${encodeURIComponent(recordId)}`);
  assert.equal(res.status, 200);
  return (await res.json()) as { results: Array<Record<string, string>> };
}

const submission = { recordId: 'rec-1', entityId: 'ent-1', payload: { amount: 12 } };

test('binds to 127.0.0.1 on an ephemeral port by default', async (t) => {
  const portal = await start(t);
  assert.match(portal.url, /^http:\/\/127\.0\.0\.1:\d+$/);
  assert.notEqual(new URL(portal.url).port, '0');
});

test('a submission is hidden from GET until the processing lag has elapsed', async (t) => {
  const portal = await start(t, { lagMs: 300 });
  const res = await post(portal.url, submission);
  assert.equal(res.status, 201);
  const created = (await res.json()) as { confirmation: string; receivedAt: string };
  assert.equal(typeof created.confirmation, 'string');
  assert.ok(!Number.isNaN(Date.parse(created.receivedAt)), 'receivedAt is an ISO date');

  assert.deepEqual((await listFor(portal.url, 'rec-1')).results, []);
  // The admin view sees it already, flagged as not yet visible.
  const admin = (await (await fetch(`${portal.url}/_admin/submissions`)).json()) as {
    submissions: Array<{ visible: boolean; payload: unknown }>;
  };
  assert.equal(admin.submissions.length, 1);
  assert.equal(admin.submissions[0]?.visible, false);
  assert.deepEqual(admin.submissions[0]?.payload, { amount: 12 });

  await delay(350);
  const { results } = await listFor(portal.url, 'rec-1');
  assert.deepEqual(results, [
    { recordId: 'rec-1', entityId: 'ent-1', confirmation: created.confirmation, receivedAt: created.receivedAt },
  ]);
  assert.deepEqual((await listFor(portal.url, 'other')).results, []);
});

test('does not deduplicate: two POSTs create two submissions', async (t) => {
  const portal = await start(t, { lagMs: 0 });
  const first = (await (await post(portal.url, submission)).json()) as { confirmation: string };
  const second = (await (await post(portal.url, submission)).json()) as { confirmation: string };
  assert.notEqual(first.confirmation, second.confirmation);
  const { results } = await listFor(portal.url, 'rec-1');
  assert.deepEqual(
    results.map((r) => r.confirmation),
    [first.confirmation, second.confirmation],
  );
  assert.equal(portal.submissions().length, 2);
  assert.equal(portal.stats().postAttempts, 2);
});

test('response-lost persists the submission but the client gets a socket error', async (t) => {
  const portal = await start(t, { lagMs: 0, mode: 'response-lost' });
  await assert.rejects(post(portal.url, submission), (err: Error) => {
    // undici reports "fetch failed" with the socket error as the cause.
    assert.equal(err.name, 'TypeError');
    assert.ok(err.cause, 'a socket-level cause is attached');
    return true;
  });
  assert.equal(portal.submissions().length, 1);
  assert.equal((await listFor(portal.url, 'rec-1')).results.length, 1);
  const entry = portal.log().find((e) => e.method === 'POST');
  assert.equal(entry?.outcome, 'response-lost');
  assert.equal(entry?.status, null);
  assert.equal(portal.stats().responsesLost, 1);
});

test('silently-lost answers 201 with a confirmation but never persists', async (t) => {
  const portal = await start(t, { lagMs: 0, mode: 'silently-lost' });
  const res = await post(portal.url, submission);
  assert.equal(res.status, 201);
  const body = (await res.json()) as { confirmation: string };
  assert.ok(body.confirmation.length > 0);
  assert.deepEqual((await listFor(portal.url, 'rec-1')).results, []);
  assert.deepEqual(portal.submissions(), []);
  assert.equal(portal.stats().silentlyLost, 1);
});

test('failing mode answers every POST with 503 and a JSON error, GET still works', async (t) => {
  const portal = await start(t, { lagMs: 0, mode: 'failing' });
  for (let i = 0; i < 3; i += 1) {
    const res = await post(portal.url, submission);
    assert.equal(res.status, 503);
    const body = (await res.json()) as { error: string; message: string };
    assert.equal(body.error, 'service_unavailable');
  }
  assert.deepEqual((await listFor(portal.url, 'rec-1')).results, []);
  assert.equal(portal.submissions().length, 0);
});

test('over the rate limit answers 429 with Retry-After in whole seconds', async (t) => {
  const portal = await start(t, { lagMs: 0, rateLimitPerMinute: 2 });
  assert.equal((await post(portal.url, submission)).status, 201);
  assert.equal((await listFor(portal.url, 'rec-1')).results.length, 1);
  const limited = await post(portal.url, submission);
  assert.equal(limited.status, 429);
  const retryAfter = limited.headers.get('retry-after');
  assert.match(retryAfter ?? '', /^\d+$/);
  assert.ok(Number(retryAfter) >= 1 && Number(retryAfter) <= 60, `retry-after ${retryAfter}`);
  assert.equal(((await limited.json()) as { error: string }).error, 'rate_limited');
  // Rejected requests are not persisted and are logged as rate-limited.
  assert.equal(portal.submissions().length, 1);
  assert.equal(portal.log().at(-1)?.outcome, 'rate-limited');
  assert.equal(portal.stats().rateLimited, 1);
});

test('POST /_admin/config switches the mode live', async (t) => {
  const portal = await start(t, { lagMs: 0 });
  const configure = (patch: unknown) =>
    fetch(`${portal.url}/_admin/config`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(patch),
    });

  assert.equal((await post(portal.url, submission)).status, 201);
  const switched = await configure({ mode: 'failing' });
  assert.equal(switched.status, 200);
  assert.equal(((await switched.json()) as { config: { mode: string } }).config.mode, 'failing');
  assert.equal((await post(portal.url, submission)).status, 503);
  assert.equal((await configure({ mode: 'normal' })).status, 200);
  assert.equal((await post(portal.url, submission)).status, 201);
  assert.equal(portal.submissions().length, 2);

  // Invalid patches are rejected without changing anything.
  const bad = await configure({ mode: 'sideways', errorRate: 3 });
  assert.equal(bad.status, 400);
  assert.equal(portal.config().mode, 'normal');
  assert.equal((await configure({ unknownOption: 1 })).status, 400);
});

test('malformed bodies get a 400 JSON error and never crash the server', async (t) => {
  const portal = await start(t, { lagMs: 0 });
  for (const body of ['{not json', '', JSON.stringify({ recordId: 'r' }), JSON.stringify([1, 2])]) {
    const res = await post(portal.url, body);
    assert.equal(res.status, 400, `body ${body}`);
    const json = (await res.json()) as { error: string; message: string };
    assert.equal(json.error, 'bad_request');
    assert.ok(json.message.length > 0);
  }
  const missingQuery = await fetch(`${portal.url}/submissions`);
  assert.equal(missingQuery.status, 400);
  assert.equal((await post(portal.url, submission)).status, 201);
  assert.equal(portal.stats().badRequests, 5);
});

test('errorRate draws from the seeded RNG: same seed, same failures', async (t) => {
  async function statuses(seed: number): Promise<number[]> {
    const portal = await start(t, { lagMs: 0, errorRate: 0.5, seed });
    const out: number[] = [];
    for (let i = 0; i < 12; i += 1) {
      const res = await post(portal.url, { ...submission, recordId: `rec-${i}` });
      out.push(res.status);
      if (res.status >= 500) {
        assert.equal(((await res.json()) as { error: string }).error, 'internal_error');
      } else {
        await res.body?.cancel();
      }
    }
    return out;
  }
  const first = await statuses(7);
  assert.deepEqual(await statuses(7), first);
  assert.ok(first.includes(500) && first.includes(201), `expected a mix, got ${first}`);
});

test('latencyMs delays responses', async (t) => {
  const portal = await start(t, { lagMs: 0, latencyMs: 200 });
  const startedAt = Date.now();
  assert.equal((await post(portal.url, submission)).status, 201);
  assert.ok(Date.now() - startedAt >= 190, 'response arrived too early');
});

test('GET /_admin/log and /_admin/submissions report requests and counters', async (t) => {
  const portal = await start(t, { lagMs: 60_000 });
  await post(portal.url, submission);
  await listFor(portal.url, 'rec-1');
  const log = (await (await fetch(`${portal.url}/_admin/log`)).json()) as {
    entries: Array<{ method: string; path: string; status: number; outcome: string; time: string }>;
  };
  assert.deepEqual(
    log.entries.map((e) => [e.method, e.path, e.status, e.outcome]),
    [
      ['POST', '/submissions', 201, 'created'],
      ['GET', '/submissions?recordId=rec-1', 200, 'listed'],
    ],
  );
  assert.ok(log.entries.every((e) => !Number.isNaN(Date.parse(e.time))));
  const admin = (await (await fetch(`${portal.url}/_admin/submissions`)).json()) as {
    submissions: unknown[];
    stats: { postAttempts: number; getRequests: number };
  };
  assert.equal(admin.submissions.length, 1);
  assert.equal(admin.stats.postAttempts, 1);
  assert.equal(admin.stats.getRequests, 1);

  assert.equal((await fetch(`${portal.url}/_admin/reset`, { method: 'POST' })).status, 200);
  assert.deepEqual(portal.submissions(), []);
  assert.deepEqual(portal.log(), []);
});
