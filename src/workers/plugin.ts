/**
 * Breakwater as a Temporal plugin (`@temporalio/plugin`): `plugins: [breakwater()]` on your own
 * `Worker.create`, `new Client`, `Connection.connect` or `NativeConnection.connect` adds what Breakwater
 * needs and leaves the rest of your options as you wrote them:
 * - clients and workers: the data converter (payloads encrypted with the configured key ring, failure
 *   messages encoded), and the namespace of the configuration when you name none;
 * - connections: the configured address, TLS and API key where you set none;
 * - workers: Breakwater's activities beside yours (yours win a shared name), its workflows bundled with
 *   yours (`workflowsPath`, merged by the bundler hook, so it composes with other plugins' bundling), the
 *   metrics / failed-attempt / tracing interceptors and sinks, a workflow cache sized for a Breakwater run,
 *   the configured task queue when you name none, and the alert relay while the worker runs.
 * A worker given no workflows of yours runs Breakwater's (the prebuilt bundle when it fits).
 */
import type { ClientOptions, ConnectionOptions } from '@temporalio/client';
import { SimplePlugin } from '@temporalio/plugin';
import type { BundleOptions, NativeConnectionOptions, ReplayWorkerOptions, Worker, WorkerOptions } from '@temporalio/worker';
import { existsSync } from 'node:fs';
import { createActivities, type ActivityDeps } from '../activities';
import { temporalConnectionOptions } from '../client/connection';
import { breakwaterDataConverter } from '../codec/dataConverter';
import { loadConfig, type BreakwaterConfig } from '../config';
import { observabilitySinks, workerObservability } from '../observability/workerObservability';
import { installTracingFromConfig, tracingEnabled } from '../observability/tracing';
import { createPool, type Db } from '../store/db';
import { migrate, type MigrateOptions } from '../store/migrate';
import { startAlertRelay } from './alertRelay';
import { breakwaterBundleOptions, breakwaterBundlePath, breakwaterWorkflowsPath, bundleTraces } from './bundle';
import { createLogger } from './logger';
import { defaultMaxCachedWorkflows } from './workflowCache';

export const BREAKWATER_PLUGIN_NAME = 'breakwater';

export interface BreakwaterPluginOptions extends Pick<ActivityDeps, 'effects' | 'resourceResolvers' | 'llm' | 'tools'> {
  /** Default `loadConfig()`: environment, config file, the project's local stack. */
  config?: BreakwaterConfig;
  /** Postgres for Breakwater's activities. Default: a pool of `config.database`, ended when the last worker using it stops. */
  db?: Db;
  /**
   * The alert outbox's relay, delivering alerts a channel refused or a crash left pending, while a worker
   * runs. Default every 15 s; `false` when another process of yours runs it.
   */
  alertRelay?: false | { intervalMs?: number };
  /**
   * Apply Breakwater's migrations (and yours: `{ folders }`) in `config.database.schema` before a worker
   * polls. Default: when the plugin makes its own pool (no `db` given); with your own pool, you migrate.
   * Concurrent starts are safe (an advisory lock); an up-to-date schema costs a few statements per worker start, none per run.
   */
  migrate?: boolean | MigrateOptions;
}

/** The plugin `breakwater()` returns: one instance may serve a client and several workers. */
export class BreakwaterPlugin extends SimplePlugin {
  readonly config: BreakwaterConfig;
  private pool: { db: Db; owned: boolean; running: number } | undefined;

  constructor(private readonly o: BreakwaterPluginOptions = {}) {
    const config = o.config ?? loadConfig();
    const connection = temporalConnectionOptions(config);
    super({
      name: BREAKWATER_PLUGIN_NAME,
      // Connection settings of the configuration only where the caller set none.
      tls: (existing) => existing ?? connection.tls ?? null,
      apiKey: (existing) => existing ?? connection.apiKey ?? '',
      dataConverter: (existing) => breakwaterDataConverter(config, existing),
    });
    this.config = config;
  }

  override configureConnection(options: ConnectionOptions): ConnectionOptions {
    return withoutEmpty(super.configureConnection({ ...options, address: options.address ?? this.config.temporal.address }));
  }

  override configureNativeConnection(options: NativeConnectionOptions): NativeConnectionOptions {
    return withoutEmpty(super.configureNativeConnection({ ...options, address: options.address ?? this.config.temporal.address }));
  }

  override configureClient(options: Omit<ClientOptions, 'plugins'>): Omit<ClientOptions, 'plugins'> {
    return super.configureClient({ ...options, namespace: options.namespace ?? this.config.temporal.namespace });
  }

