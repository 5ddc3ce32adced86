/**
 * `npm run bench -- scale [--quick]`: the cost curve of Breakwater against bare Temporal doing the same
 * work, in one run (issue 15). Parts (src/bench/scale/): throughput and latency against load with 1 and 2
 * worker processes, worker memory per in-flight run, shared-row contention with a database check, history
 * size per run, tracing with OTLP export inside the window, and the A/B of each speed-up. Bounded: every
 * part has a fixed size and a deadline; `--quick` is a small size for development and CI.
 */
import os from 'node:os';
import path from 'node:path';
import { statSync } from 'node:fs';
import { packageRoot } from '../devstack/paths';
import { referenceBundlePath } from '../pipelines/worker';
import type { BenchSection } from './report';
import { measureContention, type ContentionFigures } from './scale/contention';
import { measureHistories } from './scale/history';
import type { Pipeline } from './scale/load';
import { bundleComposition, measureMemory, type WaitKind } from './scale/memory';
import { chartSvg, writePng, type Series } from './scale/plot';
import { bareBundle } from './scale/stack';
import { measureThroughput, type ThroughputCell } from './scale/throughput';
import { measureTracing } from './scale/tracingExport';
import { measureWorkflowLoading } from './scale/abWorkflowLoading';
import { abTable, missedNotes, contentionTables, historyTable, memoryTables, throughputTable, tracingTable, type ScaleSize } from './scale/tables';

export const sizes: Record<'full' | 'quick', ScaleSize> = {
  full: { name: 'full', loads: [50, 200, 500, 1000], workers: [1, 2], memoryLevels: [100, 500, 2000], contention: { workers: 8, calls: 500 }, tracing: { rounds: 6, concurrency: 50 }, warmup: 10, targetLoad: 500 },
  quick: { name: 'quick', loads: [20, 50], workers: [1, 2], memoryLevels: [50, 200], contention: { workers: 8, calls: 50 }, tracing: { rounds: 4, concurrency: 10 }, warmup: 3, targetLoad: 50 },
};

export const PLOT_FILE = 'benchmarks-scale.png';
const LLM_DELAY_MS = 1000;
const PORTAL_LATENCY_MS = 50;

export async function bench(o: { quick?: boolean; loads?: number[]; memoryLevels?: number[]; log?: (l: string) => void } = {}): Promise<BenchSection> {
  const base = sizes[o.quick ? 'quick' : 'full'];
  const size = { ...base, ...(o.loads ? { loads: o.loads } : {}), ...(o.memoryLevels ? { memoryLevels: o.memoryLevels } : {}) };
  const log = o.log ?? ((l: string) => process.stdout.write(`${l}\n`));
  const started = Date.now();
  const loadBefore = os.loadavg();
  const pipelines: Pipeline[] = ['agentDecision', 'submitAndVerify'];
  await bareBundle();

  log('-- 1. throughput and latency vs load');
  const cells = await measureThroughput({ loads: size.loads, workers: size.workers, pipelines, llmDelayMs: LLM_DELAY_MS, portalLatencyMs: PORTAL_LATENCY_MS, warmup: size.warmup, log });
  log('-- 2. worker memory per in-flight run');
  const kinds: WaitKind[] = ['timer', 'person'];
  const memory = await measureMemory({ levels: size.memoryLevels, kinds, log });
  const bundles = { breakwater: bundleComposition(referenceBundlePath()), bare: bundleComposition(await bareBundle()) };
  log('-- 3. shared-row contention');
  const contention: ContentionFigures[] = [];
  for (const workers of [1, size.contention.workers]) {
    const f = await measureContention({ workers, calls: size.contention.calls });
    contention.push(f);
    log(`  ${workers} worker(s) × ${f.calls}: ${(f.wallMs / 1000).toFixed(1)} s, checks ${f.checks.filter((c) => c.ok).length}/${f.checks.length} hold`);
  }
  log('-- 4. history size per run');
  const histories = await measureHistories();
  log('-- 5. tracing with OTLP export inside the window');
  const tracing = await measureTracing({ ...size.tracing, llmDelayMs: 0 });
  log(`  on ${tracing.on.meanMs.toFixed(0)} ms mean, off ${tracing.off.meanMs.toFixed(0)} ms mean, ${tracing.exportRequests} exports`);
  log('-- 6. speed-ups, before and after');
  const ab = await measureWorkflowLoading({ load: size.targetLoad, rounds: 2, memoryRuns: size.memoryLevels[1] ?? size.memoryLevels[0]!, llmDelayMs: LLM_DELAY_MS, log });

  const plotSvg = chartSvg(
    [
      { title: 'Throughput vs load', xLabel: 'concurrent runs', yLabel: 'completed runs/s', series: throughputSeries(cells, pipelines, size.workers, (c) => c.runsPerSec) },
      { title: 'p99 run time vs load', xLabel: 'concurrent runs', yLabel: 'p99 ms', series: throughputSeries(cells, pipelines, size.workers, (c) => c.p99) },
      { title: 'Worker RSS vs runs in flight', xLabel: 'runs waiting in the worker', yLabel: 'RSS MiB', series: memorySeries(memory, kinds) },
    ],
    `Breakwater in strong colours, bare Temporal in light tones of the same colour, dashed: 2 worker processes; ${size.name} size, ${new Date().toISOString().slice(0, 16)}Z, load average ${loadBefore.map((l) => l.toFixed(1)).join(' ')} at start.`,
  );
  const pngBytes = writePng(path.join(packageRoot(), 'docs', PLOT_FILE), plotSvg);
  const minutes = (Date.now() - started) / 60_000;
  const markdown = [
    `One run of \`npm run bench -- scale${o.quick ? ' --quick' : ''}${o.loads ? ` --loads ${o.loads.join(',')}` : ''}${o.memoryLevels ? ` --memory ${o.memoryLevels.join(',')}` : ''}\` (${size.name} size${o.loads || o.memoryLevels ? ', steps as given' : ''}, ${minutes.toFixed(1)} min). Bare Temporal does the same work in the same run: the same HTTP calls to the same simulators and the same decision insert, in plain workflows on plain workers (src/bench/scale/bareWorkflows.ts) — no budget, daily cap, llm_calls recording, fingerprint, breaker, human gate, search attributes or interceptors. Breakwater's workers are built with the public \`createBreakwaterWorker\` (via the reference pipelines' \`createReferenceWorker\`) and run in separate processes, like bare's. LLM simulator latency ${LLM_DELAY_MS} ms per call, portal ${PORTAL_LATENCY_MS} ms; one Temporal dev server (in memory), one local Postgres, everything on this machine's ${os.cpus().length} cores. Load average ${loadBefore.map((l) => l.toFixed(2)).join(', ')} at the start, ${os.loadavg().map((l) => l.toFixed(2)).join(', ')} at the end.`,
    '',
    `![Throughput, p99 and worker RSS against load, Breakwater beside bare Temporal](${PLOT_FILE}) (${(pngBytes / 1024).toFixed(0)} KiB)`,
    '',
    throughputTable(cells, size),
    '',
    memoryTables(memory, bundles, statSync(referenceBundlePath()).size),
    '',
    contentionTables(contention),
    '',
    historyTable(histories),
    '',
    tracingTable(tracing),
    '',
    abTable(ab),
    '',
    missedNotes(missedTargets(cells, memory, contention, tracing, size)),
  ].join('\n').trimEnd();
  return { title: 'Scale: the cost curve of Breakwater against bare Temporal', markdown };
}

