/**
 * scripts/build.mjs (`npm run build`, run by `npm run worker|stack|demo`): a build never pulls dist/ from under
 * a CLI started beside it, skips when the sources are unchanged, keeps the last good dist/ when it fails,
 * and two builds at once compile once. Driven with a slow compile of its own in a temp folder — the repo's
 * dist/ that this test runs from is never touched — and with the old way (`rm -rf dist` then compile in
 * place) as the baseline that must fail the same check.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { after, test } from 'node:test';
import { packageRoot } from './paths';

interface BuildOptions {
  root: string;
  out?: string;
  inputs: string[];
  compile: (outDir: string) => Promise<void> | void;
  force?: boolean;
  log?: (line: string) => void;
}
interface BuildModule {
  buildAndSwap(o: BuildOptions): Promise<boolean>;
}
const loadBuild = async () => (await import(pathToFileURL(path.join(packageRoot(), 'scripts', 'build.mjs')).href)) as BuildModule;

const root = mkdtempSync(path.join(os.tmpdir(), 'bw-build-'));
after(() => rmSync(root, { recursive: true, force: true }));
mkdirSync(path.join(root, 'src'));
writeFileSync(path.join(root, 'src', 'version.txt'), 'v1');
const quiet = () => undefined;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * A compile that takes ~1.5 s and writes its files one by one, like tsc: a CLI whose entry requires a
 * module of the same build and prints both versions (a mixed or half-written dist/ shows as a mismatch).
 */
function slowCompile(counter: { calls: number }) {
  return async (outDir: string) => {
    counter.calls += 1;
    const version = readFileSync(path.join(root, 'src', 'version.txt'), 'utf8');
    mkdirSync(outDir, { recursive: true });
    writeFileSync(path.join(outDir, 'cli.js'), `process.stdout.write(${JSON.stringify(version)} + ' ' + require('./lib/version.js'));`);
    await sleep(500);
    mkdirSync(path.join(outDir, 'lib'), { recursive: true });
    await sleep(500);
    writeFileSync(path.join(outDir, 'lib', 'version.js'), `module.exports = ${JSON.stringify(version)};`);
    await sleep(500);
  };
}

/** Spawns `node dist/cli.js` back to back until `done` settles; every outcome, in order. */
async function spawnsDuring(done: Promise<unknown>): Promise<{ ok: boolean; out: string }[]> {
  const outcomes: { ok: boolean; out: string }[] = [];
  let finished = false;
  void done.finally(() => (finished = true));
  while (!finished) {
    outcomes.push(
      await new Promise((resolve) =>
        execFile(process.execPath, [path.join(root, 'dist', 'cli.js')], (error, stdout, stderr) => resolve({ ok: !error, out: error ? stderr.split('\n').find((l) => /Error/.test(l)) ?? stderr : stdout })),
      ),
    );
  }
  await done;
  return outcomes;
}

const consistent = (o: { ok: boolean; out: string }) => o.ok && /^(v\d) \1$/.test(o.out);

test('a rebuild while a CLI is started again and again: every start runs one whole build, old or new', async () => {
  const { buildAndSwap } = await loadBuild();
  const counter = { calls: 0 };
  await buildAndSwap({ root, inputs: ['src'], compile: slowCompile(counter), log: quiet });
  writeFileSync(path.join(root, 'src', 'version.txt'), 'v2');
  const outcomes = await spawnsDuring(buildAndSwap({ root, inputs: ['src'], compile: slowCompile(counter), log: quiet }));
  assert.ok(outcomes.length >= 5, `the CLI was started ${outcomes.length} times during the build`);
  assert.deepEqual(outcomes.filter((o) => !consistent(o)), [], 'no start failed or saw a mix of builds');
  assert.equal(outcomes[0]?.out, 'v1 v1', 'the CLI ran the old build while the new one compiled');
  assert.equal(readFileSync(path.join(root, 'dist', 'lib', 'version.js'), 'utf8'), 'module.exports = "v2";');
});

test('the baseline — rm -rf dist, then compile in place — fails the same check (the check can fail)', async () => {
  const counter = { calls: 0 };
  const inPlace = async () => {
    rmSync(path.join(root, 'dist'), { recursive: true, force: true });
    await slowCompile(counter)(path.join(root, 'dist'));
  };
  const outcomes = await spawnsDuring(inPlace());
  const broken = outcomes.filter((o) => !consistent(o));
  assert.ok(broken.length > 0, 'a start during an in-place build fails');
  assert.ok(broken.some((o) => /MODULE_NOT_FOUND|Cannot find module/.test(o.out)), `as users saw it: ${JSON.stringify(broken[0])}`);
});

test('unchanged sources: no build; a changed source: a build; a failed build keeps the last good dist/', async () => {
  const { buildAndSwap } = await loadBuild();
  const counter = { calls: 0 };
  writeFileSync(path.join(root, 'src', 'version.txt'), 'v3');
  assert.equal(await buildAndSwap({ root, inputs: ['src'], compile: slowCompile(counter), log: quiet }), true);
  assert.equal(await buildAndSwap({ root, inputs: ['src'], compile: slowCompile(counter), log: quiet }), false);
  assert.equal(counter.calls, 1, 'the second build found dist/ up to date');

  writeFileSync(path.join(root, 'src', 'version.txt'), 'v4');
  const failing = async (outDir: string) => {
    mkdirSync(outDir, { recursive: true });
    writeFileSync(path.join(outDir, 'cli.js'), 'half-written');
    throw new Error('error TS2322: a type error');
  };
  await assert.rejects(buildAndSwap({ root, inputs: ['src'], compile: failing, log: quiet }), /TS2322/);
  assert.equal(readFileSync(path.join(root, 'dist', 'lib', 'version.js'), 'utf8'), 'module.exports = "v3";', 'the v3 build is still in place');
  assert.equal(await buildAndSwap({ root, inputs: ['src'], compile: slowCompile(counter), log: quiet }), true, 'the failed build left no stamp behind');
});

test('two builds at once (two terminals): one compiles, the other waits and finds dist/ up to date', async () => {
  const { buildAndSwap } = await loadBuild();
  const counter = { calls: 0 };
  writeFileSync(path.join(root, 'src', 'version.txt'), 'v5');
  const built = await Promise.all([0, 1].map(() => buildAndSwap({ root, inputs: ['src'], compile: slowCompile(counter), log: quiet })));
  assert.deepEqual(built.sort(), [false, true]);
  assert.equal(counter.calls, 1);
});
