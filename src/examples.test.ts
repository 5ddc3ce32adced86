/**
 * The example project (examples/shop) as a user gets it: this package packed with `npm pack`, installed
 * from the tarball with the example's own dependencies, type-checked with `skipLibCheck: false`, made ready
 * the way its README says (`npx breakwater init`, `npx breakwater stack start`), and its own test suite run
 * — its pipeline end to end on its own worker, against a Temporal dev server and its own stack's Postgres —
 * in a shell where nothing was set by hand: no DATABASE_URL, TEMPORAL_*, BREAKWATER_* or OPENAI_* variable.
 *
 * It runs in a copy of the example under the OS temp folder, not in place: inside the repository, Node
 * and TypeScript would also find this repository's node_modules (an ancestor folder) and hide a dependency
 * the example forgot; and npm treats an installed file: tarball of the same version as up to date, so an
 * in-place reinstall could keep an old pack. Needs the npm registry (or npm's cache) for the install;
 * everything else is on loopback.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { chmodSync, copyFileSync, cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { test, type TestContext } from 'node:test';

const root = path.resolve(__dirname, '..'); // this file runs as dist/examples.test.js
const example = path.join(root, 'examples', 'shop');

interface Ran {
  code: number | null;
  output: string;
}

/** Runs a command, stdout and stderr interleaved into one transcript. */
function run(cmd: string, args: string[], o: { cwd: string; env?: NodeJS.ProcessEnv }): Promise<Ran> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { cwd: o.cwd, env: o.env ?? process.env, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (d: Buffer) => (output += d.toString()));
    child.stderr.on('data', (d: Buffer) => (output += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, output }));
  });
}

/** Fails with the command's transcript when it did not exit 0. */
async function runOk(t: TestContext, what: string, cmd: string, args: string[], o: { cwd: string; env?: NodeJS.ProcessEnv }): Promise<Ran> {
  const started = Date.now();
  const ran = await run(cmd, args, o);
  assert.equal(ran.code, 0, `${what} (${[cmd, ...args].join(' ')}) exited ${ran.code}:\n${ran.output}`);
  t.diagnostic(`${what}: ${((Date.now() - started) / 1000).toFixed(1)} s`);
  return ran;
}

/**
 * The environment of the example's commands: a user's shell — ours without what would steer them elsewhere:
 * npm's `npm_*` settings of the run that started us (they would point npm at this repository), node:test's
 * marker for a child runner (the example's runner must report to its own stdout), and every setting of
 * Breakwater, Temporal, Postgres or the model (the project must find its own, from its own files).
 */
const exampleEnv: NodeJS.ProcessEnv = Object.fromEntries(
  Object.entries(process.env).filter(([k]) => !/^(npm_|BREAKWATER_|TEMPORAL_|OPENAI_|DATABASE_)/i.test(k) && !['NODE_TEST_CONTEXT', 'PGHOST', 'PGPORT', 'PGDATABASE', 'PGUSER'].includes(k)),
);