  override configureWorker(options: WorkerOptions): WorkerOptions {
    installTracingFromConfig(this.config); // before choosing the bundle: a tracing worker bundles the span interceptors
    const tracing = tracingEnabled();
    const db = this.acquirePool().db;
    const activities = createActivities({ db, config: this.config, effects: this.o.effects, resourceResolvers: this.o.resourceResolvers, llm: this.o.llm, tools: this.o.tools });
    const observability = workerObservability(this.config, options, [], db);
    const configured = super.configureWorker({
      namespace: this.config.temporal.namespace,
      shutdownGraceTime: this.config.shutdownGraceMs,
      maxCachedWorkflows: defaultMaxCachedWorkflows(), // sized for what a Breakwater run holds (workflowCache.ts)
      ...options,
      taskQueue: options.taskQueue || this.config.temporal.taskQueue,
      ...this.workflowSource(options, tracing),
      activities: { ...activities, ...(options.activities as object | undefined) },
      ...observability,
    });
    return configured;
  }

  override configureReplayWorker(options: ReplayWorkerOptions): ReplayWorkerOptions {
    installTracingFromConfig(this.config);
    const source = this.workflowSource(options, tracingEnabled());
    return super.configureReplayWorker({ ...options, ...source, sinks: { ...observabilitySinks(), ...options.sinks } });
  }

  /** Temporal's bundler calls this when a worker (or your own `bundleWorkflowCode`) bundles `workflowsPath`. */
  override configureBundler(options: BundleOptions): BundleOptions {
    return super.configureBundler(breakwaterBundleOptions(options, { tracing: tracingEnabled() }));
  }

  override async runWorker(worker: Worker, next: (w: Worker) => Promise<void>): Promise<void> {
    const pool = this.acquirePool();
    pool.running += 1;
    const db = pool.db;
    let relay: { stop(): Promise<void> } | undefined;
    try {
      const migrations = this.o.migrate ?? !this.o.db;
      if (migrations !== false) await migrate(db, this.config.database.schema, migrations === true ? {} : migrations);
      relay = this.o.alertRelay === false ? undefined : startAlertRelay({ db, config: this.config, intervalMs: this.o.alertRelay ? this.o.alertRelay.intervalMs : undefined });
      await super.runWorker(worker, next);
    } finally {
      await relay?.stop();
      await this.releaseDb();
    }
  }

  /**
   * Which workflows a worker runs. A prebuilt bundle holds Breakwater's workflows already and is used when it
   * fits: a worker that traces needs one bundled with the span interceptors, else it bundles `workflowsPath`
   * at start (or warns, with no path to bundle). Your workflows are merged with Breakwater's by
   * configureBundler; none of yours: Breakwater's prebuilt bundle, or its workflows bundled at start.
   */
  private workflowSource(options: Pick<WorkerOptions, 'workflowsPath' | 'workflowBundle' | 'dataConverter' | 'interceptors'>, tracing: boolean): Pick<WorkerOptions, 'workflowsPath' | 'workflowBundle'> {
    const bundle = options.workflowBundle;
    if (bundle) {
      if (!tracing || bundleTraces(bundle)) return { workflowBundle: bundle, workflowsPath: undefined };
      if (!options.workflowsPath) {
        createLogger(this.config.logLevel).warn(
          'tracing is on, but the prebuilt workflow bundle has no OpenTelemetry workflow interceptors: runs will have activity spans only (build it with writeWorkflowBundle(file, { tracing: true }), or pass workflowsPath too)',
        );
        return { workflowBundle: bundle };
      }
      return { workflowBundle: undefined, workflowsPath: options.workflowsPath };
    }
    if (options.workflowsPath) return { workflowsPath: options.workflowsPath };
    // The prebuilt bundle carries Breakwater's failure converter and no interceptors of anyone else's.
    const fits = !tracing && !options.dataConverter?.failureConverterPath && !options.interceptors?.workflowModules?.length && existsSync(breakwaterBundlePath());
    return fits ? { workflowBundle: { codePath: breakwaterBundlePath() } } : { workflowsPath: breakwaterWorkflowsPath() };
  }

  private acquirePool(): { db: Db; owned: boolean; running: number } {
    this.pool ??= this.o.db ? { db: this.o.db, owned: false, running: 0 } : { db: createPool(this.config.database), owned: true, running: 0 };
    return this.pool;
  }

  /** Ends a pool the plugin made once no worker runs on it; the caller's own pool is the caller's to end. */
  private async releaseDb(): Promise<void> {
    const pool = this.pool;
    if (!pool) return;
    pool.running -= 1;
    if (pool.running > 0 || !pool.owned) return;
    this.pool = undefined;
    await pool.db.end();
  }
}

/** `tls: null` and `apiKey: ''` stand for "nothing configured" in the hooks above; the SDK wants them absent. */
function withoutEmpty<T extends { tls?: unknown; apiKey?: unknown }>(options: T): T {
  const out = { ...options };
  if (out.tls === null || out.tls === undefined) delete out.tls;
  if (out.apiKey === '' || out.apiKey === undefined) delete out.apiKey;
  return out;
}

/** Breakwater as a Temporal plugin (see the file comment). */
export function breakwater(options: BreakwaterPluginOptions = {}): BreakwaterPlugin {
  return new BreakwaterPlugin(options);
}
