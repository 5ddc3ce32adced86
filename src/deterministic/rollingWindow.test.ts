import assert from 'node:assert/strict';
import { test } from 'node:test';
import { idealDurationMs, maxInAnyWindow, nextSlotMs, scheduleSlots, steadyRateDurationMs, tokenBucketSchedule } from './rollingWindow';

const perMinute100 = { limit: 100, windowMs: 60_000 };

test('the broker schedule bursts the quota, then waits exactly one window (+ margin)', () => {
  const slots = scheduleSlots(160, 0, { ...perMinute100, marginMs: 500 });
  assert.equal(slots.filter((s) => s === 0).length, 100);
  assert.deepEqual([...new Set(slots.slice(100))], [60_500]);
  assert.equal(maxInAnyWindow(slots, 60_000), 100);
});

test('the schedule holds any rolling window for staggered arrivals and a small scaled window', () => {
  const w = { limit: 5, windowMs: 1000 };
  const slots: number[] = [];
  for (let now = 0; now < 5000; now += 37) slots.push(nextSlotMs(slots, now, w));
  assert.ok(maxInAnyWindow(slots, 1000) <= 5);
  assert.ok(slots.every((s, i) => i === 0 || s >= 0));
  // Never earlier than asked.
  assert.ok(slots.every((s, i) => s >= i * 37));
});

test('a classic token bucket (capacity = refill = limit) lets up to 2× the limit through one window', () => {
  const times = tokenBucketSchedule(200, 100, 100, 60_000);
  assert.equal(times.filter((t) => t < 60_000).length, 199);
  assert.ok(maxInAnyWindow(times, 60_000) > 150, 'the burst plus a minute of refill exceeds the rolling limit');
  // Holding the rolling limit with a bucket needs capacity + refill ≤ limit, e.g. 10 + 90/min.
  assert.ok(maxInAnyWindow(tokenBucketSchedule(200, 10, 90, 60_000), 60_000) <= 100);
});

test('maxInAnyWindow uses (t - window, t]: a request exactly one window later is a new window', () => {
  assert.equal(maxInAnyWindow([0, 1000], 1000), 1);
  assert.equal(maxInAnyWindow([0, 999], 1000), 2);
  assert.equal(maxInAnyWindow([], 1000), 0);
});

test('ideal duration: 160 calls at 100/min take 60 s with bursts, 96 s at a steady rate', () => {
  assert.equal(idealDurationMs(160, perMinute100), 60_000);
  assert.equal(idealDurationMs(100, perMinute100), 0);
  assert.equal(idealDurationMs(201, perMinute100), 120_000);
  assert.equal(idealDurationMs(0, perMinute100), 0);
  assert.equal(steadyRateDurationMs(160, perMinute100), 96_000);
});
