/**
 * `npm run worker`: one worker process running the reference pipelines (and Breakwater's own workflows) —
 * the shape of a user's worker process. Migrations run first; SIGINT/SIGTERM shut it down gracefully
 * (in-flight activities get `shutdownGraceTime`, SHUTDOWN_GRACE_MS, to finish).
 */
import { NativeConnection, Runtime } from '@temporalio/worker';
import { connectClient, temporalConnectionOptions } from '../client/connection';
import { configSecrets, getConfig } from '../config';
import { registerSecrets } from '../redact';
import { createPool } from '../store/db';
import { migrate } from '../store/migrate';
import { createLogger, temporalLogger } from '../workers/logger';
import { loadReferenceConfig } from './config';
import { createReferenceApiWorkers, createReferenceWorker } from './worker';
import { metricsServerOptions, runtimeTelemetryOptions, startMetricsServer } from '../observability/metricsServer';
import { shutdownTracing } from '../observability/tracing';
import { startAlertEvaluator } from '../observability/alertRules';

async function main(): Promise<void> {
  const config = getConfig();
  registerSecrets(...configSecrets(config));
  const logger = createLogger(config.logLevel);
  Runtime.install({ logger: temporalLogger(logger), shutdownSignals: ['SIGINT', 'SIGTERM'], telemetryOptions: runtimeTelemetryOptions(config.metrics.port) });
  const metricsOptions = metricsServerOptions(config);
  const metrics = metricsOptions && (await startMetricsServer(metricsOptions));
  if (metrics) logger.info({ url: metrics.url }, 'metrics served');

  const db = createPool(config.database);
  const applied = await migrate(db, config.database.schema);
  if (applied.length) logger.info({ applied }, 'migrations applied');
  // Alert rules every minute; the client lets them read per-pipeline success rates from visibility.
  const client = await connectClient(config);
  const alerting = startAlertEvaluator({ db, config, client, log: (m, meta) => logger.warn(meta, m) });

  const connection = await NativeConnection.connect(temporalConnectionOptions(config));
  const reference = loadReferenceConfig();
  const worker = await createReferenceWorker({ config, db, connection, reference });
  // Rate-limited external APIs run on task queues of their own, behind the broker (see workers/apiWorkers.ts).
  const apiWorkers = await createReferenceApiWorkers({ config, db, connection, reference });
  logger.info({ taskQueue: config.temporal.taskQueue, namespace: config.temporal.namespace }, 'worker started');
  try {
    await Promise.all([worker.run(), ...apiWorkers.map((w) => w.run())]); // resolve once a shutdown signal has drained them
  } finally {
    await connection.close();
    await alerting?.stop();
    await client.connection.close();
    await metrics?.close();
    await shutdownTracing();
    await db.end();
    logger.info('worker stopped');
  }
}

main().catch((e: unknown) => {
  process.stderr.write(`worker: ${(e as Error).message}\n`);
  process.exit(1);
});
