// Lint rules. The one that matters most: workflow code stays deterministic. Files under src/workflows and
// src/deterministic may import only @temporalio/workflow, @temporalio/common, zod, pure modules, and
// activities as *types*. Node built-ins, pg, openai, pino and HTTP clients do I/O and are rejected.
import { builtinModules } from 'node:module';
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

const nodeBuiltins = [...new Set(builtinModules.flatMap((m) => [m, `node:${m}`]))];

export const deterministicImportRule = [
  'error',
  {
    paths: [
      ...nodeBuiltins.map((name) => ({ name, message: 'Workflow code must be deterministic: no Node built-ins (they do I/O).' })),
      ...['pg', 'openai', 'pino', 'prom-client', 'undici', 'axios', 'node-fetch', '@temporalio/activity', '@temporalio/worker', '@temporalio/client'].map((name) => ({
        name,
        message: 'Workflow code must be deterministic: this module does I/O; call it from an activity.',
      })),
    ],
    patterns: [
      { group: ['node:*'], message: 'Workflow code must be deterministic: no Node built-ins.' },
      {
        group: ['**/activities', '**/activities/*', '**/activities/**'],
        allowTypeImports: true,
        message: 'Import activities as types only (`import type`) and call them through proxyActivities.',
      },
      {
        group: ['**/store/*', '**/devstack/*', '**/simulators/*', '**/workers/*', '**/client/*', '**/config', '**/redact'],
        allowTypeImports: true,
        message: 'Workflow code may import only pure modules (src/deterministic, src/contracts, src/errors).',
      },
    ],
  },
];

// The toolkit never imports a reference pipeline: src/pipelines builds on the toolkit's public API, like a
// user's project. Dev tooling (demo, bench, chaos) may use both; tests of the pipelines live in src/pipelines.
export const toolkitImportRule = [
  'error',
  {
    patterns: [
      {
        group: ['**/pipelines', '**/pipelines/*', '**/pipelines/**'],
        message: 'The toolkit must not import a reference pipeline: move what both need into the toolkit, or the code into src/pipelines.',
      },
    ],
  },
];

export default tseslint.config(
  { ignores: ['dist/**', 'dist.next/**', 'dist.old/**', 'node_modules/**', '.breakwater/**', 'test-artifacts/**', 'bin/**', '**/*.mjs', 'test/fixtures/**', 'examples/*/dist/**', 'examples/*/vendor/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ['src/**/*.ts'],
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    rules: {
      '@typescript-eslint/no-floating-promises': [
        'error',
        { allowForKnownSafeCalls: [{ from: 'package', package: 'node:test', name: ['test', 'describe', 'it', 'suite', 'before', 'after'] }] },
      ],
      '@typescript-eslint/no-misused-promises': ['error', { checksVoidReturn: { arguments: false } }],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
  // The example projects: a user's code, linted without type information (their node_modules may be absent).
  {
    files: ['examples/*/src/**/*.ts'],
    rules: { '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }] },
  },
  {
    files: ['src/**/*.ts'],
    ignores: ['src/pipelines/**', 'src/demo/**', 'src/bench/**', 'src/chaos/**'],
    rules: { 'no-restricted-imports': toolkitImportRule },
  },
  {
    files: ['src/workflows/**/*.ts', 'src/deterministic/**/*.ts', 'src/contracts/**/*.ts', 'src/workflow.ts', 'src/pipelines/**/workflow.ts', 'src/pipelines/**/contract.ts', 'src/pipelines/planExecuteReview/planRun.ts', 'src/pipelines/planExecuteReview/reviewPolicy.ts', 'src/pipelines/supervisor/subAgent.ts', 'src/pipelines/workflows.ts', 'src/**/fixtures/*Workflows.ts', 'examples/*/src/workflows.ts', 'examples/*/src/contract.ts'],
    ignores: ['**/*.test.ts'],
    rules: { '@typescript-eslint/no-restricted-imports': deterministicImportRule },
  },
);
