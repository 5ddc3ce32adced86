import assert from 'node:assert/strict';
import { test } from 'node:test';
import { nextPollWait, pollDelay, pollSchedule } from './pollBackoff';

const spec = { initial: 5_000, factor: 2, max: 60_000 };

test('waits grow exponentially and are capped', () => {
  assert.deepEqual([0, 1, 2, 3, 4, 5].map((a) => pollDelay(a, spec)), [5_000, 10_000, 20_000, 40_000, 60_000, 60_000]);
});

test('the wait is clipped to the deadline, and there is none once it has passed', () => {
  assert.equal(nextPollWait(3, spec, 7_000), 7_000);
  assert.equal(nextPollWait(0, spec, 0), undefined);
  assert.equal(nextPollWait(0, spec, -5), undefined);
});

test('a 9-minute budget (10 min deadline after a 60 s delay) ends with a look exactly at the deadline', () => {
  const offsets = pollSchedule(spec, 540_000);
  assert.deepEqual(offsets.slice(0, 6), [0, 5_000, 15_000, 35_000, 75_000, 135_000]);
  assert.equal(offsets.at(-1), 540_000);
  assert.ok(offsets.every((t, i) => i === 0 || t > offsets[i - 1]!), 'strictly increasing');
});

test('factor 1 polls at a constant interval', () => {
  assert.deepEqual(pollSchedule({ initial: 100, factor: 1, max: 100 }, 350), [0, 100, 200, 300, 350]);
});
