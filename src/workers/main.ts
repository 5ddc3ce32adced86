/**
 * `npm run worker`: one worker process. Migrations run first; SIGINT/SIGTERM shut it down gracefully
 * (in-flight activities get `shutdownGraceTime`, SHUTDOWN_GRACE_MS, to finish).
 */
import { NativeConnection, Runtime } from '@temporalio/worker';
import { temporalConnectionOptions } from '../client/connection';
import { configSecrets, getConfig } from '../config';
import { registerSecrets } from '../redact';
import { createPool } from '../store/db';
import { migrate } from '../store/migrate';
import { createLogger, temporalLogger } from './logger';
import { createApiWorkers } from './apiWorkers';
import { createBreakwaterWorker } from './worker';

async function main(): Promise<void> {
  const config = getConfig();
  registerSecrets(...configSecrets(config));
  const logger = createLogger(config.logLevel);
  Runtime.install({ logger: temporalLogger(logger), shutdownSignals: ['SIGINT', 'SIGTERM'] });

  const db = createPool(config.database);
  const applied = await migrate(db, config.database.schema);
  if (applied.length) logger.info({ applied }, 'migrations applied');

  const connection = await NativeConnection.connect(temporalConnectionOptions(config));
  const worker = await createBreakwaterWorker({ config, db, connection });
  // Rate-limited external APIs run on task queues of their own, behind the broker (see apiWorkers.ts).
  const apiWorkers = await createApiWorkers({ config, db, connection });
  logger.info({ taskQueue: config.temporal.taskQueue, namespace: config.temporal.namespace }, 'worker started');
  try {
    await Promise.all([worker.run(), ...apiWorkers.map((w) => w.run())]); // resolve once a shutdown signal has drained them
  } finally {
    await connection.close();
    await db.end();
    logger.info('worker stopped');
  }
}

main().catch((e: unknown) => {
  process.stderr.write(`worker: ${(e as Error).message}\n`);
  process.exit(1);
});
