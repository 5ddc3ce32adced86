/**
 * A process that runs only the broker's API workers (`node dist/pipelines/enrichCatalog/brokerWorkerMain.js
 * [--limiter rolling-window|task-queue|both|off]`). The integration test and the benchmark start two of
 * them to prove that separate processes share one limit; a deployment may run API calls this way too.
 * Configuration comes from the environment like every Breakwater process (src/config.ts).
 */
import { NativeConnection, Runtime } from '@temporalio/worker';
import { temporalConnectionOptions } from '../../client/connection';
import { configSecrets, getConfig } from '../../config';
import { registerSecrets } from '../../redact';
import { createPool } from '../../store/db';
import { createApiWorkers } from '../../workers/apiWorkers';
import { createLogger, temporalLogger } from '../../workers/logger';
import { loadReferenceConfig } from '../config';
import { enrichmentApi, limiterModes as modes, type ApiLimiterMode } from './apiWorker';

async function main(argv: string[]): Promise<void> {
  const flag = argv.indexOf('--limiter');
  const limiter = (flag >= 0 ? argv[flag + 1] : 'rolling-window') as ApiLimiterMode;
  if (!modes.includes(limiter)) throw new Error(`--limiter must be one of ${modes.join(', ')}, got '${limiter}'`);
  const config = getConfig();
  registerSecrets(...configSecrets(config));
  const logger = createLogger(config.logLevel);
  Runtime.install({ logger: temporalLogger(logger), shutdownSignals: ['SIGINT', 'SIGTERM'] });
  const db = createPool(config.database);
  const connection = await NativeConnection.connect(temporalConnectionOptions(config));
  const workers = await createApiWorkers({ config, connection, apis: [enrichmentApi({ db, reference: loadReferenceConfig(), limiter })] });
  logger.info({ limiter, taskQueues: workers.map((w) => w.options.taskQueue) }, 'broker workers started');
  process.stdout.write('broker workers ready\n');
  try {
    await Promise.all(workers.map((w) => w.run()));
  } finally {
    await connection.close();
    await db.end();
  }
}

main(process.argv.slice(2)).catch((e: unknown) => {
  process.stderr.write(`broker worker: ${(e as Error).message}\n`);
  process.exit(1);
});
