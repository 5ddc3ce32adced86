/**
 * Integration-test harness: a real Temporal server and a real Postgres for each test file, isolated.
 *
 * - Temporal: a dev server of its own (TestWorkflowEnvironment.createLocal with the provisioned CLI), or the
 *   time-skipping test server where a test must cross long durable timers.
 * - Postgres: the stack's cluster (or DATABASE_URL), in a fresh schema per test file, migrated.
 */
import { randomBytes } from 'node:crypto';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import type { Worker } from '@temporalio/worker';
import { loadConfig, type BreakwaterConfig } from '../config';
import { searchAttributeKeys } from '../contracts/searchAttributes';
import { ensureStack } from '../devstack/stack';
import { ensureTemporalCli, ensureTemporalTestServer } from '../devstack/temporalTools';
import { createPool, type Db } from '../store/db';
import { migrate } from '../store/migrate';
import { createApiWorkers, type ApiWorkersOptions } from '../workers/apiWorkers';
import { createBreakwaterWorker, type BreakwaterWorkerOptions } from '../workers/worker';

export interface TestStack {
  env: TestWorkflowEnvironment;
  db: Db;
  schema: string;
  taskQueue: string;
  config: BreakwaterConfig;
  /** A worker on this test's task queue with Breakwater's activities (plus overrides). */
  createWorker(extra?: Omit<BreakwaterWorkerOptions, 'config' | 'db' | 'connection'>): Promise<Worker>;
  /**
   * Creates a worker on this test's task queue and runs it until teardown (which shuts it down and waits
   * for it first). For tests that need a worker in the background rather than `worker.runUntil`.
   */
  startWorker(extra?: Omit<BreakwaterWorkerOptions, 'config' | 'db' | 'connection'>): Promise<Worker>;
  /** The broker's per-API workers (e.g. `<taskQueue>-api-enrichment`) for this test's task queue. */
  createApiWorkers(extra?: Omit<ApiWorkersOptions, 'config' | 'db' | 'connection'>): Promise<Worker[]>;
  teardown(): Promise<void>;
}

export interface TestStackOptions {
  timeSkipping?: boolean;
  /** Extra env (e.g. PORTAL_URL) layered over process.env for this test's config. */
  env?: Record<string, string>;
  /** Serve the dev server's Web UI on this port (browser tests). */
  uiPort?: number;
}

async function databaseUrl(): Promise<string> {
  if (process.env.DATABASE_URL) return process.env.DATABASE_URL;
  const fromStack = loadConfig({}).database.url;
  return fromStack ?? (await ensureStack()).postgres.url;
}

export async function startTestStack(options: TestStackOptions = {}): Promise<TestStack> {
  const env = options.timeSkipping
    ? await TestWorkflowEnvironment.createTimeSkipping({
        server: { executable: { type: 'existing-path', path: ensureTemporalTestServer() } },
      })
    : await TestWorkflowEnvironment.createLocal({
        server: {
          executable: { type: 'existing-path', path: ensureTemporalCli() },
          searchAttributes: [...searchAttributeKeys],
          ...(options.uiPort ? { ui: true, uiPort: options.uiPort } : {}),
        },
      });
  const schema = `t_${randomBytes(6).toString('hex')}`;
  const taskQueue = `test-${schema}`;
  const config = loadConfig({
    ...process.env,
    DATABASE_URL: await databaseUrl(),
    DATABASE_SCHEMA: schema,
    TEMPORAL_TASK_QUEUE: taskQueue,
    TEMPORAL_ADDRESS: env.address,
    LOG_LEVEL: 'warn',
    SHUTDOWN_GRACE_MS: '2000',
    ...options.env,
  });
  const db = createPool(config.database);
  await migrate(db, schema);
  const background: { worker: Worker; run: Promise<void> }[] = [];
  const createWorker = (extra: Omit<BreakwaterWorkerOptions, 'config' | 'db' | 'connection'> = {}) =>
    createBreakwaterWorker({ config, db, connection: env.nativeConnection, taskQueue, ...extra });

  return {
    env,
    db,
    schema,
    taskQueue,
    config,
    createWorker,
    async startWorker(extra = {}) {
      const worker = await createWorker(extra);
      background.push({ worker, run: worker.run() });
      return worker;
    },
    createApiWorkers: (extra = {}) => createApiWorkers({ config, db, connection: env.nativeConnection, taskQueue, ...extra }),
    async teardown() {
      for (const b of background) b.worker.shutdown();
      await Promise.all(background.map((b) => b.run.catch(() => undefined)));
      await db.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`).catch(() => undefined);
      await db.end();
      await env.teardown();
    },
  };
}
