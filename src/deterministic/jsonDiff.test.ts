import assert from 'node:assert/strict';
import { test } from 'node:test';
import { jsonDiff } from './jsonDiff';

test('lists changed, added and removed paths only', () => {
  assert.deepEqual(jsonDiff({ a: 1, b: { c: 2, d: 3 }, e: 'x' }, { a: 1, b: { c: 5 }, f: true }), [
    { path: '/b/c', before: 2, after: 5 },
    { path: '/b/d', before: 3 },
    { path: '/e', before: 'x' },
    { path: '/f', after: true },
  ]);
});

test('identical values have no diff; arrays compare whole', () => {
  assert.deepEqual(jsonDiff({ a: [1, 2] }, { a: [1, 2] }), []);
  assert.deepEqual(jsonDiff({ a: [1, 2] }, { a: [2, 1] }), [{ path: '/a', before: [1, 2], after: [2, 1] }]);
  assert.deepEqual(jsonDiff(undefined, { n: 1 }), [{ path: '/n', after: 1 }]);
});
