/**
 * The broker's load scenario, shared by its integration test, benchmark and demo: N workflows × M
 * enrichment calls started within a few seconds, API workers in separate processes, and the figures the
 * provider would see (from the simulator's log).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import type { Client } from '@temporalio/client';
import type { BreakwaterConfig } from '../../config';
import { idealDurationMs, maxInAnyWindow, steadyRateDurationMs } from '../../deterministic/rollingWindow';
import type { EnrichmentSimulator } from '../../simulators/enrichment';
import type { ApiLimiterMode } from './apiWorker';
import { loadReferenceConfig } from '../config';
import { enrichCatalog, type EnrichCatalogResult } from './workflow';

export interface BrokerWorkerProcess {
  child: ChildProcess;
  stop(): Promise<void>;
}

/** Starts `node dist/pipelines/enrichCatalog/brokerWorkerMain.js` with this config; resolves once its workers poll. */
export async function spawnBrokerWorker(stack: { config: BreakwaterConfig; settings: Record<string, string | undefined> }, limiter: ApiLimiterMode, extraEnv: Record<string, string> = {}): Promise<BrokerWorkerProcess> {
  const { config } = stack;
  const reference = loadReferenceConfig(stack.settings);
  const env: Record<string, string> = {
    ...(process.env as Record<string, string>),
    TEMPORAL_ADDRESS: config.temporal.address,
    TEMPORAL_NAMESPACE: config.temporal.namespace,
    TEMPORAL_TASK_QUEUE: config.temporal.taskQueue,
    DATABASE_URL: config.database.url ?? '',
    DATABASE_SCHEMA: config.database.schema,
    ENRICHMENT_URL: reference.enrichmentUrl ?? '',
    ENRICHMENT_RATE_LIMIT_PER_MINUTE: String(reference.enrichmentRateLimitPerMinute),
    LOG_LEVEL: 'warn',
    SHUTDOWN_GRACE_MS: '1000',
    ...extraEnv,
  };
  const child = spawn(process.execPath, [path.resolve(__dirname, 'brokerWorkerMain.js'), '--limiter', limiter], {
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`broker worker did not start in 30 s: ${stderr}`)), 30_000);
    child.stdout?.on('data', (d: Buffer) => {
      if (d.toString().includes('broker workers ready')) {
        clearTimeout(timer);
        resolve();
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`broker worker exited (${code}): ${stderr}`));
    });
  });
  return {
    child,
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
        setTimeout(() => child.kill('SIGKILL'), 5000).unref();
      }),
  };
}

export interface BrokerLoadOptions {
  client: Client;
  /** The main task queue (where the workflows run); calls go to its `-api-enrichment` queue. */
  taskQueue: string;
  simulator: EnrichmentSimulator;
  workflows: number;
  callsPerWorkflow: number;
  /** Workflows start spread over this many ms (the incident: within 90 s; the test: a few seconds). */
  startSpreadMs?: number;
  idPrefix?: string;
}

export interface BrokerLoadFigures {
  calls: number;
  workflowsCompleted: number;
  /** First workflow start to last completion. */
  durationMs: number;
  /** Least possible time for the calls under the rolling limit (bursts one window apart). */
  idealMs: number;
  /** The same calls at a steady limit/window rate. */
  steadyRateMs: number;
  /** Every request the provider received (incl. refused ones). */
  requests: number;
  rateLimited: number;
  rateLimitedPct: number;
  /** Most requests received in any rolling window, refused ones included / admitted ones only. */
  maxReceivedInWindow: number;
  maxAdmittedInWindow: number;
  results: EnrichCatalogResult[];
}

export async function runBrokerLoad(o: BrokerLoadOptions): Promise<BrokerLoadFigures> {
  const { limit, windowMs } = o.simulator.config();
  o.simulator.reset();
  const prefix = o.idPrefix ?? `enrich-load-${Date.now()}`;
  const spread = o.startSpreadMs ?? 3000;
  const started = Date.now();
  const runs = Array.from({ length: o.workflows }, async (_, w) => {
    // Staggered like independent clients, deterministically spread over the start window.
    await new Promise((r) => setTimeout(r, o.workflows > 1 ? Math.round((spread * w) / (o.workflows - 1)) : 0));
    const skus = Array.from({ length: o.callsPerWorkflow }, (_, i) => `W${w}-SKU-${String(i).padStart(3, '0')}`);
    return o.client.workflow.execute(enrichCatalog, {
      taskQueue: o.taskQueue,
      workflowId: `${prefix}-${w}`,
      args: [{ skus, concurrency: o.callsPerWorkflow, retryBudget: 10 }],
    });
  });
  const results = await Promise.all(runs);
  const durationMs = Date.now() - started;
  const log = o.simulator.log().filter((e) => e.outcome !== 'bad-request');
  const stats = o.simulator.stats();
  const calls = o.workflows * o.callsPerWorkflow;
  return {
    calls,
    workflowsCompleted: results.length,
    durationMs,
    idealMs: idealDurationMs(calls, { limit, windowMs }),
    steadyRateMs: steadyRateDurationMs(calls, { limit, windowMs }),
    requests: stats.requests - stats.badRequests,
    rateLimited: stats.rateLimited,
    rateLimitedPct: stats.requests ? (100 * stats.rateLimited) / (stats.requests - stats.badRequests) : 0,
    maxReceivedInWindow: maxInAnyWindow(log.map((e) => e.timeMs), windowMs),
    maxAdmittedInWindow: o.simulator.maxInAnyWindow(windowMs),
    results,
  };
}
