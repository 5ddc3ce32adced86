/**
 * Speed-up A/B — what each run evaluates. Temporal evaluates a bundle's workflows module, and every module it
 * imports, once per run (each run has its own module cache in the reused V8 context). Three bundles of the
 * same reference workflows, each on its own worker process, same stack, the order rotated every round:
 * - before: a workflows module that imports every pipeline (as src/pipelines/workflows.ts did), with
 *   OpenTelemetry's workflow interceptors bundled (as every bundle had them, tracing on or off);
 * - lazy workflows (src/workflows/lazyWorkflows.ts): a run evaluates only its own pipeline's modules, tracing
 *   interceptors still bundled (what a tracing worker runs now);
 * - lazy workflows without the tracing interceptors: the prebuilt bundle a worker that does not trace runs.
 * Breakwater's own workflows (src/workflows/index.ts) are lazy in all three.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { referenceWorkflowsPath } from '../../pipelines/worker';
import { bundleWorkflows } from '../../workers/bundle';
import { spawnWorker, type WorkerProcess } from './fleet';
import { runLoad, type LoadFigures } from './load';
import { measureMemory, type MemoryRow } from './memory';
import { startScaleStack } from './stack';

export const abVariants = ['every pipeline per run, tracing bundled', 'lazy workflows, tracing bundled', 'lazy workflows, no tracing interceptors'] as const;
export type AbVariant = (typeof abVariants)[number];

export interface AbFigures {
  load: number;
  rounds: number;
  byVariant: Record<AbVariant, LoadFigures[]>;
  memory: Record<AbVariant, MemoryRow>;
}

async function bundleFile(name: string, o: { workflowsPath: string; tracing: boolean }): Promise<string> {
  const { code } = await bundleWorkflows(o);
  const file = path.join(mkdtempSync(path.join(tmpdir(), 'bw-scale-ab-')), `reference-bundle-${name}.js`);
  writeFileSync(file, code);
  return file;
}

/** The reference workflows module as it was: reading every export loads every pipeline when the module loads. */
function eagerWorkflowsModule(): string {
  const file = path.join(mkdtempSync(path.join(tmpdir(), 'bw-scale-eager-')), 'workflows.js');
  writeFileSync(file, `module.exports = Object.assign({}, require(${JSON.stringify(referenceWorkflowsPath())}));\n`);
  return file;
}

/** Worker environment per variant: the two earlier states as prebuilt bundles, the default as shipped. */
async function variantEnv(): Promise<Record<AbVariant, Record<string, string>>> {
  return {
    'every pipeline per run, tracing bundled': { SCALE_REFERENCE_BUNDLE: await bundleFile('eager-traced', { workflowsPath: eagerWorkflowsModule(), tracing: true }) },
    'lazy workflows, tracing bundled': { SCALE_REFERENCE_BUNDLE: await bundleFile('lazy-traced', { workflowsPath: referenceWorkflowsPath(), tracing: true }) },
    'lazy workflows, no tracing interceptors': {},
  };
}

export async function measureWorkflowLoading(o: { load: number; rounds: number; memoryRuns: number; llmDelayMs: number; log: (l: string) => void }): Promise<AbFigures> {
  const env = await variantEnv();
  const s = await startScaleStack({ llmDelayMs: o.llmDelayMs });
  const figs: AbFigures = { load: o.load, rounds: o.rounds, byVariant: { 'every pipeline per run, tracing bundled': [], 'lazy workflows, tracing bundled': [], 'lazy workflows, no tracing interceptors': [] }, memory: {} as AbFigures['memory'] };
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
