import assert from 'node:assert/strict';
import { test } from 'node:test';
import { reviewValues } from './reviewPolicy';

const policy = { criticalFields: ['category'], minConfidence: 0.8 };
const recordIds = new Set(['p1', 'p2', 'p3']);

test('inferred values on a critical field below θ go to a person; the rest pass', () => {
  const r = reviewValues({ field: 'category', recordIds, policy, values: [{ recordId: 'p1', value: 'Kitchen', confidence: 0.95 }, { recordId: 'p2', value: 'Garden', confidence: 0.55 }] });
  assert.deepEqual(r.problems, []);
  assert.deepEqual(r.needsHuman.map((v) => v.recordId), ['p2']);
});

test('a non-critical field has no confidence rule', () => {
  const r = reviewValues({ field: 'colour', recordIds, policy, values: [{ recordId: 'p1', value: 'red', confidence: 0.1 }] });
  assert.deepEqual(r, { problems: [], needsHuman: [] });
});

test('unknown records, duplicates and values outside the taxonomy are problems (a rejection)', () => {
  const r = reviewValues({
    field: 'category', recordIds, policy, allowed: ['Kitchen', 'Garden'],
    values: [{ recordId: 'p9', value: 'Kitchen', confidence: 1 }, { recordId: 'p1', value: 'Kitchen', confidence: 1 }, { recordId: 'p1', value: 'Garden', confidence: 1 }, { recordId: 'p2', value: 'Automotive', confidence: 1 }],
  });
  assert.deepEqual(r.problems, ["value for unknown record 'p9'", "two values for record 'p1'", "record 'p2': 'Automotive' is not a term of the taxonomy"]);
  assert.deepEqual(r.needsHuman, []);
});
