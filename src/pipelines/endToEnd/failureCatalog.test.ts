/**
 * One catalog of failures, across the toolkit and the reference pipelines: every `BW_*` type the code names
 * is an entry of the toolkit's catalog (src/failures.ts) or of a pipeline's (`defineFailures` in its
 * contract.ts); its string literal appears only there (everything else says `Failure.X.type`); no type is in
 * two catalogs; each entry says what it means. Reads the TypeScript sources, so it needs no servers.
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { Failure, type FailureSpec } from '../../failures';
import { EnrichmentFailure } from '../enrichCatalog/contract';
import { IngestFailure } from '../parallelIngest/contract';
import { SubmitFailure } from '../submitAndVerify/contract';
import { DelegationFailure } from '../supervisor/contract';

const src = path.resolve(__dirname, '../../../src'); // this file runs as dist/pipelines/endToEnd/failureCatalog.test.js

/** Every catalog, with the file (under src/) that defines it. */
const catalogs: { name: string; file: string; entries: Record<string, FailureSpec> }[] = [
  { name: 'Failure', file: 'failures.ts', entries: Failure },
  { name: 'EnrichmentFailure', file: 'pipelines/enrichCatalog/contract.ts', entries: EnrichmentFailure },
  { name: 'IngestFailure', file: 'pipelines/parallelIngest/contract.ts', entries: IngestFailure },
  { name: 'SubmitFailure', file: 'pipelines/submitAndVerify/contract.ts', entries: SubmitFailure },
  { name: 'DelegationFailure', file: 'pipelines/supervisor/contract.ts', entries: DelegationFailure },
];

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((d) => {
    const full = path.join(dir, d.name);
    if (d.isDirectory()) return sourceFiles(full);
    return d.name.endsWith('.ts') && !d.name.endsWith('.test.ts') && !d.name.endsWith('.d.ts') ? [full] : [];
  });
}
const files = sourceFiles(src).map((full) => ({ file: path.relative(src, full).split(path.sep).join('/'), text: readFileSync(full, 'utf8') }));
const owner = new Map<string, string>(); // type → the catalog file that defines it
for (const c of catalogs) for (const spec of Object.values(c.entries)) owner.set(spec.type, c.file);

test('the sources were found', () => {
  assert.ok(files.length > 100, `${files.length} source files under ${src}`);
  assert.ok(files.some((f) => f.file === 'failures.ts'));
});

test('every file that defines a catalog is one of the catalogs checked here', () => {
  const defining = files.filter((f) => /\bdefineFailures\(\{/.test(f.text)).map((f) => f.file).sort();
  assert.deepEqual(defining, catalogs.map((c) => c.file).sort(), 'a new catalog: add it to this test');
});

test('every BW_* type named in the code (comments included) is in a catalog', () => {
  const unknown: string[] = [];
  for (const { file, text } of files) {
    for (const m of text.matchAll(/\bBW_[A-Z0-9_]+\*?/g)) {
      const token = m[0];
      if (token.endsWith('*')) continue; // a family in prose, e.g. BW_EFFECT_*
      if (!owner.has(token)) unknown.push(`${file}: ${token}`);
    }
  }
  assert.deepEqual(unknown, [], 'types that are in no catalog');
});

test("a type's string literal appears only in its catalog: the rest of the code says Failure.X.type", () => {
  const elsewhere: string[] = [];
  for (const { file, text } of files) {
    for (const m of text.matchAll(/(['"])(BW_[A-Z0-9_]+)\1/g)) {
      const type = m[2]!;
      if (owner.get(type) !== file) elsewhere.push(`${file}: '${type}' (catalog: ${owner.get(type) ?? 'none'})`);
    }
  }
  assert.deepEqual(elsewhere, []);
  // and each catalog file spells each of its types once
  for (const c of catalogs) {
    const text = files.find((f) => f.file === c.file)!.text;
    for (const spec of Object.values(c.entries)) {
      assert.equal(text.split(`'${spec.type}'`).length - 1 + text.split(`"${spec.type}"`).length - 1, 1, `${c.name}: ${spec.type} once`);
    }
  }
});

test('no type is in two catalogs', () => {
  const seen = new Map<string, string>();
  const twice: string[] = [];
  for (const c of catalogs) {
    for (const [key, spec] of Object.entries(c.entries)) {
      const where = `${c.name}.${key}`;
      const before = seen.get(spec.type);
      if (before) twice.push(`${spec.type}: ${before} and ${where}`);
      seen.set(spec.type, where);
    }
  }
  assert.deepEqual(twice, []);
});

test('each entry has a BW_ type, a retryable flag and a meaning', () => {
  for (const c of catalogs) {
    assert.ok(Object.keys(c.entries).length > 0, c.name);
    for (const [key, spec] of Object.entries(c.entries)) {
      assert.match(spec.type, /^BW_[A-Z][A-Z0-9_]*$/, `${c.name}.${key}`);
      assert.equal(typeof spec.retryable, 'boolean', `${c.name}.${key}`);
      assert.ok(typeof spec.meaning === 'string' && spec.meaning.trim().length > 10, `${c.name}.${key} has a meaning`);
    }
  }
});
