/**
 * `npm run worker`: one worker process. Migrations run first; SIGINT/SIGTERM shut it down gracefully
 * (in-flight activities get `shutdownGraceTime`, SHUTDOWN_GRACE_MS, to finish).
 */
import { NativeConnection, Runtime } from '@temporalio/worker';
import { getConfig } from '../config';
import { registerSecrets } from '../redact';
import { createPool } from '../store/db';
import { migrate } from '../store/migrate';
import { createLogger, temporalLogger } from './logger';
import { createBreakwaterWorker } from './worker';

async function main(): Promise<void> {
  const config = getConfig();
  registerSecrets(config.openai.apiKey, passwordOf(config.database.url));
  const logger = createLogger(config.logLevel);
  Runtime.install({ logger: temporalLogger(logger), shutdownSignals: ['SIGINT', 'SIGTERM'] });

  const db = createPool(config.database);
  const applied = await migrate(db, config.database.schema);
  if (applied.length) logger.info({ applied }, 'migrations applied');

  const connection = await NativeConnection.connect({ address: config.temporal.address });
  const worker = await createBreakwaterWorker({ config, db, connection });
  logger.info({ taskQueue: config.temporal.taskQueue, namespace: config.temporal.namespace }, 'worker started');
  try {
    await worker.run(); // resolves once a shutdown signal has drained the worker
  } finally {
    await connection.close();
    await db.end();
    logger.info('worker stopped');
  }
}

function passwordOf(url: string | undefined): string | undefined {
  try {
    return url ? decodeURIComponent(new URL(url).password) || undefined : undefined;
  } catch {
    return undefined;
  }
}

main().catch((e: unknown) => {
  process.stderr.write(`worker: ${(e as Error).message}\n`);
  process.exit(1);
});
