/**
 * The example's worker: `createWorker` builds it (the tests run exactly this), `node dist/worker.js` runs it
 * as a process. Two Temporal workers share one connection:
 * - the pipeline's: a plain `Worker.create` with this project's workflows, and the Breakwater plugin, which
 *   adds Breakwater's workflows, activities (LLM calls, breakers, effects, approvals, alerts), interceptors
 *   and payload encryption, and the publish effect;
 * - the catalog's: the brokered catalog activities on the API's own task queue.
 */
import path from 'node:path';
import { NativeConnection, Worker } from '@temporalio/worker';
import { breakwater, createApiWorkers, createPool, loadConfig, migrate, requireSetting, temporalConnectionOptions, type BreakwaterConfig, type Db } from 'breakwater';
import { createCatalogActivities, publishToShop } from './activities';
import { CATALOG_API } from './contract';

/** This project's agent roles, models and prices (BREAKWATER_MODELS_FILE overrides it). */
export const MODELS_FILE = path.resolve(__dirname, '..', 'config', 'models.json');

export interface ShopWorkerOptions {
  config: BreakwaterConfig;
  db: Db;
  connection: NativeConnection;
  /** The shop's base URL (SHOP_URL). */
  shopUrl: string;
  /** The supplier's catalog API (CATALOG_URL). */
  catalogUrl: string;
}

export async function createWorker(o: ShopWorkerOptions): Promise<Worker[]> {
  const pipeline = await Worker.create({
    connection: o.connection,
    taskQueue: o.config.temporal.taskQueue,
    workflowsPath: require.resolve('./workflows'),
    plugins: [breakwater({ config: o.config, db: o.db, effects: [publishToShop(o.shopUrl)] })],
  });
  const apis = await createApiWorkers({
    config: o.config,
    connection: o.connection,
    apis: [{ api: CATALOG_API, activities: createCatalogActivities(o) }],
  });
  return [pipeline, ...apis];
}

async function main(): Promise<void> {
  const config = loadConfig({ BREAKWATER_MODELS_FILE: MODELS_FILE, ...process.env });
  const db = createPool(config.database);
  await migrate(db, config.database.schema); // Breakwater's tables: fingerprints, breakers, broker, LLM calls, audit
  const connection = await NativeConnection.connect(temporalConnectionOptions(config));
  const workers = await createWorker({
    config,
    db,
    connection,
    shopUrl: requireSetting(process.env.SHOP_URL, 'SHOP_URL', 'the shop, e.g. http://127.0.0.1:4010 (npm run shop)'),
    catalogUrl: requireSetting(process.env.CATALOG_URL, 'CATALOG_URL', "the supplier's catalog API"),
  });
  process.stdout.write(`worker on task queue ${config.temporal.taskQueue}; Ctrl-C stops it\n`);
  try {
    await Promise.all(workers.map((w) => w.run())); // until SIGINT/SIGTERM, then in-flight work drains
  } finally {
    await connection.close();
    await db.end();
  }
}

if (require.main === module) {
  main().catch((e: unknown) => {
    process.stderr.write(`worker: ${(e as Error).message}\n`);
    process.exit(1);
  });
}
