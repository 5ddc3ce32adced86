/**
 * Benchmark: the retry storm and the broker. The same load — 8 workflows × 20 enrichment calls started
 * within 3 s against a 100/min rolling limit, served by two API worker processes — run with each limiter:
 * the Postgres rolling-window bucket (the broker), Temporal's task-queue rate limit alone, and no broker
 * (each call on its own, honouring Retry-After with jitter: the incident's setup).
 */
import { startEnrichmentSimulator } from '../simulators/enrichment';
import { runBrokerLoad, spawnBrokerWorker, type BrokerLoadFigures } from '../pipelines/enrichCatalog/load';
import { startTestStack } from '../pipelines/testKit';
import type { ApiLimiterMode } from '../pipelines/enrichCatalog/apiWorker';

export interface BrokerBenchOptions {
  workflows?: number;
  callsPerWorkflow?: number;
  limitPerMinute?: number;
  limiters?: ApiLimiterMode[];
  workerProcesses?: number;
}

const labels: Record<ApiLimiterMode, string> = {
  'rolling-window': 'broker: Postgres rolling-window bucket',
  'task-queue': 'Temporal task-queue rate limit only',
  both: 'bucket + task-queue rate limit',
  off: 'no broker (storm baseline)',
};

export async function measureLimiter(limiter: ApiLimiterMode, o: Required<BrokerBenchOptions>): Promise<BrokerLoadFigures> {
  const sim = await startEnrichmentSimulator({ limit: o.limitPerMinute, windowMs: 60_000 });
  const stack = await startTestStack({ env: { ENRICHMENT_URL: sim.url, ENRICHMENT_RATE_LIMIT_PER_MINUTE: String(o.limitPerMinute) } });
  const worker = await stack.createWorker();
  const run = worker.run();
  const apiWorkers = await Promise.all(Array.from({ length: o.workerProcesses }, () => spawnBrokerWorker(stack, limiter)));
  try {
    return await runBrokerLoad({
      client: stack.env.client,
      taskQueue: stack.taskQueue,
      simulator: sim,
      workflows: o.workflows,
      callsPerWorkflow: o.callsPerWorkflow,
      startSpreadMs: 3000,
      idPrefix: `bench-${limiter}`,
    });
  } finally {
    await Promise.all(apiWorkers.map((w) => w.stop()));
    worker.shutdown();
    await run.catch(() => undefined);
    await stack.teardown();
    await sim.close();
  }
}

export async function bench(options: BrokerBenchOptions = {}): Promise<{ title: string; markdown: string }> {
  const o: Required<BrokerBenchOptions> = {
    workflows: 8,
    callsPerWorkflow: 20,
    limitPerMinute: 100,
    limiters: ['rolling-window', 'task-queue', 'off'],
    workerProcesses: 2,
    ...options,
  };
  const rows: string[] = [];
  for (const limiter of o.limiters) {
    const f = await measureLimiter(limiter, o);
    rows.push(
      `| ${labels[limiter]} | ${f.requests} | ${f.maxReceivedInWindow} | ${f.rateLimited} (${f.rateLimitedPct.toFixed(1)} %) | ${(f.durationMs / 1000).toFixed(1)} s | ${(f.durationMs / f.idealMs).toFixed(2)}× | ${f.workflowsCompleted}/${o.workflows} |`,
    );
  }
  const calls = o.workflows * o.callsPerWorkflow;
  const markdown = [
    `${o.workflows} workflows × ${o.callsPerWorkflow} enrichment calls (${calls}) started within 3 s, against a simulator allowing ${o.limitPerMinute} requests per rolling 60 s; API calls served by ${o.workerProcesses} worker processes.`,
    `Ideal time: the first ${o.limitPerMinute} calls in a burst, the rest one window later → ${Math.floor((calls - 1) / o.limitPerMinute) * 60} s (a steady ${o.limitPerMinute}/min stream would take ${((calls / o.limitPerMinute) * 60).toFixed(0)} s).`,
    '',
    '| limiter | requests received | max in any rolling 60 s | 429s | total time | vs ideal | workflows completed |',
    '|---|---|---|---|---|---|---|',
    ...rows,
  ].join('\n');
  return { title: 'Shared resource broker: retry storm vs broker', markdown };
}

if (require.main === module) {
  const limiters = process.argv.slice(2).filter((a): a is ApiLimiterMode => a in labels);
  bench(limiters.length ? { limiters } : {})
    .then((r) => process.stdout.write(`## ${r.title}\n\n${r.markdown}\n`))
    .catch((e: unknown) => {
      process.stderr.write(`broker bench failed: ${(e as Error).stack}\n`);
      process.exit(1);
    });
}
