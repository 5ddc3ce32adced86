/**
 * examples/shop inside the accounting bench. The example is its own project (it installs the packed
 * tarball, see src/examples.test.ts), too slow to pack and install per bench run; instead its own source
 * files (examples/shop/src: workflow, activities, worker, fake shop) are transpiled as they are, unchanged,
 * into dist/bench/shop/src, where `breakwater` and `breakwater/workflow` resolve to this package's own
 * build by its name (Node's and webpack's package self-reference through package.json `exports`) and
 * Temporal and zod to this checkout's node_modules. Its worker is then built with its own `createWorker`,
 * as the example's tests do. Transpiled, not type-checked: the examples test type-checks it strictly.
 */
import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import ts from 'typescript';
import type { Worker } from '@temporalio/worker';
import type { NativeConnection } from '@temporalio/worker';
import type { BreakwaterConfig } from '../../config';
import type { Db } from '../../store/db';

const root = path.resolve(__dirname, '..', '..', '..'); // this file runs as dist/bench/accounting/shopExample.js
const example = path.join(root, 'examples', 'shop');
const out = path.join(root, 'dist', 'bench', 'shop');
const files = ['contract', 'workflows', 'activities', 'worker', 'shopServer'];

export interface ShopExample {
  createWorker(o: { config: BreakwaterConfig; db: Db; connection: NativeConnection; shopUrl: string; catalogUrl: string }): Promise<Worker[]>;
  startShopServer(o?: { listDelayMs?: number }): Promise<{ url: string; close(): Promise<void>; posts(sku?: string): unknown[] }>;
  /** The classifier's answer schema, as the example's workflow defines it (the bare side validates with it too). */
  productCategory: { name: string; schema: import('zod').ZodType };
  CONFIDENCE_THRESHOLD: number;
  modelsFile: string;
}

export function loadShopExample(): ShopExample {
  mkdirSync(path.join(out, 'src'), { recursive: true });
  mkdirSync(path.join(out, 'config'), { recursive: true });
  for (const f of files) {
    const source = readFileSync(path.join(example, 'src', `${f}.ts`), 'utf8');
    const { outputText } = ts.transpileModule(source, { fileName: `${f}.ts`, compilerOptions: { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2022, esModuleInterop: true } });
    writeFileSync(path.join(out, 'src', `${f}.js`), outputText);
  }
  const modelsFile = path.join(out, 'config', 'models.json');
  copyFileSync(path.join(example, 'config', 'models.json'), modelsFile);
  /* eslint-disable @typescript-eslint/no-require-imports -- generated at run time, loaded by path */
  const worker = require(path.join(out, 'src', 'worker.js')) as Pick<ShopExample, 'createWorker'>;
  const server = require(path.join(out, 'src', 'shopServer.js')) as Pick<ShopExample, 'startShopServer'>;
  const workflows = require(path.join(out, 'src', 'workflows.js')) as Pick<ShopExample, 'productCategory' | 'CONFIDENCE_THRESHOLD'>;
  /* eslint-enable @typescript-eslint/no-require-imports */
  return { createWorker: worker.createWorker, startShopServer: server.startShopServer, productCategory: workflows.productCategory, CONFIDENCE_THRESHOLD: workflows.CONFIDENCE_THRESHOLD, modelsFile };
}
