import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { parseCommandLine, UsageError } from './cliArgs';

const mainJs = path.join(__dirname, 'main.js');

test('parses flags, with env vars as fallback and flags winning', () => {
  assert.deepEqual(
    parseCommandLine(['portal', '--lag-ms', '300', '--mode', 'failing', '--rate-limit', '0'], { PORTAL_LAG_MS: '9', PORTAL_SEED: '4' }),
    { kind: 'portal', options: { lagMs: 300, mode: 'failing', rateLimitPerMinute: null, seed: 4, port: 0 } },
  );
  assert.deepEqual(parseCommandLine(['enrichment', '--limit', '5'], { ENRICHMENT_WINDOW_MS: '1000', ENRICHMENT_PORT: '0' }), {
    kind: 'enrichment',
    options: { limit: 5, windowMs: 1000, port: 0 },
  });
  assert.deepEqual(parseCommandLine(['llm'], { LLM_SCENARIO: 's.json' }), { kind: 'llm', port: 0, scenarioFile: 's.json' });
});

test('rejects bad command lines with a UsageError', () => {
  const bad: Array<[string[], RegExp]> = [
    [[], /missing simulator/],
    [['mainframe'], /unknown simulator/],
    [['portal', '--bogus', '1'], /bogus/],
    [['llm', '--lag-ms', '5'], /does not apply to the llm simulator/],
    [['portal', '--lag-ms', 'soon'], /must be a number/],
    [['portal', '--error-rate', '2'], /invalid options/],
    [['enrichment', '--port', '70000'], /--port/],
  ];
  for (const [argv, message] of bad) {
    assert.throws(() => parseCommandLine(argv, {}), (err: unknown) => err instanceof UsageError && message.test(err.message), argv.join(' '));
  }
});

test('main.js prints the URL as one JSON line, serves, and exits 0 on SIGTERM', async () => {
  const child = spawn(process.execPath, [mainJs, 'enrichment', '--limit', '3'], {
    env: { ...process.env, ENRICHMENT_WINDOW_MS: '1000' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  try {
    const lines = createInterface({ input: child.stdout });
    const [line] = (await once(lines, 'line')) as [string];
    const announced = JSON.parse(line) as { simulator: string; url: string };
    assert.equal(announced.simulator, 'enrichment');
    assert.match(announced.url, /^http:\/\/127\.0\.0\.1:\d+$/);
    const config = (await (await fetch(`${announced.url}/_admin/config`)).json()) as { config: { limit: number; windowMs: number } };
    assert.equal(config.config.limit, 3);
    assert.equal(config.config.windowMs, 1000);
    assert.equal((await fetch(`${announced.url}/enrich?sku=a`)).status, 200);
  } finally {
    child.kill('SIGTERM');
  }
  const [code, signal] = (await once(child, 'exit')) as [number | null, string | null];
  assert.equal(signal, null);
  assert.equal(code, 0);
});

test('main.js exits 2 with a clear message on a bad flag', async () => {
  const child = spawn(process.execPath, [mainJs, 'portal', '--mode', 'sideways'], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const [code] = (await once(child, 'exit')) as [number | null];
  assert.equal(code, 2);
  assert.match(stderr, /invalid options.*\n?.*mode/s);
});
