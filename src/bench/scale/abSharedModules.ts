/**
 * Speed-up A/B — shared workflow modules. Temporal evaluates a bundle's modules once per run (each run has
 * its own module cache in the reused V8 context) unless they are preloaded. Every Breakwater run imports zod
 * (a megabyte of module code) and, through the tracing interceptor, the OpenTelemetry libraries (~650 KiB),
 * so each new run paid their evaluation in CPU and kept its own copy in memory. Three bundles of the same
 * reference workflows, each on its own worker process: nothing preloaded (the SDK's default), zod only (the
 * previous default, src/workflows/sharedModules.ts), zod and OpenTelemetry (the default now,
 * src/workflows/sharedTelemetryModules.ts). Same stack, same worker code, the order rotated every round.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { referenceWorkflowsPath } from '../../pipelines/worker';
import { bundleWorkflows, sharedLibraryModules } from '../../workers/bundle';
import { spawnWorker, type WorkerProcess } from './fleet';
import { runLoad, type LoadFigures } from './load';
import { measureMemory, type MemoryRow } from './memory';
import { startScaleStack } from './stack';

export const abVariants = ['nothing shared', 'zod shared', 'zod and OpenTelemetry shared'] as const;
export type AbVariant = (typeof abVariants)[number];

export interface AbFigures {
  load: number;
  rounds: number;
  byVariant: Record<AbVariant, LoadFigures[]>;
  memory: Record<AbVariant, MemoryRow>;
}

async function bundleFile(name: string, preloadModules: string[]): Promise<string> {
  const { code } = await bundleWorkflows({ workflowsPath: referenceWorkflowsPath(), preloadModules });
  const file = path.join(mkdtempSync(path.join(tmpdir(), 'bw-scale-ab-')), `reference-bundle-${name}.js`);
  writeFileSync(file, code);
  return file;
}

/** Worker environment per variant: the two earlier states as prebuilt bundles, the default as shipped. */
async function variantEnv(): Promise<Record<AbVariant, Record<string, string>>> {
  return {
    'nothing shared': { SCALE_REFERENCE_BUNDLE: await bundleFile('nothing-shared', []) },
    'zod shared': { SCALE_REFERENCE_BUNDLE: await bundleFile('zod-shared', sharedLibraryModules()) },
    'zod and OpenTelemetry shared': {},
  };
}

export async function measureSharedModules(o: { load: number; rounds: number; memoryRuns: number; llmDelayMs: number; log: (l: string) => void }): Promise<AbFigures> {
  const env = await variantEnv();
  const s = await startScaleStack({ llmDelayMs: o.llmDelayMs });
  const figs: AbFigures = { load: o.load, rounds: o.rounds, byVariant: { 'nothing shared': [], 'zod shared': [], 'zod and OpenTelemetry shared': [] }, memory: {} as AbFigures['memory'] };
  const queue = (v: AbVariant) => `ab-${abVariants.indexOf(v)}`;
  const workers: WorkerProcess[] = [];
  try {
    for (const v of abVariants) workers.push(await spawnWorker(s.t.stack, { mode: 'breakwater', taskQueue: queue(v), bareBundle: s.bareBundle, env: { PORTAL_URL: s.portal.url, ...env[v] } }));
    const client = s.t.stack.env.client;
    for (const v of abVariants) await runLoad({ client, pipeline: 'agentDecision', mode: 'breakwater', taskQueue: queue(v), n: 5, tag: `ab-warm-${queue(v)}` });
    for (let i = 0; i < o.rounds; i++) {
      const order = abVariants.map((_, k) => abVariants[(k + i) % abVariants.length]!);
      for (const v of order) {
        const f = await runLoad({ client, pipeline: 'agentDecision', mode: 'breakwater', taskQueue: queue(v), n: o.load, tag: `ab-${queue(v)}-${i}`, executionTimeoutMs: 120_000 });
        figs.byVariant[v].push(f);
        o.log(`  ${v}: ${o.load} agentDecision runs, ${f.runsPerSec.toFixed(1)} runs/s, p99 ${f.p99.toFixed(0)} ms, timeouts ${f.timeouts}`);
      }
    }
  } finally {
    for (const w of workers) await w.stop();
    await s.stop();
  }
  for (const v of abVariants) {
    const [row] = await measureMemory({ levels: [o.memoryRuns], kinds: ['timer'], modes: ['breakwater'], log: o.log, env: env[v] });
    figs.memory[v] = row!;
  }
  return figs;
}
