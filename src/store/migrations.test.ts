/** Migration files: one version each — two files sharing a number would leave one silently unapplied. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { loadMigrations } from './migrate';

// Gaps are allowed: parallel branches each take a reserved range of versions (020–029, …), and one lands
// before the others fill theirs. What must hold is one file per version, applied in ascending order.
test('every migration has a version of its own, and they count up from 1', () => {
  const versions = loadMigrations().map((m) => m.version);
  assert.equal(versions[0], 1);
  assert.deepEqual(versions, [...new Set(versions)].sort((a, b) => a - b), `versions: ${versions.join(', ')}`);
});
