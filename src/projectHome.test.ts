import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { localStackSettings, projectHome, projectRoot, toolsCacheDir } from './projectHome';

test('the project root is the nearest folder with breakwater.config.json, else with package.json', () => {
  const top = mkdtempSync(path.join(tmpdir(), 'bw-root-'));
  const app = path.join(top, 'app');
  const deep = path.join(app, 'src', 'workers');
  mkdirSync(deep, { recursive: true });
  writeFileSync(path.join(top, 'package.json'), '{}');
  assert.equal(projectRoot(deep), top);
  writeFileSync(path.join(app, 'package.json'), '{}');
  assert.equal(projectRoot(deep), app);
  writeFileSync(path.join(top, 'breakwater.config.json'), '{}');
  assert.equal(projectRoot(deep), top, 'a config file marks the root even above a nearer package.json');
  assert.equal(projectHome({}, deep), path.join(top, '.breakwater'));
  assert.equal(projectHome({ BREAKWATER_HOME: '/srv/bw' }, deep), '/srv/bw');
});

test('the tools cache is per machine unless BREAKWATER_TOOLS_DIR names one', () => {
  assert.equal(toolsCacheDir({ XDG_CACHE_HOME: '/c' }), '/c/breakwater/tools');
  assert.equal(toolsCacheDir({ BREAKWATER_TOOLS_DIR: '/t', XDG_CACHE_HOME: '/c' }), '/t');
});

test("a local stack's state file gives the Temporal address, Web UI and a project-local Postgres URL, never an external one", () => {
  const home = mkdtempSync(path.join(tmpdir(), 'bw-home-'));
  assert.deepEqual(localStackSettings(home), {});
  writeFileSync(path.join(home, 'stack.json'), JSON.stringify({ temporal: { address: '127.0.0.1:7301', uiUrl: 'http://localhost:8301', dbFile: 'x' }, postgres: { url: 'postgres://p@127.0.0.1:5544/breakwater', external: false } }));
  assert.deepEqual(localStackSettings(home), { TEMPORAL_ADDRESS: '127.0.0.1:7301', TEMPORAL_UI_URL: 'http://localhost:8301', DATABASE_URL: 'postgres://p@127.0.0.1:5544/breakwater' });
  writeFileSync(path.join(home, 'stack.json'), JSON.stringify({ postgres: { url: '', external: true } }));
  assert.deepEqual(localStackSettings(home), {});
  writeFileSync(path.join(home, 'stack.json'), '{ not json');
  assert.deepEqual(localStackSettings(home), {});
});
