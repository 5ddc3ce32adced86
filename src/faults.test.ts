import assert from 'node:assert/strict';
import { test } from 'node:test';
import { InjectedFault, armFault, faultHits, faultPoint } from './faults';

test('an unarmed point does nothing but count', () => {
  faultPoint('t.unarmed');
  assert.equal(faultHits('t.unarmed'), 1);
});

test('an armed point throws the named fault the given number of times, then disarms', () => {
  armFault('t.throw', 'throw', 2);
  assert.throws(() => faultPoint('t.throw'), (e: unknown) => e instanceof InjectedFault && e.point === 't.throw');
  assert.throws(() => faultPoint('t.throw'), InjectedFault);
  assert.doesNotThrow(() => faultPoint('t.throw'));
});
