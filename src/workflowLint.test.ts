/** The determinism lint rule fires on workflow code that imports I/O modules, and passes clean code. */
import assert from 'node:assert/strict';
import path from 'node:path';
import { test } from 'node:test';
import { ESLint } from 'eslint';
import { projectRoot } from './devstack/paths';

const eslint = new ESLint({ cwd: projectRoot() });
const workflowFile = path.join(projectRoot(), 'src', 'workflows', 'doctor.ts');

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
