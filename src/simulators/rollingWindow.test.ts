import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createRollingWindow, maxInAnyWindow } from './rollingWindow';

test('admits up to the limit per rolling window, then reports when a slot frees', () => {
  const window = createRollingWindow();
  assert.deepEqual(window.tryAdmit(0, 2, 1000), { admitted: true });
  assert.deepEqual(window.tryAdmit(400, 2, 1000), { admitted: true });
  // The oldest (t=0) leaves the window at t=1000: 500 ms from t=500.
  assert.deepEqual(window.tryAdmit(500, 2, 1000), { admitted: false, retryAfterMs: 500, retryAfterSeconds: 1 });
  // Rejections are not recorded, so at t=1000 exactly one slot is free.
  assert.deepEqual(window.tryAdmit(1000, 2, 1000), { admitted: true });
  assert.equal(window.tryAdmit(1001, 2, 1000).admitted, false);
  assert.equal(window.countAt(1001, 1000), 2);
});

test('Retry-After seconds round up and are never below 1', () => {
  const window = createRollingWindow();
  window.tryAdmit(0, 1, 60_000);
  const result = window.tryAdmit(100, 1, 60_000);
  assert.deepEqual(result, { admitted: false, retryAfterMs: 59_900, retryAfterSeconds: 60 });
});

test('maxInAnyWindow uses the same (t - window, t] convention as the limiter', () => {
  assert.equal(maxInAnyWindow([], 1000), 0);
  assert.equal(maxInAnyWindow([0, 999], 1000), 2);
  assert.equal(maxInAnyWindow([0, 1000], 1000), 1);
  assert.equal(maxInAnyWindow([5, 0, 300, 1200, 1250, 1299], 1000), 4);
});
