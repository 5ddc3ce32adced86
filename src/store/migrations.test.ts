/** Migration files: one version each — two files sharing a number would leave one silently unapplied. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { loadMigrations } from './migrate';

test('every migration has a version of its own, and they count up from 1 without gaps', () => {
  const versions = loadMigrations().map((m) => m.version);
  assert.deepEqual(versions, versions.map((_, i) => i + 1), `versions: ${versions.join(', ')}`);
});
