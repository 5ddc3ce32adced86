/**
 * Everything a chaos run breaks, all of its own: Temporal — a dev server on a SQLite file, or with
 * `temporal: 'cluster'` the production-configured cluster (v1.32.2, its four services in four processes,
 * persistence and SQL visibility in the run's own Postgres, so a Postgres restart hits Temporal too) —
 * killed and restarted, a Postgres cluster (restarted), the portal / LLM / enrichment / record-source simulators
 * (misconfigured live), and worker processes (SIGKILLed). Nothing here is shared with other tests.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { loadConfig, type BreakwaterConfig } from '../config';
import { resolveClaim, type Resolution } from '../contracts/resolution';
import { createDecisionSigner, generateApproverKey, privateKeyFromPem } from '../identity/decisionSignature';
import { startEnrichmentSimulator, type EnrichmentSimulator } from '../simulators/enrichment';
import { startLlmSimulator, type LlmSimulator } from '../simulators/llm';
import { startPortalSimulator, type PortalSimulator } from '../simulators/portal';
import { startRecordSourceSimulator, type RecordSourceSimulator } from '../simulators/recordSource';
import { createPool, type Db } from '../store/db';
import { migrate } from '../store/migrate';
import { startPersistentTemporal } from '../devstack/persistentTemporal';
import { clusterDatabaseFromUrl, freeClusterPorts } from '../devstack/clusterConfig';
import { ensureClusterTools } from '../devstack/clusterTools';
import { startTemporalCluster } from '../devstack/temporalCluster';
import { startAlertReceiver, type AlertReceiver } from './alertReceiver';
import { chaosModels, chaosScenario } from './llmScenario';
import { startOwnPostgres, type OwnPostgres } from './ownPostgres';
import { INGEST_SOURCES } from './pipelines';
import { startWorkerFleet, type WorkerFleet } from './workerFleet';
import { generateKeySpec } from '../codec/keys';
import { breakwaterDataConverter } from '../codec/dataConverter';

/** The simulators' healthy settings, restored after every fault. */
export const healthy = {
  portal: { lagMs: 1000, errorRate: 0, latencyMs: 0, rateLimitPerMinute: null, mode: 'normal' as const },
  enrichment: { limit: 1000, windowMs: 60_000, latencyMs: 0 },
};
export const DAILY_CAP_USD = 5;
const SCHEMA = 'chaos';

/** Who decides in a chaos run: the wind-down's on-call and the stale probe's late click. */
export const CHAOS_APPROVERS = ['chaos-oncall', 'chaos-late-click'] as const;

/** Which Temporal a chaos run runs against. */
export type ChaosTemporalKind = 'dev' | 'cluster';

/** The Temporal a chaos run kills and restarts (the `temporal-restart` fault). */
export interface ChaosTemporal {
  kind: ChaosTemporalKind;
  address: string;
  /** Kills the server: resolves to what it killed, for the report. */
  kill(): Promise<string>;
  restart(): Promise<void>;
  stop(): Promise<void>;
}

