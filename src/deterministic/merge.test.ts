import assert from 'node:assert/strict';
import { test } from 'node:test';
import { mergeByIdContract, type SourceBatch } from './merge';

const batches: SourceBatch[] = [
  { source: 'b', records: [{ id: '2', fields: { name: 'Mixer', price: 10 } }, { id: '3', fields: { name: 'Lamp' } }] },
  { source: 'a', records: [{ id: '1', fields: { name: 'Kettle' } }, { id: '2', fields: { name: 'Mixer', price: 12 } }] },
  { source: 'c', records: [{ id: '3', fields: { name: 'Lamp', colour: 'red' } }] },
];

test('the union of all records, one per id, agreed fields kept with their sources', () => {
  const m = mergeByIdContract(batches);
  assert.deepEqual(m.records.map((r) => r.id), ['1', '2', '3']);
  assert.deepEqual(m.records[2], { id: '3', fields: { colour: 'red', name: 'Lamp' }, sources: ['b', 'c'] });
  assert.equal(m.duplicates, 2);
  assert.equal(m.recordsIn, 5);
});

test('a conflicting value is surfaced with every source value and not written to the record', () => {
  const m = mergeByIdContract(batches);
  assert.deepEqual(m.conflicts, [{ id: '2', field: 'price', values: [{ source: 'a', value: 12 }, { source: 'b', value: 10 }] }]);
  assert.deepEqual(m.records[1]!.fields, { name: 'Mixer' });
});

test('the result does not depend on the order the sources finished in', () => {
  assert.deepEqual(mergeByIdContract([...batches].reverse()), mergeByIdContract(batches));
});

test('a duplicate id within one source is folded too, and a disagreement there is a conflict', () => {
  const m = mergeByIdContract([{ source: 'a', records: [{ id: 'x', fields: { v: 1 } }, { id: 'x', fields: { v: 2 } }] }]);
  assert.equal(m.records.length, 1);
  assert.equal(m.duplicates, 1);
  assert.deepEqual(m.conflicts[0]!.values, [{ source: 'a', value: 1 }, { source: 'a', value: 2 }]);
});
