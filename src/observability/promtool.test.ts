/**
 * The Prometheus files in deploy/prometheus (copied, with stand-in secrets) under Prometheus's own checker: `promtool check config` (the
 * scrape config and, through its relative rule_files, the alert rules), and `promtool test rules` — the unit
 * tests of alert-rules.yml (alert-rules.test.yml: one alert per breaker or API whatever the replicas, a
 * first trip seen, an open breaker still alerting after the trip leaves the window). promtool is Debian's
 * (scripts/install-system-deps.sh installs it).
 */
import assert from 'node:assert/strict';
import { execFile, execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { after, test } from 'node:test';
import { packageRoot } from '../devstack/paths';

const run = promisify(execFile);
// deploy/prometheus as compose mounts it: the scrape job's token and CA files beside prometheus.yml
// (promtool checks that they exist; these are throwaway stand-ins).
const dir = mkdtempSync(path.join(os.tmpdir(), 'bw-promtool-'));
cpSync(path.join(packageRoot(), 'deploy', 'prometheus'), dir, { recursive: true });
mkdirSync(path.join(dir, 'secrets'));
writeFileSync(path.join(dir, 'secrets', 'metrics_token'), 'x'.repeat(32));
execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-days', '1', '-subj', '/CN=worker', '-keyout', path.join(dir, 'secrets', 'metrics_tls_key'), '-out', path.join(dir, 'secrets', 'metrics_tls_cert')], { stdio: 'ignore' });
after(() => rmSync(dir, { recursive: true, force: true }));
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