async function startChaosTemporal(kind: ChaosTemporalKind, postgres: OwnPostgres, log: (line: string) => void): Promise<ChaosTemporal> {
  if (kind === 'dev') {
    const dev = await startPersistentTemporal();
    return { kind, address: dev.address, kill: () => dev.kill().then(() => 'dev server SIGKILLed'), restart: () => dev.restart(), stop: () => dev.stop() };
  }
  const tools = ensureClusterTools(log);
  const dir = mkdtempSync(path.join(os.tmpdir(), 'bw-chaos-cluster-'));
  let kills = 0;
  const cluster = await startTemporalCluster({ tools, dir, ports: await freeClusterPorts(), db: clusterDatabaseFromUrl(postgres.url), topology: 'split', readyTimeoutMs: 180_000, log });
  return {
    kind,
    address: cluster.address,
    // Odd kills take the whole cluster down at once; even ones one service's process, in turn (a rolling crash).
    async kill() {
      kills += 1;
      if (kills % 2 === 1) {
        await cluster.kill();
        return `cluster's ${cluster.processes().length} processes (${cluster.processes().map((p) => p.name).join(', ')}) SIGKILLed`;
      }
      const victim = cluster.processes()[(kills / 2 - 1) % cluster.processes().length]!;
      await cluster.killService(victim.name);
      return `the cluster's ${victim.name} process (pid ${victim.pid}) SIGKILLed, the other three left running`;
    },
    restart: () => cluster.restart(),
    async stop() {
      await cluster.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export interface ChaosStack {
  /** A resolution signed by its `by` (one of CHAOS_APPROVERS), bound to the escalation it names. */
  sign(workflowId: string, r: Resolution & { escalation: string }): Resolution;
  temporal: ChaosTemporal;
  client: Client;
  postgres: OwnPostgres;
  db: Db;
  config: BreakwaterConfig;
  taskQueue: string;
  portal: PortalSimulator;
  llm: LlmSimulator;
  enrichment: EnrichmentSimulator;
  sources: RecordSourceSimulator;
  alerts: AlertReceiver;
  fleet: WorkerFleet;
  teardown(): Promise<void>;
}

/** `armedAt`: named fault points every worker carries from its start until each has fired once. */
export async function startChaosStack(o: { seed: number; workers: number; log: (line: string) => void; armedAt?: readonly string[]; temporal?: ChaosTemporalKind }): Promise<ChaosStack> {
  const cleanup: (() => Promise<unknown>)[] = [];
  try {
    const postgres = await startOwnPostgres();
    cleanup.push(() => postgres.stop());
    const temporal = await startChaosTemporal(o.temporal ?? 'dev', postgres, o.log);
    cleanup.push(() => temporal.stop());
    const portal = await startPortalSimulator({ ...healthy.portal, seed: o.seed });
    const llm = await startLlmSimulator({ scenario: chaosScenario });
    const enrichment = await startEnrichmentSimulator(healthy.enrichment);
    const sources = await startRecordSourceSimulator({ sources: INGEST_SOURCES });
    const alerts = await startAlertReceiver();
    cleanup.push(() => Promise.all([portal.close(), llm.close(), enrichment.close(), sources.close(), alerts.close()]));

    const dir = mkdtempSync(path.join(os.tmpdir(), 'bw-chaos-'));
    cleanup.push(async () => rmSync(dir, { recursive: true, force: true }));
    const modelsFile = path.join(dir, 'models.json');
    writeFileSync(modelsFile, JSON.stringify(chaosModels));
    const taskQueue = `chaos-${o.seed}`;
    const env: Record<string, string> = {
      TEMPORAL_ADDRESS: temporal.address,
      TEMPORAL_TASK_QUEUE: taskQueue,
      DATABASE_URL: postgres.url,
      DATABASE_SCHEMA: SCHEMA,
      PORTAL_URL: portal.url,
      OPENAI_BASE_URL: `${llm.url}/v1`,
      OPENAI_API_KEY: 'sk-chaos-not-a-real-key',
      ENRICHMENT_URL: enrichment.url,
      ENRICHMENT_RATE_LIMIT_PER_MINUTE: '600',
      BREAKWATER_MODELS_FILE: modelsFile,
      DAILY_SPEND_CAP_USD: String(DAILY_CAP_USD),
      SHUTDOWN_GRACE_MS: '1000',
      BREAKWATER_CODEC_KEYS: generateKeySpec('chaos'), // the fleet's workers and this client share the run's key
      METRICS_PORT: '',
      ALERT_WEBHOOK_URL: alerts.url,
      ALERT_NTFY_URL: '',
    };
    // Decisions are signed as in production: the fleet's workers verify them (no development mode).
    const keys = Object.fromEntries(CHAOS_APPROVERS.map((n) => [n, generateApproverKey()]));
    env.BREAKWATER_APPROVER_KEYS = CHAOS_APPROVERS.map((n) => `${n}=${keys[n]!.publicKey}`).join(',');
    env.BREAKWATER_DEV_MODE = '0';
    const signers = Object.fromEntries(CHAOS_APPROVERS.map((n) => [n, createDecisionSigner(privateKeyFromPem(keys[n]!.privateKeyPem))]));
    const sign = (workflowId: string, r: Resolution & { escalation: string }): Resolution => {
      const signer = signers[r.by];
      if (!signer) throw new Error(`no chaos approver '${r.by}' (${CHAOS_APPROVERS.join(', ')})`);
      return { ...r, ...signer(resolveClaim(workflowId, r)) };
    };
    const config = loadConfig({ ...process.env, ...env, LOG_LEVEL: 'warn' });
    const db = createPool(config.database);
    cleanup.push(() => db.end());
    await migrate(db, SCHEMA);

    const connection = await Connection.connect({ address: temporal.address });
    cleanup.push(() => connection.close());
    const client = new Client({ connection, dataConverter: breakwaterDataConverter(config) });
    const fleet = startWorkerFleet({ size: o.workers, env, log: o.log, armedAt: o.armedAt });
    cleanup.push(() => fleet.stop());
    await fleet.ready(90_000);

    const stack: ChaosStack = {
      sign,
      temporal, client, postgres, db, config, taskQueue, portal, llm, enrichment, sources, alerts, fleet,
      async teardown() {
        for (const step of cleanup.reverse()) await step().catch((e: unknown) => o.log(`teardown: ${(e as Error).message}`));
      },
    };
    return stack;
  } catch (e) {
    for (const step of cleanup.reverse()) await step().catch(() => undefined);
    throw e;
  }
}
