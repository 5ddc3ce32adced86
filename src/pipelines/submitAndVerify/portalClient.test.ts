/** The portal client against the real simulator over HTTP: what each answer means for a submission. */
import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, beforeEach, test } from 'node:test';
import { startPortalSimulator, type PortalSimulator } from '../../simulators/portal';
import { effectFailure as portalFailure, isEffectError as isPortalError, type EffectError as PortalError } from '../../activities/effects';
import { createPortalClient, parseRetryAfter } from './portalClient';

let portal: PortalSimulator;
before(async () => {
  portal = await startPortalSimulator({ lagMs: 0 });
});
after(() => portal.close());
beforeEach(() => {
  portal.reset();
  portal.configure({ lagMs: 0, mode: 'normal', rateLimitPerMinute: null, errorRate: 0 });
});

const req = { recordId: 'R-1', entityId: 'E-1', payload: { amount: 1 } };
const failureOf = async (p: Promise<unknown>): Promise<PortalError> => {
  try {
    await p;
  } catch (e) {
    if (isPortalError(e)) return e;
    throw e;
  }
  throw new Error('expected a PortalError');
};

test('submit returns the validated acceptance; find lists it once visible', async () => {
  const client = createPortalClient({ baseUrl: portal.url });
  const accepted = await client.submit(req);
  assert.match(accepted.confirmation, /^PRT-/);
  const found = await client.find('R-1');
  assert.deepEqual(found.map((r) => r.confirmation), [accepted.confirmation]);
});

test('429: rate-limited, retried after Retry-After plus at most 20 % jitter', async () => {
  portal.configure({ rateLimitPerMinute: 1 });
  const client = createPortalClient({ baseUrl: portal.url });
  await client.submit(req);
  const e = await failureOf(client.submit(req));
  assert.equal(e.kind, 'rate-limited');
  assert.ok(e.retryAfterMs && e.retryAfterMs > 0 && e.retryAfterMs <= 60_000, String(e.retryAfterMs));
  const f = portalFailure(e, () => 0.5);
  assert.equal(f.nonRetryable, false);
  assert.equal(f.type, 'BW_EFFECT_RATE_LIMITED');
  assert.equal(f.nextRetryDelay, Math.round(e.retryAfterMs! * 1.1));
  assert.equal(portal.stats().persisted, 1, 'the limited POST persisted nothing');
});

test('5xx: unavailable and retryable; 4xx: rejected and not retryable', async () => {
  portal.configure({ mode: 'failing' });
  const client = createPortalClient({ baseUrl: portal.url });
  const down = await failureOf(client.submit(req));
  assert.deepEqual([down.kind, down.status, portalFailure(down).nonRetryable], ['unavailable', 503, false]);
  portal.configure({ mode: 'normal' });
  const bad = await failureOf(client.submit({ recordId: '', entityId: 'E', payload: {} }));
  assert.deepEqual([bad.kind, bad.status, portalFailure(bad).nonRetryable, portalFailure(bad).type], ['rejected', 400, true, 'BW_EFFECT_REJECTED']);
});

test('a dropped connection after the portal persisted the POST is an unknown outcome, not a failure', async () => {
  portal.configure({ mode: 'response-lost' });
  const client = createPortalClient({ baseUrl: portal.url });
  const e = await failureOf(client.submit(req));
  assert.equal(e.kind, 'unknown-outcome');
  assert.equal(portal.stats().persisted, 1);
  assert.equal(portalFailure(e).type, 'BW_EFFECT_OUTCOME_UNKNOWN');
});

test('answers that break the contract are rejected by validation, with the reason', async (t) => {
  const server = http.createServer((rq, rs) => {
    rs.writeHead(rq.method === 'POST' ? 201 : 200, { 'content-type': 'application/json' });
    rs.end(rq.method === 'POST' ? '{"ok":true}' : '{"results":[{"recordId":"R-1"}]}');
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  t.after(() => new Promise<void>((r) => server.close(() => r())));
  const client = createPortalClient({ baseUrl: `http://127.0.0.1:${(server.address() as AddressInfo).port}` });
  const post = await failureOf(client.submit(req));
  assert.equal(post.kind, 'unknown-outcome', 'a 201 without a confirmation: accepted or not, nobody knows');
  const get = await failureOf(client.find('R-1'));
  assert.equal(get.kind, 'bad-response');
  assert.match(get.message, /confirmation/);
});

test('Retry-After in seconds or as an HTTP date', () => {
  assert.equal(parseRetryAfter('12'), 12_000);
  assert.equal(parseRetryAfter(new Date(10_000 + 5_000).toUTCString(), 10_000), 5_000);
  assert.equal(parseRetryAfter(null), undefined);
  assert.equal(parseRetryAfter('soon'), undefined);
});
