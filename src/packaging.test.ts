/**
 * What `npm publish` would ship: the library, its CLI (with `breakwater stack`: the dev stack's start/stop
 * and its tool provisioning) and migrations, nothing of the repo's own tests, chaos, benchmarks, demo or the
 * dev stack's repo-only parts, and no import into a file that is left out. Reads `npm pack --dry-run`
 * against the built dist/, so it runs after `npm run build` like every other test.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';

const root = path.resolve(__dirname, '..'); // this file runs as dist/packaging.test.js

interface PackResult {
  filename: string;
  size: number;
  unpackedSize: number;
  entryCount: number;
  files: { path: string; size: number }[];
}

interface PackageJson {
  exports: Record<string, string | Record<string, string>>;
  dependencies?: Record<string, string>;
  devDependencies?: Record<string, string>;
  peerDependencies?: Record<string, string>;
  peerDependenciesMeta?: Record<string, { optional?: boolean }>;
}

// --ignore-scripts: a dry run must not build or run anything (there is no prepack/prepare script either).
const pack = JSON.parse(
  execFileSync('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], { cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }),
) as PackResult[];
const packed = pack[0];
const files = new Set((packed?.files ?? []).map((f) => f.path));
const pkg = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8')) as PackageJson;

const kib = (bytes: number): string => `${(bytes / 1024).toFixed(0)} KiB`;

test('the tarball: its size', (t) => {
  assert.ok(packed, 'npm pack --dry-run --json returned one package');
  t.diagnostic(`${packed.filename}: ${kib(packed.size)} packed, ${kib(packed.unpackedSize)} unpacked, ${packed.entryCount} files`);
});

// `breakwater stack` ships what it runs; the rest of dist/devstack serves only this repo (browser tests,
// recorded histories, a killable server for chaos tests, `npm run stack`, paths into the checkout).
// The cluster profile (`stack start --profile cluster`) ships too: its modules and tools/temporal-server's go.mod + go.sum.
const shippedDevstack = ['clusterConfig', 'clusterStack', 'clusterTools', 'codecKey', 'goTools', 'ports', 'postgres', 'processes', 'stack', 'temporalCluster', 'temporalServer', 'temporalTools'];

test('the tarball has no tests, source maps, chaos, bench, demo, repo-only devstack or reference pipelines', () => {
  const devstackModule = (f: string) => /^dist\/devstack\/([^/.]+)\.(js|d\.ts)$/.exec(f)?.[1];
  const unwanted = [...files].filter(
    (f) =>
      /\.test\.(js|d\.ts)$/.test(f) ||
      /\.map$/.test(f) ||
      /^dist\/(chaos|bench|demo|pipelines)\//.test(f) ||
      (f.startsWith('dist/devstack/') && !shippedDevstack.includes(devstackModule(f) ?? '')),
  );
  assert.deepEqual(unwanted, []);
});

test('the tarball has the entries, the CLI and the migrations', () => {
  for (const f of ['dist/index.js', 'dist/index.d.ts', 'dist/workflow.js', 'dist/workflow.d.ts', 'dist/testing.js', 'dist/testing.d.ts', 'bin/breakwater.js', 'package.json', 'README.md', 'dist/client/commands/stack.js', 'dist/devstack/stack.js', 'tools/temporal-server/go.mod', 'tools/temporal-server/go.sum']) {
    assert.ok(files.has(f), `${f} is packed`);
  }
  assert.ok([...files].some((f) => /^src\/store\/migrations\/[^/]+\.sql$/.test(f)), 'the SQL migrations are packed');
  // Every target of package.json#exports is in the tarball.
  for (const [entry, target] of Object.entries(pkg.exports)) {
    for (const file of typeof target === 'string' ? [target] : Object.values(target)) {
      assert.ok(files.has(path.posix.normalize(file)), `exports["${entry}"] → ${file} is packed`);
    }
  }
});

test('package.json exports only the named entries, no ./dist/*', () => {
  assert.deepEqual(Object.keys(pkg.exports).sort(), ['.', './package.json', './testing', './workflow']);
  assert.ok(!Object.keys(pkg.exports).some((k) => k.includes('*') || k.startsWith('./dist')), 'no wildcard or ./dist export');
});

test('@temporalio/* are peer dependencies, at the tested version and up; @types/pg and @types/ms ship with the package', () => {
  const temporal = new Set(
    [pkg.dependencies, pkg.devDependencies, pkg.peerDependencies].flatMap((d) => Object.keys(d ?? {})).filter((n) => n.startsWith('@temporalio/') && n !== '@temporalio/testing'),
  );
  for (const name of ['@temporalio/activity', '@temporalio/client', '@temporalio/common', '@temporalio/worker', '@temporalio/workflow', '@temporalio/interceptors-opentelemetry']) temporal.add(name);
  for (const name of temporal) {
    const range = pkg.peerDependencies?.[name];
    assert.ok(range, `${name} is a peer dependency`);
    assert.equal(pkg.dependencies?.[name], undefined, `${name} is not a direct dependency`);
    // The repo's own install (devDependencies, exact) is the version the tests run against: the range starts there.
    const tested = pkg.devDependencies?.[name];
    assert.ok(tested && /^\d+\.\d+\.\d+$/.test(tested), `${name} is pinned in devDependencies (the tested version)`);
    assert.equal(range, `^${tested}`, `${name}: the peer range starts at the tested version`);
  }
  // breakwater/testing runs on @temporalio/testing's TestWorkflowEnvironment: a peer, optional (only tests need it).
  assert.equal(pkg.peerDependencies?.['@temporalio/testing'], `^${pkg.devDependencies?.['@temporalio/testing']}`, '@temporalio/testing is a peer dependency at the tested version and up');
  assert.equal(pkg.peerDependenciesMeta?.['@temporalio/testing']?.optional, true, '@temporalio/testing is an optional peer (breakwater/testing only)');
  assert.ok(pkg.dependencies?.['@types/pg'], '@types/pg is a dependency (the Db type is pg.Pool)');
  // @temporalio/common's Duration imports `ms`, whose package has no types for `require` under module
  // node16: without @types/ms a user's `skipLibCheck: false` build fails in Temporal's types, and with
  // `skipLibCheck: true` every Duration in our API (timeouts, delays) silently becomes `any`.
  assert.ok(pkg.dependencies?.['@types/ms'], '@types/ms is a dependency (Duration in our types is ms.StringValue)');
});

test('every relative require and type import in the tarball resolves to a packed file', () => {
  // tsc emits CommonJS: `require("./x")` in .js; `from "./x"` and `import("./x")` in .d.ts. (The webpack
  // workflow bundle has no relative require; its inline source map quotes `from` lines, which are not imports.)
  const requires = [/\brequire\(\s*["'](\.{1,2}\/[^"']*)["']\s*\)/g];
  const typeImports = [/\bfrom\s+["'](\.{1,2}\/[^"']*)["']/g, /\bimport\(\s*["'](\.{1,2}\/[^"']*)["']\s*\)/g];
  const candidates = (from: string, spec: string): string[] => {
    const base = path.posix.join(path.posix.dirname(from), spec);
    return from.endsWith('.d.ts')
      ? [base.replace(/\.js$/, '.d.ts'), `${base}.d.ts`, `${base}/index.d.ts`, base]
      : [base, `${base}.js`, `${base}.json`, `${base}/index.js`];
  };
  const missing: string[] = [];
  for (const file of files) {
    const patterns = file.endsWith('.d.ts') ? typeImports : /\.c?js$/.test(file) ? requires : [];
    const text = patterns.length > 0 ? readFileSync(path.join(root, file), 'utf8') : '';
    for (const pattern of patterns) {
      for (const [, spec] of text.matchAll(pattern)) {
        if (spec && !candidates(file, spec).some((c) => files.has(c))) missing.push(`${file} → ${spec}`);
      }
    }
  }
  assert.deepEqual([...new Set(missing)], [], 'packed files import files left out of the tarball');
});
