import assert from 'node:assert/strict';
import { test } from 'node:test';
import { defaultSubmitWorkflowId, fingerprintKey, parseFingerprintKey } from './fingerprintKey';

test('fingerprint = recordId + entityId + businessDate, readable for plain ids', () => {
  assert.equal(fingerprintKey({ recordId: 'REF-2847', entityId: 'ENT-1', businessDate: '2025-03-04' }), 'REF-2847:ENT-1:2025-03-04');
});

test('separators inside ids cannot make two records collide', () => {
  const a = fingerprintKey({ recordId: 'a:b', entityId: 'c', businessDate: '2025-01-01' });
  const b = fingerprintKey({ recordId: 'a', entityId: 'b:c', businessDate: '2025-01-01' });
  assert.notEqual(a, b);
});

test('parseFingerprintKey inverts fingerprintKey and rejects other strings', () => {
  const parts = { recordId: 'r:1 %/x', entityId: 'é', businessDate: '2025-01-01' };
  assert.deepEqual(parseFingerprintKey(fingerprintKey(parts)), parts);
  assert.equal(parseFingerprintKey('no-colons'), undefined);
  assert.equal(parseFingerprintKey('a:%E0%A4%A:c'), undefined);
});

test('the default workflow id is derived from the fingerprint', () => {
  assert.equal(defaultSubmitWorkflowId({ recordId: 'R', entityId: 'E', businessDate: '2025-01-01' }), 'submitAndVerify:R:E:2025-01-01');
});