function missedTargets(cells: ThroughputCell[], memory: Awaited<ReturnType<typeof measureMemory>>, contention: ContentionFigures[], tracing: Awaited<ReturnType<typeof measureTracing>>, size: ScaleSize) {
  const at = cells.filter((c) => c.load === size.targetLoad);
  const throughput = at.some((c) => {
    if (c.mode !== 'breakwater') return false;
    const bare = at.find((b) => b.mode === 'bare' && b.pipeline === c.pipeline && b.workers === c.workers);
    return !bare || c.runsPerSec < 0.95 * bare.runsPerSec || c.timeouts > 0;
  });
  const top = Math.max(...memory.map((r) => r.runs));
  const mem = memory.filter((r) => r.runs === top);
  const memoryMissed = mem.some((r) => r.mode === 'breakwater' && r.rssPerRunKiB > 1.2 * (mem.find((b) => b.mode === 'bare' && b.kind === r.kind)?.rssPerRunKiB ?? 0));
  return {
    throughput,
    memory: memoryMissed,
    contention: contention.some((f) => f.checks.some((c) => !c.ok)),
    tracing: (tracing.on.meanMs - tracing.off.meanMs) / tracing.off.meanMs > 0.05,
  };
}

const palette = { agentDecision: { breakwater: '#1f77b4', bare: '#9ecae1' }, submitAndVerify: { breakwater: '#d62728', bare: '#fcae91' } } as const;

function throughputSeries(cells: ThroughputCell[], pipelines: Pipeline[], workers: number[], y: (c: ThroughputCell) => number): Series[] {
  return pipelines.flatMap((pipeline) =>
    workers.flatMap((w) =>
      (['breakwater', 'bare'] as const).map((mode) => ({
        label: `${pipeline} ${mode === 'bare' ? 'bare' : 'Breakwater'}, ${w} worker${w > 1 ? 's' : ''}`,
        color: palette[pipeline][mode],
        dashed: w > 1,
        points: cells.filter((c) => c.pipeline === pipeline && c.mode === mode && c.workers === w).map((c) => ({ x: c.load, y: y(c) })),
      })),
    ),
  );
}

function memorySeries(rows: Awaited<ReturnType<typeof measureMemory>>, kinds: WaitKind[]): Series[] {
  const colors = { timer: { breakwater: '#2ca02c', bare: '#a1d99b' }, person: { breakwater: '#9467bd', bare: '#cbc9e2' } } as const;
  return kinds.flatMap((kind) =>
    (['breakwater', 'bare'] as const).map((mode) => ({
      label: `waiting on a ${kind}, ${mode === 'bare' ? 'bare' : 'Breakwater'}`,
      color: colors[kind][mode],
      points: rows.filter((r) => r.kind === kind && r.mode === mode).map((r) => ({ x: r.runs, y: r.rssMiB })),
    })),
  );
}
