#!/usr/bin/env node
/**
 * `npm run build` (and so `npm run worker`, `stack`, `demo`): dist/ rebuilt without pulling it from under a
 * CLI or worker that is running, or starting, from it.
 *
 * - Nothing to do when the sources have not changed since the last build (a hash of src/, the tsconfigs,
 *   the lockfile and this script, kept in dist/.build-stamp): a second terminal's `npm run worker` starts
 *   at once and touches nothing.
 * - Otherwise the build goes to a folder of its own beside dist/ (tsc, then the workflow bundles), and only
 *   a complete build replaces dist/: two renames, microseconds apart, instead of the old `rm -rf dist`
 *   followed by a 15 s compile during which every `npx breakwater …` failed with MODULE_NOT_FOUND.
 * - One build at a time per folder (a lock folder with the builder's pid; a dead builder's lock is taken
 *   over); the one that waited finds dist/ up to date and does nothing.
 *
 * `--force` rebuilds even when up to date. The steps after tsc are the repo's own: `buildAndSwap` takes them
 * as a function, which is how its test (src/devstack/build.test.ts) drives a slow build of its own.
 */
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

export const STAMP_FILE = '.build-stamp';

/** sha256 over every file of `inputs` (folders walked, in sorted order): names and contents. */
export function sourceHash(root, inputs) {
  const hash = createHash('sha256');
  const visit = (rel) => {
    const abs = path.join(root, rel);
    if (!existsSync(abs)) return;
    if (statSync(abs).isDirectory()) {
      for (const name of readdirSync(abs).sort()) visit(path.join(rel, name));
    } else {
      hash.update(`${rel}\0`).update(readFileSync(abs)).update('\0');
    }
  };
  for (const input of inputs) visit(input);
  return hash.digest('hex');
}

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

function alive(pid) {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return e.code === 'EPERM';
  }
}

/** Holds `<out>.lock` (a folder: mkdir is atomic) until `release()`; waits for a live holder, takes a dead one's. */
async function lock(dir, log, timeoutMs = 10 * 60_000) {
  const ownerFile = path.join(dir, 'pid');
  const deadline = Date.now() + timeoutMs;
  let told = false;
  for (;;) {
    try {
      mkdirSync(dir);
      writeFileSync(ownerFile, String(process.pid));
      return () => rmSync(dir, { recursive: true, force: true });
    } catch (e) {
      if (e.code !== 'EEXIST') throw e;
    }
    const owner = Number(existsSync(ownerFile) ? readFileSync(ownerFile, 'utf8') : NaN);
    if (Number.isInteger(owner) && owner > 0 && !alive(owner)) {
      rmSync(dir, { recursive: true, force: true }); // its builder died mid-build
      continue;
    }
    if (Date.now() > deadline) throw new Error(`build: ${dir} is held by pid ${owner} for over ${timeoutMs / 1000} s`);
    if (!told) log(`build: waiting for the build already running (pid ${owner || '?'})`);
    told = true;
    await sleep(200);
  }
}

/**
 * Builds into a fresh folder with `compile(outDir)` and puts it in place of `root/out`, unless the stamp
 * says `root/out` was built from the same inputs. Returns whether it built.
 */
export async function buildAndSwap({ root, out = 'dist', inputs, compile, force = false, log = (line) => process.stderr.write(`${line}\n`) }) {
  const target = path.join(root, out);
  const stampOf = () => {
    try {
      return readFileSync(path.join(target, STAMP_FILE), 'utf8');
    } catch {
      return undefined;
    }
  };
  const release = await lock(`${target}.lock`, log);
  try {
    const stamp = sourceHash(root, inputs);
    if (!force && stampOf() === stamp) {
      log(`build: ${out}/ is up to date`);
      return false;
    }
    const next = `${target}.next`; // one name (we hold the lock): the bundles name their modules by this path, so builds stay reproducible
    rmSync(next, { recursive: true, force: true });
    try {
      await compile(next);
      writeFileSync(path.join(next, STAMP_FILE), stamp);
    } catch (e) {
      rmSync(next, { recursive: true, force: true }); // a failed build leaves the last good dist/ in place
      throw e;
    }
    // The swap: a folder cannot be renamed onto a non-empty one, so the old build steps aside first.
    const previous = `${target}.old`;
    rmSync(previous, { recursive: true, force: true });
    if (existsSync(target)) renameSync(target, previous);
    renameSync(next, target);
    rmSync(previous, { recursive: true, force: true });
    return true;
  } finally {
    release();
  }
}

/** This repository's build: tsc into the folder, then the two workflow bundles from it. */
function compileRepo(root) {
  return (outDir) => {
    const run = (cmd, args) => execFileSync(cmd, args, { cwd: root, stdio: 'inherit' });
    run(process.execPath, [path.join(root, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', 'tsconfig.build.json', '--outDir', outDir]);
    run(process.execPath, [path.join(outDir, 'workers', 'bundle.js')]);
    run(process.execPath, [path.join(outDir, 'pipelines', 'worker.js')]);
  };
}

if (process.argv[1] && import.meta.url === pathToFileURL(path.resolve(process.argv[1])).href) {
  const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
  const inputs = ['src', 'tsconfig.json', 'tsconfig.build.json', 'package-lock.json', 'scripts/build.mjs'];
  buildAndSwap({ root, inputs, compile: compileRepo(root), force: process.argv.includes('--force') }).catch((e) => {
    process.stderr.write(`build failed: ${e.message}\n`);
    process.exit(1);
  });
}
