/** `defineEffect`'s breaker opt-in: a cool-down in ms or as a duration, refused where it is declared when bad. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { defineEffect, halfOpenAfterMsOf } from './effectDefinition';

const base = { name: 'catalog.fetch', perform: async () => ({ confirmation: 'C', receivedAt: '2026-01-01T00:00:00.000Z' }), lookup: async () => [] };

test('no breaker option: no probe (only a person closes the breaker); halfOpenAfter as ms or a duration', () => {
  assert.equal(halfOpenAfterMsOf(defineEffect(base)), undefined);
  assert.equal(halfOpenAfterMsOf(defineEffect({ ...base, breaker: { halfOpenAfter: 30_000 } })), 30_000);
  assert.equal(halfOpenAfterMsOf(defineEffect({ ...base, breaker: { halfOpenAfter: '5 min' } })), 300_000);
});

test('a cool-down that is not a positive duration fails at defineEffect, not at the first outage', () => {
  for (const bad of ['soon', 0, -5, '0s']) {
    assert.throws(() => defineEffect({ ...base, breaker: { halfOpenAfter: bad } }), /breaker\.halfOpenAfter must be a positive duration/, String(bad));
  }
});
