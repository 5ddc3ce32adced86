/** The README's settings table is the one the settings table generates, and it names every setting. */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { configVariables } from './config';
import { settingsTable, withSettingsTable } from './configTable';
import { packageRoot } from './devstack/paths';

test("README's settings table is generated from src/configSettings.ts (run `node dist/configTable.js --write` after a change)", () => {
  const readme = readFileSync(path.join(packageRoot(), 'README.md'), 'utf8');
  assert.equal(readme, withSettingsTable(readme), 'README.md holds an outdated settings table');
});

test('the table has a row per variable loadConfig validates, with its default and file key', () => {
  const table = settingsTable();
  for (const variable of configVariables) assert.match(table, new RegExp(`^\\| \`${variable}\` \\|`, 'm'), `${variable} has a row`);
  assert.match(table, /^\| `TEMPORAL_ADDRESS` \| `temporal.address` \| `127.0.0.1:7233` \|/m);
  assert.match(table, /^\| `DATABASE_URL` \| `database.url` \(reference only\) \| +\|.*secret/m);
});
