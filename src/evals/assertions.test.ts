/** The declarative checks of an eval case, and the system prompt override: pure. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { checkAll, checkAssertion, valueAt, MISSING } from './assertions';
import { assertionSchema } from './caseFile';
import { withSystemPrompt } from './runEval';

const answer = { action: 'refund', confidence: 0.7, evidence: ['ORD-1 damaged', 'photo'], order: { id: 'ORD-1' } };
const check = (a: object, got: unknown = answer, baseline: unknown = answer) => checkAssertion(assertionSchema.parse(a), got, baseline);

test('paths: fields, indices, nesting and the root; absent is MISSING, not undefined', () => {
  assert.equal(valueAt(answer, 'evidence[1]'), 'photo');
  assert.equal(valueAt(answer, 'order.id'), 'ORD-1');
  assert.equal(valueAt(answer, '$'), answer);
  assert.equal(valueAt(answer, 'evidence[5]'), MISSING);
  assert.equal(valueAt(answer, 'order.id.x'), MISSING);
  assert.equal(valueAt({ a: undefined }, 'constructor'), MISSING);
});

test('each predicate holds or names what it got', () => {
  assert.equal(check({ path: 'action', baseline: true }), undefined);
  assert.equal(check({ path: 'action', baseline: true }, { ...answer, action: 'replace' }), 'action: got "replace", baseline "refund"');
  assert.equal(check({ path: 'action', oneOf: ['refund', 'replace'] }), undefined);
  assert.equal(check({ path: 'confidence', min: 0.8 }), 'confidence: got 0.7, expected ≥ 0.8');
  assert.equal(check({ path: 'evidence', max: 1 }), 'evidence: got ["ORD-1 damaged","photo"] (length), expected ≤ 1');
  assert.equal(check({ path: 'evidence[0]', matches: '^ORD-\\d+' }), undefined);
  assert.equal(check({ path: 'order', equals: { id: 'ORD-2' } }), 'order: got {"id":"ORD-1"}, expected {"id":"ORD-2"}');
  assert.equal(check({ path: 'note', exists: false }), undefined);
  assert.equal(check({ path: 'note', equals: 1 }), 'note: got (missing)');
  assert.equal(checkAll([assertionSchema.parse({ path: 'action', equals: 'refund' }), assertionSchema.parse({ path: 'confidence', min: 0.9 })], answer, answer), 'confidence: got 0.7, expected ≥ 0.9');
});

test('a check without a predicate, a bad path or a regex that does not compile is refused', () => {
  assert.equal(assertionSchema.safeParse({ path: 'action' }).success, false);
  assert.equal(assertionSchema.safeParse({ path: 'a..b', exists: true }).success, false);
  assert.equal(assertionSchema.safeParse({ path: 'a', matches: '(' }).success, false);
});

test('the system prompt override replaces the system messages where they were, or comes first', () => {
  const u = { role: 'user' as const, content: 'q' };
  assert.deepEqual(withSystemPrompt([{ role: 'system', content: 'old' }, u], 'new'), [{ role: 'system', content: 'new' }, u]);
  assert.deepEqual(withSystemPrompt([u], 'new'), [{ role: 'system', content: 'new' }, u]);
  assert.deepEqual(withSystemPrompt([u, { role: 'developer', content: 'd' }, { role: 'system', content: 's' }, u], 'new'), [u, { role: 'system', content: 'new' }, u]);
});
