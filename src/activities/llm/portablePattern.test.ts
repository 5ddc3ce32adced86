import assert from 'node:assert/strict';
import { test } from 'node:test';
import { portablePattern, portablePatterns } from './portablePattern';

test('\\d and \\w are spelled out, inside and outside character classes; other escapes stay', () => {
  assert.equal(portablePattern('^ORD-\\d{1,12}$'), '^ORD-[0-9]{1,12}$');
  assert.equal(portablePattern('^[\\w.-]+@\\w+$'), '^[A-Za-z0-9_.-]+@[A-Za-z0-9_]+$');
  assert.equal(portablePattern('^\\\\d\\.\\s$'), '^\\\\d\\.\\s$', 'an escaped backslash before d is not \\d');
  assert.equal(portablePattern('^a\\]\\d$'), '^a\\][0-9]$');
});

test('the portable pattern matches exactly what the original matches', () => {
  const cases = ['ORD-1', 'ORD-123456789012', 'ORD-', 'ORD-1234567890123', 'ord-1', 'ORD-١٢', 'a_b.c-d@x1', 'é@x', 'a@', '\\d'];
  for (const p of ['^ORD-\\d{1,12}$', '^[\\w.-]+@\\w+$', '^\\\\d$']) {
    const a = new RegExp(p, 'u');
    const b = new RegExp(portablePattern(p), 'u');
    for (const s of cases) assert.equal(b.test(s), a.test(s), `${p} vs ${portablePattern(p)} on ${JSON.stringify(s)}`);
  }
});

test('only the pattern keyword changes, never a property named pattern or an enum value', () => {
  const schema = { type: 'object', properties: { pattern: { type: 'string', pattern: '^\\d$' }, kind: { enum: ['\\d'] } }, required: ['pattern'] };
  assert.deepEqual(portablePatterns(schema), { type: 'object', properties: { pattern: { type: 'string', pattern: '^[0-9]$' }, kind: { enum: ['\\d'] } }, required: ['pattern'] });
});
