/**
 * Speed-up A/B — shared workflow modules. Temporal evaluates a bundle's modules once per run (each run has
 * its own module cache in the reused V8 context) unless they are preloaded; every Breakwater run imports
 * zod (a megabyte of module code), so each new run paid zod's evaluation in CPU and kept its own copy in
 * memory. `bundleWorkflows` now preloads src/workflows/sharedModules.ts. Before = the reference bundle
 * built with `preloadModules: []`, after = the prebuilt one; same stack, same worker code, ABBA rounds.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { referenceWorkflowsPath } from '../../pipelines/worker';
import { bundleWorkflows } from '../../workers/bundle';
import { spawnWorker } from './fleet';
import { runLoad, type LoadFigures } from './load';
import { measureMemory, type MemoryRow } from './memory';
import { startScaleStack } from './stack';

export interface AbFigures {
  load: number;
  rounds: number;
  before: LoadFigures[];
  after: LoadFigures[];
  memory: { before: MemoryRow; after: MemoryRow };
}

export async function beforeBundle(): Promise<string> {
  const { code } = await bundleWorkflows({ workflowsPath: referenceWorkflowsPath(), preloadModules: [] });
  const file = path.join(mkdtempSync(path.join(tmpdir(), 'bw-scale-ab-')), 'reference-bundle-no-preload.js');
  writeFileSync(file, code);
  return file;
}

export async function measureSharedModules(o: { load: number; rounds: number; memoryRuns: number; llmDelayMs: number; log: (l: string) => void }): Promise<AbFigures> {
  const before = await beforeBundle();
  const s = await startScaleStack({ llmDelayMs: o.llmDelayMs });
  const figs: AbFigures = { load: o.load, rounds: o.rounds, before: [], after: [], memory: {} as AbFigures['memory'] };
  try {
    const variants = {
      before: await spawnWorker(s.t.stack, { mode: 'breakwater', taskQueue: 'ab-before', bareBundle: s.bareBundle, env: { PORTAL_URL: s.portal.url, SCALE_REFERENCE_BUNDLE: before } }),
      after: await spawnWorker(s.t.stack, { mode: 'breakwater', taskQueue: 'ab-after', bareBundle: s.bareBundle, env: { PORTAL_URL: s.portal.url } }),
    };
    try {
      const client = s.t.stack.env.client;
      for (const v of ['before', 'after'] as const) await runLoad({ client, pipeline: 'agentDecision', mode: 'breakwater', taskQueue: `ab-${v}`, n: 5, tag: `ab-warm-${v}` });
      for (let i = 0; i < o.rounds; i++) {
        for (const v of i % 2 ? (['after', 'before'] as const) : (['before', 'after'] as const)) {
          const f = await runLoad({ client, pipeline: 'agentDecision', mode: 'breakwater', taskQueue: `ab-${v}`, n: o.load, tag: `ab-${v}-${i}`, executionTimeoutMs: 120_000 });
          figs[v].push(f);
          o.log(`  shared modules ${v}: ${o.load} agentDecision runs, ${f.runsPerSec.toFixed(1)} runs/s, p99 ${f.p99.toFixed(0)} ms, timeouts ${f.timeouts}`);
        }
      }
    } finally {
      await variants.before.stop();
      await variants.after.stop();
    }
  } finally {
    await s.stop();
  }
  for (const v of ['before', 'after'] as const) {
    const [row] = await measureMemory({ levels: [o.memoryRuns], kinds: ['timer'], modes: ['breakwater'], log: o.log, env: v === 'before' ? { SCALE_REFERENCE_BUNDLE: before } : {} });
    figs.memory[v] = row!;
  }
  return figs;
}
