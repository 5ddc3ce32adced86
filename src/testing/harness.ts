/**
 * Integration-test harness: a real Temporal server and a real Postgres for each test file, isolated — for
 * Breakwater's tests and for yours (`breakwater/testing`).
 *
 * - Temporal: a dev server of its own (TestWorkflowEnvironment.createLocal), or the time-skipping test
 *   server where a test must cross long durable timers. Binaries: TEMPORAL_CLI / TEMPORAL_TEST_SERVER, else
 *   on PATH, else the pinned ones in the machine's tools cache (what `npx breakwater stack start` fetched).
 *   Breakwater's search attributes are registered on it.
 * - Postgres: DATABASE_URL, else the project's stack (`npx breakwater stack start`), in a fresh schema per
 *   test file, migrated with Breakwater's migrations and yours.
 */
import { randomBytes } from 'node:crypto';
import { generateKeySpec } from '../codec/keys';
import { breakwaterDataConverter } from '../codec/dataConverter';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import type { Worker } from '@temporalio/worker';
import { loadConfig, type BreakwaterConfig } from '../config';
import { approverEnv, type TestApprover } from './approvers';
import { searchAttributeKeys } from '../contracts/searchAttributes';
import { ConfigError } from '../errors';
import { createPool, type Db } from '../store/db';
import { ensureTemporalCli, ensureTemporalTestServer } from '../devstack/temporalTools';
import { dropSchema, migrate } from '../store/migrate';
import { createBreakwaterWorker, type BreakwaterWorkerOptions } from '../workers/worker';

export type TestWorkerOptions = Omit<BreakwaterWorkerOptions, 'config' | 'db' | 'connection'>;

export interface TestStack {
  env: TestWorkflowEnvironment;
  db: Db;
  schema: string;
  taskQueue: string;
  config: BreakwaterConfig;
  /** The environment this stack's config was read from (process.env, the stack's servers, `options.env`). */
  settings: Record<string, string | undefined>;
  /** A worker on this test's task queue with Breakwater's activities, the stack's `worker` defaults and `extra`. */
  createWorker(extra?: TestWorkerOptions): Promise<Worker>;
  /**
   * Creates a worker on this test's task queue and runs it until teardown (which shuts it down and waits
   * for it first). For tests that need a worker in the background rather than `worker.runUntil`.
   */
  startWorker(extra?: TestWorkerOptions): Promise<Worker>;
  /** Runs a worker created elsewhere (e.g. the broker's API workers) until teardown. */
  runUntilTeardown(worker: Worker): void;
  teardown(): Promise<void>;
}

export interface TestStackOptions {
  timeSkipping?: boolean;
  /** Extra env (e.g. PORTAL_URL) layered over process.env for this test's config. */
  env?: Record<string, string>;
  /** Serve the dev server's Web UI on this port (browser tests). */
  uiPort?: number;
  /** The Web UI's remote codec endpoint (`--ui-codec-endpoint`), e.g. a `breakwater codec-server`. */
  uiCodecEndpoint?: string;
  /** Your migrations folders, applied after Breakwater's in the test's schema. */
  migrations?: string[];
  /**
   * Approvers whose signatures the stack's worker verifies (`createTestApprover`): development mode off.
   * Without them the worker runs in development mode — unsigned decisions accepted, audited as `dev-mode`.
   */
  approvers?: readonly TestApprover[];
  /** Defaults for every worker of this stack (your workflows, activities, effects). */
  worker?: (deps: { db: Db; config: BreakwaterConfig; settings: Record<string, string | undefined> }) => TestWorkerOptions;
}

function databaseUrl(): string {
  const url = process.env.DATABASE_URL ?? loadConfig({}).database.url;
  if (!url) throw new ConfigError("No Postgres for the tests: run 'npx breakwater stack start' in this project (or set DATABASE_URL)", ['DATABASE_URL']);
  return url;
}

// The pinned binaries, never the SDK's download of whatever is newest: the same server in every run.
const existing = (path: string) => ({ executable: { type: 'existing-path' as const, path } });

export async function startTestStack(options: TestStackOptions = {}): Promise<TestStack> {
  const url = databaseUrl();
  // Payloads are encrypted in tests as in production. Without a configured key the harness makes one for
  // this test process and puts it in process.env, so the processes a test spawns (the CLI, a worker) share it.
  if (!process.env.BREAKWATER_CODEC_KEYS && !process.env.BREAKWATER_CODEC_KEYS_FILE) process.env.BREAKWATER_CODEC_KEYS = generateKeySpec('test');
  const identityEnv = options.approvers ? approverEnv(options.approvers) : { BREAKWATER_DEV_MODE: '1' };
  const config0 = loadConfig({ ...process.env, ...identityEnv, ...options.env, DATABASE_URL: url });
  const client = { dataConverter: breakwaterDataConverter(config0) };
  const env = options.timeSkipping
    ? await TestWorkflowEnvironment.createTimeSkipping({ client, server: existing(ensureTemporalTestServer()) })
    : await TestWorkflowEnvironment.createLocal({
        client,
        server: {
          ...existing(ensureTemporalCli()),
          searchAttributes: [...searchAttributeKeys],
          ...(options.uiPort ? { ui: true, uiPort: options.uiPort } : {}),
          ...(options.uiCodecEndpoint ? { extraArgs: ['--ui-codec-endpoint', options.uiCodecEndpoint] } : {}),
        },
      });
  const schema = `t_${randomBytes(6).toString('hex')}`;
  const taskQueue = `test-${schema}`;
  const settings = {
    ...process.env,
    DATABASE_URL: url,
    DATABASE_SCHEMA: schema,
    TEMPORAL_TASK_QUEUE: taskQueue,
    TEMPORAL_ADDRESS: env.address,
    LOG_LEVEL: 'warn',
    SHUTDOWN_GRACE_MS: '2000',
    // Development mode unless the test names its approvers: then the worker verifies signatures, as in production.
    ...identityEnv,
    ...options.env,
  };
  const config = loadConfig(settings);
  const db = createPool(config.database);
  await migrate(db, schema, { folders: options.migrations });
  const background: { worker: Worker; run: Promise<void> }[] = [];
  const defaults = options.worker?.({ db, config, settings }) ?? {};
  const createWorker = (extra: TestWorkerOptions = {}) =>
    createBreakwaterWorker({ taskQueue, ...defaults, ...extra, activities: { ...defaults.activities, ...extra.activities }, config, db, connection: env.nativeConnection });
  const runUntilTeardown = (worker: Worker) => void background.push({ worker, run: worker.run() });

  return {
    env,
    db,
    schema,
    taskQueue,
    config,
    settings,
    createWorker,
    async startWorker(extra = {}) {
      const worker = await createWorker(extra);
      runUntilTeardown(worker);
      return worker;
    },
    runUntilTeardown,
    async teardown() {
      for (const b of background) b.worker.shutdown();
      await Promise.all(background.map((b) => b.run.catch(() => undefined)));
      await dropSchema(db, schema).catch(() => undefined);
      await db.end();
      await env.teardown();
    },
  };
}
