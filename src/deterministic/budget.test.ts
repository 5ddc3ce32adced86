import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  budgetLevel, costNano, createBudget, decimalToNano, msUntilNextUtcDay, nanoToDecimal, pricePerMillionToNanoPerToken, raiseBudget, recordSpend, usdToNano,
} from './budget';

test('prices become whole nano-dollars per token; prices that would not be exact are refused', () => {
  assert.equal(pricePerMillionToNanoPerToken(0.15), 150);
  assert.equal(pricePerMillionToNanoPerToken(2.5), 2500);
  assert.equal(pricePerMillionToNanoPerToken(0.075), 75);
  assert.throws(() => pricePerMillionToNanoPerToken(0.0375), /at most 3 decimals/);
  assert.throws(() => pricePerMillionToNanoPerToken(-1), /≥ 0/);
});

test('cost is Σ tokens × price, exact where float dollars drift', () => {
  const price = { inputNanoPerToken: 150, outputNanoPerToken: 600 };
  assert.equal(costNano({ inputTokens: 1000, outputTokens: 200 }, price), 270_000);
  // 0.1 + 0.2 style drift: ten calls of 0.00027 USD sum to exactly 0.0027 USD.
  let total = 0;
  for (let i = 0; i < 10; i++) total += costNano({ inputTokens: 1000, outputTokens: 200 }, price);
  assert.equal(nanoToDecimal(total), '0.002700000');
  assert.equal(decimalToNano('0.002700000'), total);
  assert.equal(decimalToNano('12'), 12 * 1e9);
  assert.equal(nanoToDecimal(usdToNano(1234.5)), '1234.500000000');
});

test('the warning fires exactly once at 75 %, exhaustion at 100 %, and a raise re-arms it', () => {
  let b = createBudget(1);
  let r = recordSpend(b, usdToNano(0.5));
  assert.deepEqual([r.level, r.warnNow], ['ok', false]);
  r = recordSpend(r.budget, usdToNano(0.25));
  assert.deepEqual([r.level, r.warnNow], ['warning', true]);
  r = recordSpend(r.budget, usdToNano(0.1));
  assert.deepEqual([r.level, r.warnNow], ['warning', false]);
  r = recordSpend(r.budget, usdToNano(0.15));
  assert.deepEqual([r.level, r.warnNow], ['exhausted', false]);
  b = raiseBudget(r.budget, 4, 'carol');
  assert.equal(budgetLevel(b), 'ok');
  assert.deepEqual(b.raises, [{ fromNano: 1e9, toNano: 4e9, by: 'carol' }]);
  r = recordSpend(b, usdToNano(2));
  assert.deepEqual([r.level, r.warnNow], ['warning', true]);
  assert.throws(() => raiseBudget(b, 3, 'x'), /must be above/);
});

test('a first spend that jumps past 100 % still warns once (and is exhausted)', () => {
  const r = recordSpend(createBudget(0.0003), 10_270_000);
  assert.deepEqual([r.level, r.warnNow], ['exhausted', true]);
  assert.throws(() => recordSpend(r.budget, 1.5), /integer/);
  assert.throws(() => createBudget(0), /greater than 0/);
});

test('time until the daily cap resets is until the next UTC midnight', () => {
  assert.equal(msUntilNextUtcDay(Date.parse('2026-03-01T23:59:59.000Z')), 1000);
  assert.equal(msUntilNextUtcDay(Date.parse('2026-03-01T00:00:00.000Z')), 86_400_000);
});
