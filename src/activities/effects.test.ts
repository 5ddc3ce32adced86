/** Which receipts reconciliation may adopt: only this fingerprint's, by key or — keyless — by fields and time. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { receiptsOfFingerprint } from './effects';

const claimedAt = '2026-11-21T10:00:00.000Z';
const fields = { recordId: 'R', entityId: 'E', businessDate: '2026-11-21' };

test('with keys: only the receipt that carries this fingerprint’s key', () => {
  const found = [
    { confirmation: 'C1', receivedAt: '2026-11-20T10:00:00.000Z', idempotencyKey: 'portal:R:E:2026-11-20' },
    { confirmation: 'C2', receivedAt: '2026-11-21T10:00:01.000Z', idempotencyKey: 'portal:R:E:2026-11-21' },
  ];
  assert.deepEqual(receiptsOfFingerprint(found, 'portal:R:E:2026-11-21', fields, claimedAt).map((r) => r.confirmation), ['C2']);
  assert.deepEqual(receiptsOfFingerprint(found, 'portal:R:E:2026-11-22', fields, claimedAt), []);
});

test('without keys: never a record older than the claim, never one whose reported fields differ', () => {
  const found = [
    { confirmation: 'OLD', receivedAt: '2026-11-20T10:00:00.000Z' },
    { confirmation: 'OTHER-DAY', receivedAt: '2026-11-21T10:00:02.000Z', fields: { businessDate: '2026-11-20' } },
    { confirmation: 'OURS', receivedAt: '2026-11-21T10:00:03.000Z', fields: { businessDate: '2026-11-21' } },
    { confirmation: 'OURS-TOO', receivedAt: '2026-11-21T09:59:58.000Z' }, // within the clock-skew allowance
  ];
  assert.deepEqual(receiptsOfFingerprint(found, 'k', fields, claimedAt).map((r) => r.confirmation), ['OURS', 'OURS-TOO']);
});
