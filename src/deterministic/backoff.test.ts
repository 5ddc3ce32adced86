import assert from 'node:assert/strict';
import { test } from 'node:test';
import { backoffCeilingMs, fullJitterDelayMs, parseRetryAfterMs, retryAfterDelayMs } from './backoff';
import { createSeededRandom } from './seededRandom';

test('the backoff ceiling doubles per attempt and stops at the cap', () => {
  const o = { baseMs: 100, capMs: 1000 };
  assert.deepEqual([1, 2, 3, 4, 5, 6].map((a) => backoffCeilingMs(a, o)), [100, 200, 400, 800, 1000, 1000]);
  assert.equal(backoffCeilingMs(0, o), 100);
  assert.equal(backoffCeilingMs(1e9, o), 1000);
});

test('full jitter stays in [0, ceiling) and spreads many callers over the whole interval', () => {
  const o = { baseMs: 1000, capMs: 10_000 };
  const random = createSeededRandom(7);
  const delays = Array.from({ length: 1000 }, () => fullJitterDelayMs(4, random, o));
  assert.ok(delays.every((d) => d >= 0 && d < 8000));
  // Spread: every tenth of the interval gets some callers, none gets a synchronized crowd.
  const buckets = new Array<number>(10).fill(0);
  for (const d of delays) buckets[Math.floor(d / 800)]! += 1;
  assert.ok(Math.min(...buckets) > 60 && Math.max(...buckets) < 140, `buckets ${buckets.join(',')}`);
  assert.equal(fullJitterDelayMs(3, () => 1, o), 3999, 'random() = 1 must not reach the ceiling');
  assert.equal(fullJitterDelayMs(3, () => Number.NaN, o), 0);
});

test('a 429 delay never comes before Retry-After and adds jitter on top', () => {
  const o = { baseMs: 200, capMs: 5000 };
  const random = createSeededRandom(3);
  const delays = Array.from({ length: 200 }, () => retryAfterDelayMs(7000, 2, random, o));
  assert.ok(delays.every((d) => d >= 7000 && d < 7400));
  assert.ok(new Set(delays).size > 100, 'callers with the same Retry-After get different delays');
});

test('Retry-After parses delta-seconds and HTTP dates; garbage is undefined', () => {
  const now = Date.parse('2026-01-01T00:00:00Z');
  assert.equal(parseRetryAfterMs('12', now), 12_000);
  assert.equal(parseRetryAfterMs(' 0 ', now), 0);
  assert.equal(parseRetryAfterMs('Thu, 01 Jan 2026 00:00:30 GMT', now), 30_000);
  assert.equal(parseRetryAfterMs('Wed, 31 Dec 2025 23:00:00 GMT', now), 0);
  assert.equal(parseRetryAfterMs('soon', now), undefined);
  assert.equal(parseRetryAfterMs('-3', now), undefined);
  assert.equal(parseRetryAfterMs(null, now), undefined);
});
