import assert from 'node:assert/strict';
import { test } from 'node:test';
import { redactText, redactValue, registerSecrets } from './redact';

test('registered secret values are masked wherever they appear', () => {
  registerSecrets('planted-key-0123456789');
  assert.equal(redactText('calling with planted-key-0123456789 now'), 'calling with [REDACTED] now');
});

test('credential-shaped text is masked without registration', () => {
  const out = redactText('Authorization: Bearer abcdefghijklmnop sk-proj-ABCDEFGH12345678 postgres://u:hunter2secret@db/x');
  assert.ok(!out.includes('abcdefghijklmnop'), out);
  assert.ok(!out.includes('sk-proj-ABCDEFGH12345678'), out);
  assert.ok(!out.includes('hunter2secret'), out);
  assert.ok(out.includes('postgres://u:'), 'keeps the shape of the URL');
});

test('secret-named fields are masked deeply; other values are kept', () => {
  const out = redactValue({ model: 'm', headers: { Authorization: 'x', apiKey: 'y' }, usage: { prompt_tokens: 3 }, list: ['sk-abcdefgh12345'] });
  assert.deepEqual(out, { model: 'm', headers: { Authorization: '[REDACTED]', apiKey: '[REDACTED]' }, usage: { prompt_tokens: 3 }, list: ['[REDACTED]'] });
});

test('a value with cycles (a log record holding a pool) is redacted, the cycle cut, shared objects kept', () => {
  const pool: Record<string, unknown> = { password: 'hunter2-db', name: 'pool' };
  pool.self = pool;
  const shared = { note: 'twice' };
  const out = redactValue({ options: { plugins: [{ pool }] }, a: shared, b: shared }) as { options: { plugins: { pool: Record<string, unknown> }[] }; a: unknown; b: unknown };
  const copied = out.options.plugins[0]!.pool;
  assert.equal(copied.self, '[Circular]');
  assert.equal(copied.password, '[REDACTED]');
  assert.deepEqual([out.a, out.b], [shared, shared]);
});
