/**
 * The Prometheus files in deploy/prometheus under Prometheus's own checker: `promtool check config` (the
 * scrape config and, through its relative rule_files, the alert rules), and `promtool test rules` — the unit
 * tests of alert-rules.yml (alert-rules.test.yml: one alert per breaker or API whatever the replicas, a
 * first trip seen, an open breaker still alerting after the trip leaves the window). promtool is Debian's
 * (scripts/install-system-deps.sh installs it).
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { test } from 'node:test';
import { packageRoot } from '../devstack/paths';

const run = promisify(execFile);
const dir = path.join(packageRoot(), 'deploy', 'prometheus');
const promtool = '/usr/bin/promtool';

async function promtoolOk(...args: string[]): Promise<string> {
  assert.ok(existsSync(promtool), `${promtool} is missing: run scripts/install-system-deps.sh`);
  try {
    const { stdout, stderr } = await run(promtool, args, { cwd: dir });
    return stdout + stderr;
  } catch (e) {
    const err = e as { stdout?: string; stderr?: string; code?: number };
    assert.fail(`promtool ${args.join(' ')} exited ${err.code}:\n${err.stdout ?? ''}${err.stderr ?? ''}`);
  }
}

test('promtool check config: the scrape config and the alert rules it loads are valid', async () => {
  const out = await promtoolOk('check', 'config', 'prometheus.yml');
  assert.match(out, /alert-rules\.yml/, 'check config found the rule file through rule_files');
  assert.match(out, /SUCCESS: \d+ rules found/);
});

test('promtool test rules: the alert rules fire once per breaker or API, from the first event, across replicas', async () => {
  const out = await promtoolOk('test', 'rules', 'alert-rules.test.yml');
  assert.match(out, /SUCCESS/);
});
