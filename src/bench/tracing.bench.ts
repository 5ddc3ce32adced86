/**
 * Benchmark: what OpenTelemetry tracing costs a pipeline run. The same agentDecision pipeline (two agent
 * calls over the LLM simulator, one Postgres write) on one Temporal dev server and one Postgres schema,
 * end-to-end wall time from the client's start to the result:
 *
 * - on:  the production worker (OTel workflow + activity interceptors, bundled), a traced client, and a
 *        tracer provider with a batch processor (spans exported to memory: the export work without a network);
 * - off: a worker whose bundle has no OTel interceptors, no activity tracing, a plain client, no provider.
 *
 * Both have the metrics interceptors. Runs interleave one by one (on/off, off/on, ...): the dev server slows
 * as its history grows, and blocks of one mode would measure that drift instead of tracing.
 */
import { BatchSpanProcessor, type SpanExporter } from '@opentelemetry/sdk-trace-base';
import { Client } from '@temporalio/client';
import { DefaultLogger, Worker, bundleWorkflowCode } from '@temporalio/worker';
import path from 'node:path';
import { createActivities } from '../activities';
import { activityMetricsInterceptor } from '../observability/activityMetrics';
import { metricsSinks } from '../observability/sinks';
import { installTracing, shutdownTracing, tracingClientInterceptors } from '../observability/tracing';
import { startAgentLayerStack } from '../pipelines/testKit';
import { referenceWorkflowsPath } from '../pipelines/worker';
import { createReferenceActivities } from '../pipelines/activities';
import { loadReferenceConfig } from '../pipelines/config';
import { agentDecision } from '../pipelines/agentDecision/workflow';
import { ms, percentile, type BenchSection } from './report';
import { breakwaterDataConverter } from '../codec/dataConverter';

const triage = { category: 'order', orderIds: ['ORD-1001'], customerId: 'CUS-7' };
const decision = { action: 'refund', orderId: 'ORD-1001', confidence: 0.95, evidence: ['arrived damaged'] };

export async function bench(o: { runs?: number } = {}): Promise<BenchSection> {
  const runs = o.runs ?? 100;
  const t = await startAgentLayerStack({
    scenario: { rules: [{ match: { schemaName: 'requestTriage' }, responses: [{ json: triage }] }, { match: {}, responses: [{ json: decision }] }] },
  });
  // The "off" worker: same workflows, bundled with the metrics interceptor only.
  const { code } = await bundleWorkflowCode({
    workflowsPath: referenceWorkflowsPath(),
    workflowInterceptorModules: [path.resolve(__dirname, '..', 'workflows', 'observabilityInterceptors')],
    logger: new DefaultLogger('WARN'),
  });
  const offQueue = `${t.stack.taskQueue}-off`;
  const off = await Worker.create({
    connection: t.stack.env.nativeConnection,
    taskQueue: offQueue,
    workflowBundle: { code },
    activities: { ...createActivities({ db: t.stack.db, config: t.stack.config }), ...createReferenceActivities({ db: t.stack.db, config: t.stack.config, reference: loadReferenceConfig(t.stack.settings) }) },
    interceptors: { activity: [activityMetricsInterceptor] },
    sinks: metricsSinks(),
    dataConverter: breakwaterDataConverter(t.stack.config), // encrypted like the "on" worker: only tracing differs
  });
  const offRunning = off.run();
  const plain = t.stack.env.client;
  const traced = new Client({ connection: plain.connection, namespace: 'default', interceptors: tracingClientInterceptors(), dataConverter: breakwaterDataConverter(t.stack.config) });
  // Counts what it is given: the export path runs in full, without a network in the measurement.
  const exported = { spans: 0 };
  const exporter: SpanExporter = {
    export: (spans, done) => {
      exported.spans += spans.length;
      done({ code: 0 });
    },
    shutdown: async () => undefined,
  };
  const times = { on: [] as number[], off: [] as number[] };
  let n = 0;
  const runOnce = async (mode: 'on' | 'off') => {
    const client = mode === 'on' ? traced : plain;
    const started = performance.now();
    const handle = await client.workflow.start(agentDecision, {
      taskQueue: mode === 'on' ? t.stack.taskQueue : offQueue,
      workflowId: `trace-bench-${mode}-${++n}-${t.stack.schema}`,
      args: [{ requestId: `r-${n}`, text: 'Order ORD-1001 arrived damaged' }],
    });
    const result = await handle.result();
    if (result.status !== 'completed') throw new Error(`bench run ${handle.workflowId} ended ${result.status}`);
    return performance.now() - started;
  };
  const timed = async (mode: 'on' | 'off') => {
    // The provider is installed before and removed after an 'on' run, outside the timed window.
    if (mode === 'on') installTracing({ spanProcessor: new BatchSpanProcessor(exporter) });
    try {
      return await runOnce(mode);
    } finally {
      if (mode === 'on') await shutdownTracing();
    }
  };
  try {
    await timed('off'); // warm-up: caches, connections, JIT
    await timed('on');
    for (let i = 0; i < runs; i++) {
      for (const mode of i % 2 ? (['off', 'on'] as const) : (['on', 'off'] as const)) times[mode].push(await timed(mode));
    }
  } finally {
    await shutdownTracing();
    off.shutdown();
    await offRunning;
    await t.stop();
  }
  const mean = (xs: number[]) => xs.reduce((a, x) => a + x, 0) / xs.length;
  const overhead = (f: (xs: number[]) => number) => ((f(times.on) - f(times.off)) / f(times.off)) * 100;
  const p50 = (xs: number[]) => percentile(xs, 50);
  const row = (label: string, xs: number[]) => `| ${label} | ${xs.length} | ${ms(p50(xs))} | ${ms(percentile(xs, 95))} | ${ms(mean(xs))} |`;
  return {
    title: 'Tracing overhead: OpenTelemetry interceptors on vs off (agentDecision pipeline wall time)',
    markdown: [
      `${runs} runs per mode, interleaved one by one (the order swapped every pair); ${exported.spans} spans exported by the traced runs.`,
      '',
      '| tracing | runs | p50 | p95 | mean |',
      '|---|---|---|---|---|',
      row('off (no OTel interceptors, no provider)', times.off),
      row('on (client + workflow + activity interceptors, batch export)', times.on),
      '',
      `Overhead on pipeline wall time: **${overhead(mean).toFixed(1)} %** on the mean, ${overhead(p50).toFixed(1)} % at p50 (target ≤ 5 %).`,
      'Run times on the dev server fall in ~50 ms steps (task dispatch), so with few runs the p50 can jump a whole step; the mean over interleaved runs is the stable figure.',
    ].join('\n'),
  };
}

if (require.main === module) {
  bench().then(
    (s) => process.stdout.write(`## ${s.title}\n\n${s.markdown}\n`),
    (e: unknown) => {
      process.stderr.write(`${(e as Error).stack}\n`);
      process.exit(1);
    },
  );
}
