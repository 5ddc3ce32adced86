import assert from 'node:assert/strict';
import { test } from 'node:test';
import { durationMs, submitAndVerifyInputSchema } from './contract';

const base = { recordId: 'REF-2847', entityId: 'ENT-1', businessDate: '2025-03-04' };

test('defaults: verify delay 60 s, deadline 10 min, backoff 5 s ×2 up to 60 s, empty payload', () => {
  const p = submitAndVerifyInputSchema.parse(base);
  assert.deepEqual(p.payload, {});
  assert.equal(p.options.verifyDelay, 60_000);
  assert.equal(p.options.verifyDeadline, 600_000);
  assert.deepEqual(p.options.pollBackoff, { initial: 5_000, factor: 2, max: 60_000 });
  assert.equal(p.options.visibilityWindow, undefined);
  assert.equal(p.options.breakerPollInterval, 10_000);
});

test('durations as milliseconds or readable strings', () => {
  assert.deepEqual(['60s', '5 seconds', '10 min', '250ms', 1500, '2h', '1.5s'].map((d) => durationMs.parse(d)), [60_000, 5_000, 600_000, 250, 1500, 7_200_000, 1_500]);
  for (const bad of ['soon', '-1s', -5, '5 fortnights', Number.NaN]) assert.equal(durationMs.safeParse(bad).success, false, String(bad));
});

test('bad input is refused with every problem named', () => {
  const r = submitAndVerifyInputSchema.safeParse({ ...base, recordId: ' ', businessDate: '2025-02-30', extra: 1, options: { verifyDelay: '10 min', verifyDeadline: '1 min' } });
  assert.equal(r.success, false);
  const paths = r.error!.issues.map((i) => i.path.join('.') || i.code);
  for (const p of ['recordId', 'businessDate', 'options.verifyDeadline']) assert.ok(paths.includes(p), `${p} in ${paths.join(',')}`);
  assert.ok(r.error!.issues.some((i) => i.code === 'unrecognized_keys'));
  assert.equal(submitAndVerifyInputSchema.safeParse({ ...base, businessDate: '2025-13-01' }).success, false);
  assert.equal(submitAndVerifyInputSchema.safeParse({ ...base, recordId: 'a\u0007b' }).success, false);
  assert.equal(submitAndVerifyInputSchema.safeParse({ ...base, payload: { big: 'x'.repeat(100_001) } }).success, false);
});
