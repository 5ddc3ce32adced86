import assert from 'node:assert/strict';
import { chmodSync, mkdtempSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { addApproverKey, findSigningKey } from './keyFiles';

test('approver add writes a 0600 private key, prints the public entry, and never overwrites', () => {
  const dir = path.join(mkdtempSync(path.join(os.tmpdir(), 'bw-keys-')), 'approvers');
  const { line, file } = addApproverKey(dir, 'ada');
  assert.match(line, /^ada=ed25519:[A-Za-z0-9_-]{43}$/);
  assert.equal(statSync(file).mode & 0o777, 0o600);
  assert.equal(statSync(dir).mode & 0o777, 0o700);
  assert.throws(() => addApproverKey(dir, 'ada'), /never overwritten/);
  assert.throws(() => addApproverKey(dir, '../evil'), /approver name/);
  assert.ok(findSigningKey(dir, 'ada'));
  assert.equal(findSigningKey(dir, 'nobody'), undefined, 'no key: unsigned');
  chmodSync(file, 0o644);
  assert.throws(() => findSigningKey(dir, 'ada'), /readable by others/);
  assert.throws(() => findSigningKey(dir, 'ada', path.join(dir, 'missing.key')), /cannot read/);
});
