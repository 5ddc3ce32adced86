import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createSeededRandom } from './seededRandom';

function take(next: () => number, n: number): number[] {
  return Array.from({ length: n }, () => next());
}

test('same seed yields the same sequence', () => {
  assert.deepEqual(take(createSeededRandom(42), 100), take(createSeededRandom(42), 100));
});

test('different seeds yield different sequences', () => {
  const a = take(createSeededRandom(1), 20);
  const b = take(createSeededRandom(2), 20);
  assert.notDeepEqual(a, b);
  // Not just a shifted copy: most positions differ.
  const differing = a.filter((value, i) => value !== b[i]).length;
  assert.ok(differing >= 19, `only ${differing} of 20 values differ`);
});

test('values are in [0, 1) and reasonably spread', () => {
  const values = take(createSeededRandom(12345), 10_000);
  for (const value of values) {
    assert.ok(value >= 0 && value < 1, `out of range: ${value}`);
  }
  const mean = values.reduce((sum, v) => sum + v, 0) / values.length;
  assert.ok(Math.abs(mean - 0.5) < 0.02, `mean ${mean} is far from 0.5`);
  assert.ok(new Set(values).size > 9_900, 'too many repeated values');
});

test('seed 0 and non-finite seeds still produce valid numbers', () => {
  for (const seed of [0, Number.NaN, Number.POSITIVE_INFINITY, -7]) {
    const next = createSeededRandom(seed);
    const value = next();
    assert.ok(value >= 0 && value < 1, `seed ${seed} gave ${value}`);
  }
});
