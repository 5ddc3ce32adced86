/**
 * One worker process of the scale benchmark (forked by ./fleet.ts, real separate processes): either a
 * Breakwater worker running the reference pipelines — built with the public factory
 * (`createBreakwaterWorker` with the reference pipelines' options, as `createReferenceWorker` does), so codecs, interceptors and defaults the toolkit
 * adds reach the benchmark too — or a plain Temporal worker running the bare baselines. Configuration from
 * the environment like every Breakwater process; SCALE_* variables choose the mode and the tuning.
 * Answers the parent over IPC: its memory, the worker's status, retried activity attempts.
 */
import { NativeConnection, Runtime, Worker, type WorkerOptions } from '@temporalio/worker';
import type { ActivityInterceptorsFactory } from '@temporalio/worker';
import { temporalConnectionOptions } from '../../client/connection';
import { getConfig } from '../../config';
import { createPool } from '../../store/db';
import { createLogger, temporalLogger } from '../../workers/logger';
import { shutdownTracing } from '../../observability/tracing';
import { referenceWorkerOptions } from '../../pipelines/worker';
import { createBreakwaterWorker } from '../../workers/worker';
import { loadReferenceConfig } from '../../pipelines/config';
import { createBareActivities } from './bareActivities';

export type WorkerMode = 'breakwater' | 'bare';

export interface WorkerReport {
  rss: number;
  heapUsed: number;
  heapTotal: number;
  external: number;
  cached: number;
  inFlightActivations: number;
  inFlightActivities: number;
  retries: number;
  activities: number;
}

export type ParentMessage = { type: 'report'; gc?: boolean } | { type: 'stop' };

const counts = { retries: 0, activities: 0 };
const countAttempts: ActivityInterceptorsFactory = (ctx) => ({
  inbound: {
    execute(input, next) {
      counts.activities += 1;
      if (ctx.info.attempt > 1) counts.retries += 1;
      return next(input);
    },
  },
});

const num = (v: string | undefined): number | undefined => (v ? Number(v) : undefined);

async function main(): Promise<void> {
  const mode = (process.env.SCALE_MODE ?? 'breakwater') as WorkerMode;
  const config = getConfig();
  Runtime.install({ logger: temporalLogger(createLogger('error')), shutdownSignals: ['SIGINT', 'SIGTERM'] });
  const db = createPool(config.database);
  const connection = await NativeConnection.connect(temporalConnectionOptions(config));
  const tuning: Partial<WorkerOptions> = {
    ...(num(process.env.SCALE_MAX_ACTIVITIES) ? { maxConcurrentActivityTaskExecutions: num(process.env.SCALE_MAX_ACTIVITIES) } : {}),
    ...(num(process.env.SCALE_MAX_CACHED) ? { maxCachedWorkflows: num(process.env.SCALE_MAX_CACHED) } : {}),
    ...(num(process.env.SCALE_MAX_WFT) ? { maxConcurrentWorkflowTaskExecutions: num(process.env.SCALE_MAX_WFT) } : {}),
  };
  const worker =
    mode === 'breakwater'
      ? await createBreakwaterWorker({
          config, db, connection,
          ...referenceWorkerOptions({ db, config, reference: loadReferenceConfig() }),
          // An A/B variant of the reference bundle (e.g. built without shared modules), else the prebuilt one.
          ...(process.env.SCALE_REFERENCE_BUNDLE ? { workflowBundle: { codePath: process.env.SCALE_REFERENCE_BUNDLE } } : {}),
          workerOptions: { ...tuning, interceptors: { activity: [countAttempts] } },
        })
      : await Worker.create({
          connection,
          namespace: config.temporal.namespace,
          taskQueue: config.temporal.taskQueue,
          workflowBundle: { codePath: process.env.SCALE_BARE_BUNDLE! },
          activities: createBareActivities({ db, openaiBaseUrl: config.openai.baseUrl ?? "", portalUrl: process.env.PORTAL_URL }),
          interceptors: { activity: [countAttempts] },
          shutdownGraceTime: 1000,
          ...tuning,
        });
  process.on('message', (m: ParentMessage) => {
    if (m.type === 'stop') return void worker.shutdown();
    if (m.gc) (globalThis as { gc?: () => void }).gc?.();
    const mem = process.memoryUsage();
    const s = worker.getStatus();
    const report: WorkerReport = {
      rss: mem.rss, heapUsed: mem.heapUsed, heapTotal: mem.heapTotal, external: mem.external,
      cached: s.numCachedWorkflows, inFlightActivations: s.numInFlightWorkflowActivations, inFlightActivities: s.numInFlightActivities, ...counts,
    };
    process.send?.({ type: 'report', report });
  });
  const running = worker.run();
  process.send?.({ type: 'ready' });
  try {
    await running;
  } finally {
    await shutdownTracing();
    await connection.close();
    await db.end();
  }
  process.exit(0);
}

main().catch((e: unknown) => {
  process.stderr.write(`scale worker: ${(e as Error).stack ?? String(e)}\n`);
  process.exit(1);
});
