/**
 * All SQL lives in src/store: outside it, no toolkit or pipeline code calls `query` on a `pg` pool or client.
 * Activities are thin Temporal adapters over the stores; the CLI, observability and the test kits call the
 * stores too. A reference pipeline keeps the SQL of its own tables in `src/pipelines/<pipeline>/store.ts`
 * (the toolkit's store must not know pipeline tables).
 *
 * Exempt: tests (they may keep SQL for set-up and assertions) and the dev tooling, which is not published and
 * may keep SQL for set-up and invariants: src/devstack (creates the database), src/chaos (checks invariants
 * on the tables), src/bench (drops its schema), src/demo.
 *
 * The type checker tells which `.query(` is pg's, so a Temporal workflow query (`handle.query(escalationQuery)`)
 * is not mistaken for SQL; a call whose target it cannot resolve counts as SQL.
 */
import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import ts from 'typescript';
import { packageRoot } from '../devstack/paths';

const root = packageRoot();
const src = path.join(root, 'src');
const rel = (file: string) => path.relative(root, file).split(path.sep).join('/');

/** Where SQL may live (paths relative to the project root). */
const mayHoldSql = (file: string): boolean =>
  /^src\/store\//.test(file) || /^src\/pipelines\/[^/]+\/store\.ts$/.test(file) || /^src\/(devstack|chaos|bench|demo)\//.test(file);

const sourceFiles = (readdirSync(src, { recursive: true, encoding: 'utf8' }) as string[])
  .filter((f) => f.endsWith('.ts') && !f.endsWith('.test.ts') && !f.endsWith('.d.ts'))
  .map((f) => path.join(src, f));

/** Every `x.query(…)` whose signature comes from pg (or cannot be resolved), as `file:line`, per file. */
function pgQueryCalls(files: string[]): Map<string, string[]> {
  const config = ts.getParsedCommandLineOfConfigFile(path.join(root, 'tsconfig.json'), {}, { ...ts.sys, onUnRecoverableConfigFileDiagnostic: () => undefined });
  assert.ok(config, 'tsconfig.json could not be read');
  const program = ts.createProgram(files, { ...config.options, noEmit: true });
  const checker = program.getTypeChecker();
  const found = new Map<string, string[]>();
  for (const file of files) {
    const sf = program.getSourceFile(file);
    assert.ok(sf, `${rel(file)} is not in the program`);
    const visit = (node: ts.Node): void => {
      if (ts.isCallExpression(node) && ts.isPropertyAccessExpression(node.expression) && node.expression.name.text === 'query') {
        const from = checker.getResolvedSignature(node)?.declaration?.getSourceFile().fileName;
        if (!from || /[/\\](@types[/\\])?pg[/\\]/.test(from)) {
          const line = sf.getLineAndCharacterOfPosition(node.getStart(sf)).line + 1;
          found.set(rel(file), [...(found.get(rel(file)) ?? []), `${rel(file)}:${line}`]);
        }
      }
      ts.forEachChild(node, visit);
    };
    visit(sf);
  }
  return found;
}

test('no SQL outside src/store, the pipelines’ own store.ts and the dev tooling', () => {
  const calls = pgQueryCalls(sourceFiles);
  // The check sees pg's calls at all: the store itself makes them.
  assert.ok(calls.has('src/store/db.ts'), 'the checker found no pg query in src/store/db.ts: it cannot see pg calls');
  const outside = [...calls.entries()].filter(([file]) => !mayHoldSql(file)).flatMap(([, at]) => at);
  assert.deepEqual(outside, [], `SQL outside src/store — move it into a store (src/store/<what it stores>.ts, or the pipeline's store.ts):\n  ${outside.join('\n  ')}`);
});
