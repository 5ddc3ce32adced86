/**
 * `npm run demo`: starts the local stack (Temporal dev server + Postgres), the simulators of the external
 * systems and a worker, runs the reference pipelines' scenarios, and prints where to look.
 */
import path from 'node:path';
import { NativeConnection, Runtime } from '@temporalio/worker';
import pino from 'pino';
import { projectHome } from '../projectHome';
import { loadConfig } from '../config';
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import { addApproverKey } from '../identity/keyFiles';
import { ensureStack } from '../devstack/stack';
import { startEnrichmentSimulator, startLlmSimulator, startPortalSimulator } from '../simulators';
import { createPool } from '../store/db';
import { migrate } from '../store/migrate';
import { connectClient } from '../client/connection';
import { table } from '../client/output';
import { coreMetricsAddress, runtimeTelemetryOptions, startMetricsServer } from '../observability/metricsServer';
import { createLogger, temporalLogger } from '../workers/logger';
import { loadReferenceConfig } from '../pipelines/config';
import { createReferenceApiWorkers, createReferenceWorker } from '../pipelines/worker';
import { cliRunner, type DemoContext, type DemoRow } from './context';
import { runAgentLayerDemo } from '../pipelines/agentDecision/demo';
import { runBrokerDemo } from '../pipelines/enrichCatalog/demo';
import { runDoctorDemo } from './doctorDemo';
import { runPlanExecuteReviewDemo } from '../pipelines/planExecuteReview/demo';
import { runObservabilityDemo } from './observabilityDemo';
import { runSubmitAndVerifyDemo } from '../pipelines/submitAndVerify/demo';
import { runResearchAgentDemo } from '../pipelines/researchAgent/demo';
import { devCodecKeys } from '../devstack/codecKey';

const parts: { name: string; run: (ctx: DemoContext) => Promise<DemoRow[]> }[] = [
  { name: 'doctor', run: runDoctorDemo },
  { name: 'submit-and-verify', run: runSubmitAndVerifyDemo },
  { name: 'agent layer', run: runAgentLayerDemo },
  { name: 'tool-using agent', run: runResearchAgentDemo },
  { name: 'plan-execute-review', run: runPlanExecuteReviewDemo },
  { name: 'rate-limit broker', run: (ctx) => runBrokerDemo(ctx) },
  // Last: it explains runs made above and reads the metrics they produced.
  { name: 'observability', run: runObservabilityDemo },
];

async function main(): Promise<void> {
  const say = (line: string) => process.stdout.write(`${line}\n`);
  say('Starting the local stack ...');
  const stack = await ensureStack();
  say(`  Temporal ${stack.temporal.address}, Web UI ${stack.temporal.uiUrl}`);

  const portal = await startPortalSimulator({ lagMs: 5_000 });
  const llm = await startLlmSimulator();
  const enrichment = await startEnrichmentSimulator();
  // The demo's approvers have keys like real ones: the CLI signs with them, the worker verifies (no development mode).
  const keyDir = mkdtempSync(path.join(os.tmpdir(), 'breakwater-demo-approvers-'));
  const approverKeys = ['demo-reviewer', 'demo-finance', 'demo-oncall', 'demo-operator', 'demo-editor'].map((n) => addApproverKey(keyDir, n).line).join(',');
  const env = {
    BREAKWATER_APPROVER_KEY_DIR: keyDir,
    BREAKWATER_APPROVER_KEYS: approverKeys,
    BREAKWATER_DEV_MODE: '0',
    TEMPORAL_ADDRESS: stack.temporal.address,
    // Its own queue when asked (scripts/demo-from-clone.sh): a clone's demo may share a dev server with another.
    TEMPORAL_TASK_QUEUE: process.env.BREAKWATER_DEMO_TASK_QUEUE ?? 'breakwater-demo',
    DATABASE_URL: stack.postgres.url,
    PORTAL_URL: portal.url,
    OPENAI_BASE_URL: `${llm.url}/v1`,
    OPENAI_API_KEY: 'demo-key-not-a-secret',
    ENRICHMENT_URL: enrichment.url,
    LOG_LEVEL: 'warn',
    METRICS_PORT: process.env.METRICS_PORT ?? '9464',
    // Payloads are encrypted as in production; the demo's CLI calls get the same key through this env.
    ...(process.env.BREAKWATER_CODEC_KEYS || process.env.BREAKWATER_CODEC_KEYS_FILE ? {} : { BREAKWATER_CODEC_KEYS: devCodecKeys() }),
  };
  const config = loadConfig({ ...process.env, ...env });
  const metricsPort = config.metrics.port ?? 9464;
  // The terminal tells the story; worker and library logs (JSON, one line each) go to a file.
  const logFile = process.env.BREAKWATER_DEMO_LOG ?? path.join(projectHome(), 'demo.log');
  const logs = pino.destination({ dest: logFile, mkdir: true, sync: true });
  Runtime.install({ logger: temporalLogger(createLogger('info', logs)), telemetryOptions: runtimeTelemetryOptions(metricsPort) });
  say(`  Logs      ${logFile}  (worker and library logs, JSON lines)`);
  const metrics = await startMetricsServer({ port: metricsPort, host: config.metrics.host, token: config.metrics.token, tls: config.metrics.tls, coreMetricsUrl: `http://${coreMetricsAddress(metricsPort)}/metrics` });
  say(`  Metrics   ${metrics.url}  (curl it while the demo runs)`);
  const db = createPool(config.database);
  await migrate(db, config.database.schema);
  const connection = await NativeConnection.connect({ address: config.temporal.address });
  const reference = loadReferenceConfig({ ...process.env, ...env });
  const worker = await createReferenceWorker({ config, db, connection, reference });
  const apiWorkers = await createReferenceApiWorkers({ config, db, connection, reference });
  const client = await connectClient(config);

  const ctx: DemoContext = {
    client,
    db,
    config,
    taskQueue: config.temporal.taskQueue,
    log: (line) => say(`  ${line}`),
    cli: cliRunner(env),
    simulators: { portalUrl: portal.url, llmUrl: llm.url, enrichmentUrl: enrichment.url },
  };
  const rows: DemoRow[] = [];
  let failed = false;
  const apiRuns = apiWorkers.map((w) => w.run());
  await worker.runUntil(async () => {
    for (const part of parts) {
      say(`\n== ${part.name}`);
      try {
        rows.push(...(await part.run(ctx)));
      } catch (e) {
        failed = true;
        rows.push({ scenario: part.name, outcome: 'FAILED', detail: (e as Error).message });
      }
    }
  });
  apiWorkers.forEach((w) => w.shutdown());
  await Promise.all(apiRuns);
  await Promise.all([portal.close(), llm.close(), enrichment.close()]);
  await client.connection.close();
  await connection.close();
  await db.end();
  await metrics.close();

  say(`\n${table([['scenario', 'outcome', 'detail'], ...rows.map((r) => [r.scenario, r.outcome, r.detail])])}`);
  say(`\nInspect every run in the Temporal Web UI: ${stack.temporal.uiUrl}/namespaces/default/workflows`);
  say('The stack keeps running (npm run stack -- stop to stop it).');
  process.exitCode = failed ? 1 : 0;
}

main().catch((e: unknown) => {
  process.stderr.write(`demo failed: ${(e as Error).stack ?? String(e)}\n`);
  process.exit(1);
});
