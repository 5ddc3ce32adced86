/**
 * Migration files: one version each — two files sharing a number would leave one silently unapplied.
 * Versions may skip numbers: parallel branches take ranges of their own (e.g. 030–039) so they never collide.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { loadMigrations } from './migrate';

test('every migration has a version of its own, counting up from 1', () => {
  const versions = loadMigrations().map((m) => m.version);
  assert.equal(versions[0], 1);
  for (let i = 1; i < versions.length; i++) assert.ok(versions[i]! > versions[i - 1]!, `versions: ${versions.join(', ')}`);
  assert.equal(new Set(versions).size, versions.length, `versions: ${versions.join(', ')}`);
});
