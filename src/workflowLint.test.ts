/** The determinism lint rule fires on workflow code that imports I/O modules, and passes clean code. */
import assert from 'node:assert/strict';
import path from 'node:path';
import { test } from 'node:test';
import { ESLint } from 'eslint';
import { packageRoot } from './devstack/paths';

const eslint = new ESLint({ cwd: packageRoot() });
const workflowFile = path.join(packageRoot(), 'src', 'workflows', 'doctor.ts');

async function ruleIds(code: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath: workflowFile });
  return (result?.messages ?? []).map((m) => m.ruleId ?? m.message);
}

test('a workflow file that imports pg is rejected', async () => {
  const ids = await ruleIds("import { Pool } from 'pg';\nexport const p = Pool;\n");
  assert.ok(ids.includes('@typescript-eslint/no-restricted-imports'), `got ${ids.join(', ')}`);
});

test('node built-ins and value imports of activities are rejected; type imports pass', async () => {
  assert.ok((await ruleIds("import fs from 'node:fs';\nexport const f = fs;\n")).includes('@typescript-eslint/no-restricted-imports'));
  assert.ok((await ruleIds("import { createActivities } from '../activities';\nexport const c = createActivities;\n")).includes('@typescript-eslint/no-restricted-imports'));
  const clean = await ruleIds("import type { Activities } from '../activities';\nexport type A = Activities;\n");
  assert.deepEqual(clean, []);
});

test('floating promises are errors', async () => {
  const ids = await ruleIds('async function f(): Promise<void> {}\nexport function g(): void { f(); }\n');
  assert.ok(ids.includes('@typescript-eslint/no-floating-promises'), `got ${ids.join(', ')}`);
});

/** The toolkit → pipelines boundary: the toolkit never imports a reference pipeline; pipelines use the toolkit. */
async function ruleIdsAt(file: string, code: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath: path.join(packageRoot(), file) });
  return (result?.messages ?? []).map((m) => m.ruleId ?? m.message);
}

test('toolkit code that imports a reference pipeline is rejected, in every toolkit layer', async () => {
  for (const [file, spec] of [
    ['src/activities/effects.ts', '../pipelines/submitAndVerify/activities'],
    ['src/workers/worker.ts', '../pipelines/worker'],
    ['src/client/commands/setup.ts', '../../pipelines/submitAndVerify/client'],
    ['src/workflows/effect.ts', '../pipelines/submitAndVerify/contract'],
    ['src/index.ts', './pipelines/activities'],
  ] as const) {
    const ids = await ruleIdsAt(file, `import * as p from '${spec}';\nexport const q = p;\n`);
    assert.ok(ids.includes('no-restricted-imports'), `${file} importing ${spec}: got ${ids.join(', ') || 'no error'}`);
  }
});

test('a reference pipeline may import the toolkit and other pipelines; its workflow stays deterministic', async () => {
  assert.deepEqual(await ruleIdsAt('src/pipelines/activities.ts', "import { createActivities } from '../activities';\nimport { ENRICHMENT_API } from './enrichCatalog/contract';\nexport const a = [createActivities, ENRICHMENT_API];\n"), []);
  const ids = await ruleIdsAt('src/pipelines/submitAndVerify/workflow.ts', "import { Pool } from 'pg';\nexport const p = Pool;\n");
  assert.ok(ids.includes('@typescript-eslint/no-restricted-imports'), `got ${ids.join(', ')}`);
});

test("the example project's workflow code is held to the same rule", async () => {
  const ids = await ruleIdsAt('examples/shop/src/workflows.ts', "import { readFileSync } from 'node:fs';\nexport const r = readFileSync;\n");
  assert.ok(ids.includes('@typescript-eslint/no-restricted-imports'), `got ${ids.join(', ')}`);
  assert.deepEqual(await ruleIdsAt('examples/shop/src/workflows.ts', "import type { CatalogApi } from './contract';\nexport type C = CatalogApi;\n"), []);
});
