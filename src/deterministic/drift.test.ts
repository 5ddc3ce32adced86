import assert from 'node:assert/strict';
import { test } from 'node:test';
import { checkDrift, countValues, jensenShannon, populationStability } from './drift';

const close = (actual: number, expected: number, eps = 1e-4) => assert.ok(Math.abs(actual - expected) < eps, `${actual} ≉ ${expected}`);

test('JSD: identical distributions are 0, disjoint ones are 1 (base 2), and it is symmetric', () => {
  assert.equal(jensenShannon({ a: 1, b: 3 }, { a: 2, b: 6 }), 0);
  assert.equal(jensenShannon({ a: 5 }, { b: 7 }), 1);
  close(jensenShannon({ a: 1, b: 2, c: 7 }, { a: 3, b: 3, c: 4 }), jensenShannon({ a: 3, b: 3, c: 4 }, { a: 1, b: 2, c: 7 }), 1e-12);
});

test('JSD of (1, 0) vs (½, ½) is ½·log2(4/3) + ¼·log2(2/3) + ¼ ≈ 0.311278', () => {
  const expected = 0.5 * Math.log2(4 / 3) + 0.25 * Math.log2(2 / 3) + 0.25;
  close(jensenShannon({ x: 1, y: 0 }, { x: 1, y: 1 }), expected, 1e-12);
  close(expected, 0.311278);
});

test('PSI of (½, ½) against (¼, ¾) is ¼·ln 2 + ¼·ln(3/2) ≈ 0.274653', () => {
  close(populationStability({ x: 1, y: 3 }, { x: 1, y: 1 }), 0.25 * Math.log(2) + 0.25 * Math.log(1.5), 1e-12);
  close(populationStability({ x: 1, y: 3 }, { x: 1, y: 1 }), 0.274653);
  assert.equal(populationStability({ x: 2, y: 2 }, { x: 5, y: 5 }), 0);
});

test('PSI smooths an empty category with epsilon instead of going infinite', () => {
  const psi = populationStability({ a: 1 }, { a: 1, b: 1 }, 1e-4);
  // a: (0.5 − 1)·ln(0.5) ; b: (0.5 − 1e-4)·ln(0.5 / 1e-4)
  close(psi, -0.5 * Math.log(0.5) + (0.5 - 1e-4) * Math.log(0.5 / 1e-4), 1e-9);
  assert.ok(Number.isFinite(psi));
});

test('countValues ignores empty values; invalid weights and empty distributions are errors', () => {
  assert.deepEqual(countValues(['a', 'b', 'a', null, '', '  ', undefined]), { a: 2, b: 1 });
  assert.throws(() => jensenShannon({ a: -1 }, { a: 1 }), RangeError);
  assert.throws(() => jensenShannon({}, { a: 1 }), RangeError);
});

test('the catalog incident: 9 inferred categories, 3 of them nonsense, drift far above a sane threshold', () => {
  const reference = { Kitchen: 7, Garden: 7, Office: 7 };
  const sensible = checkDrift({ field: 'category', reference, observed: { Kitchen: 3, Garden: 3, Office: 3 }, threshold: 0.1 });
  assert.equal(sensible.value, 0);
  assert.equal(sensible.drifted, false);
  const nonsense = checkDrift({ field: 'category', reference, observed: { Kitchen: 2, Garden: 2, Office: 2, Automotive: 1, 'Perishable Food': 1, Software: 1 }, threshold: 0.1 });
  // P = (⅓,⅓,⅓,0,0,0), Q = (2/9 ×3, 1/9 ×3): JSD = ½[log2(6/5)] + ½[⅔·log2(4/5) + ⅓] ≈ 0.190875
  close(nonsense.value, 0.5 * Math.log2(6 / 5) + 0.5 * ((2 / 3) * Math.log2(4 / 5) + 1 / 3));
  assert.equal(nonsense.drifted, true);
  assert.deepEqual(nonsense.newCategories, ['Automotive', 'Perishable Food', 'Software']);
  assert.equal(checkDrift({ field: 'category', reference, observed: { Kitchen: 2, Automotive: 1 }, measure: 'psi', threshold: 0.25 }).drifted, true);
});