test('examples/shop: packed, installed from the tarball, type-checked, made ready by init and stack start, and its pipeline passes its own tests', { timeout: 8 * 60_000 }, async (t) => {
  const work = mkdtempSync(path.join(tmpdir(), 'breakwater-example-'));
  chmodSync(work, 0o755); // the project's own Postgres cluster lives inside: the postgres user must reach it
  const project = path.join(work, 'shop');
  const env = exampleEnv;
  let passed = false;
  let stackStarted = false;
  try {
    // 1. This package, as `npm publish` would ship it (dist/ is built: tests run after `npm run build`).
    await runOk(t, 'npm pack', 'npm', ['pack', '--pack-destination', work, '--ignore-scripts', '--silent'], { cwd: root, env });
    const tarball = readdirSync(work).find((f) => f.endsWith('.tgz'));
    assert.ok(tarball, 'npm pack wrote a tarball');

    // 2. The example's own files (not what an earlier in-place run left), with the tarball in vendor/.
    cpSync(example, project, { recursive: true, filter: (src) => !/[\\/](node_modules|dist|vendor|\.breakwater)$|package-lock\.json$|breakwater\.config\.json$/.test(src) });
    mkdirSync(path.join(project, 'vendor'));
    copyFileSync(path.join(work, tarball), path.join(project, 'vendor', 'breakwater.tgz'));
    await runOk(t, 'npm install', 'npm', ['install', '--no-audit', '--no-fund', '--prefer-offline'], { cwd: project, env });

    // 3. Strict TypeScript over the example and every type it reaches, Breakwater's included.
    await runOk(t, 'tsc --noEmit', 'npx', ['--no-install', 'tsc', '--noEmit', '-p', '.'], { cwd: project, env });

    // 4. The README's two commands: the project's keys and config, then its own stack.
    const init = await runOk(t, 'npx breakwater init', 'npx', ['--no-install', 'breakwater', 'init'], { cwd: project, env });
    assert.match(init.output, /next: npx breakwater stack start/, `init names the next command:\n${init.output}`);
    for (const file of ['.breakwater/codec-keys', 'breakwater.config.json']) assert.ok(existsSync(path.join(project, file)), `init made ${file}`);
    stackStarted = true;
    const started = await runOk(t, 'npx breakwater stack start', 'npx', ['--no-install', 'breakwater', 'stack', 'start'], { cwd: project, env });
    const stack = JSON.parse(readFileSync(path.join(project, '.breakwater', 'stack.json'), 'utf8')) as { temporal?: { address?: string }; postgres?: { url?: string } };
    assert.ok(stack.temporal?.address && stack.postgres?.url, `stack start recorded its Temporal and Postgres in .breakwater/stack.json:\n${started.output}`);
    t.diagnostic(`the example's stack: Temporal ${stack.temporal.address}, Postgres ${stack.postgres.url}`);

    // 5. The example's own `npm test`: its four end-to-end scenarios.
    const { output } = await runOk(t, "the example's npm test", 'npm', ['test'], { cwd: project, env });
    for (const [line] of output.matchAll(/^(?:not )?ok \d+ - .*$/gm)) t.diagnostic(`example: ${line}`);
    const count = (what: string) => Number(new RegExp(`^(?:#|ℹ) ${what} (\\d+)$`, 'm').exec(output)?.[1]);
    assert.equal(count('pass'), 4, `the example reports 4 passing tests:\n${output}`);
    assert.equal(count('fail'), 0, `the example reports no failure:\n${output}`);
    passed = true;
  } finally {
    if (stackStarted) {
      const stopped = await run('npx', ['--no-install', 'breakwater', 'stack', 'stop'], { cwd: project, env });
      if (stopped.code !== 0) t.diagnostic(`stack stop exited ${stopped.code}: ${stopped.output}`);
    }
    if (passed) rmSync(work, { recursive: true, force: true });
    else t.diagnostic(`the example's copy is kept in ${work}`);
  }
});

test("README's 'Write your own pipeline' quotes the example's files verbatim", () => {
  const readme = readFileSync(path.join(root, 'README.md'), 'utf8');
  const section = /^## Write your own pipeline\n([\s\S]*?)^## /m.exec(readme)?.[1];
  assert.ok(section, 'README.md has a "## Write your own pipeline" section');
  let quoted = 0;
  for (const block of section.matchAll(/^```(\w+)\n([\s\S]*?)^```$/gm)) {
    const [, lang, code = ''] = block;
    if (lang === 'sh') continue; // commands to type, not excerpts
    // An excerpt comes from the last example file the text names before it.
    const source = [...section.slice(0, block.index).matchAll(/`(examples\/shop\/[\w./-]+)`/g)].at(-1)?.[1];
    assert.ok(source, `the ${lang} block starting "${code.split('\n')[0]}" names no examples/shop file before it`);
    assert.ok(readFileSync(path.join(root, source), 'utf8').includes(code), `README.md quotes ${source}, which no longer has:\n${code}`);
    quoted += 1;
  }
  assert.ok(quoted >= 10, `README.md quotes the example ${quoted} times`);
});
