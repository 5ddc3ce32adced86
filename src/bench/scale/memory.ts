/**
 * Part 2 — worker memory per in-flight run: one worker process per kind, runs started in steps up to each
 * level and left waiting (on a durable timer: submitAndVerify's verify delay; on a person: agentDecision's
 * low-confidence gate), all held in the worker's workflow cache. After a forced GC the process's RSS and
 * V8 heap are read; per run = (reading − reading before any run) / runs in flight. Each kind and mode on a
 * task queue of its own, so a new process never picks up another's runs.
 */
import { readFileSync } from 'node:fs';
import type { Client } from '@temporalio/client';
import { startSubmitAndVerify } from '../../pipelines/submitAndVerify/client';
import { spawnWorker, type WorkerProcess } from './fleet';
import { bareClient, type Mode } from './load';
import { startScaleStack } from './stack';
import type { WorkerReport } from './workerMain';

export type WaitKind = 'timer' | 'person';

export interface MemoryRow {
  kind: WaitKind;
  mode: Mode;
  runs: number;
  rssMiB: number;
  heapMiB: number;
  rssPerRunKiB: number;
  heapPerRunKiB: number;
  /** Set when not every run reached the cache in time: how many did (the readings are taken anyway). */
  cachedOnly?: number;
}

const MiB = 2 ** 20;
let seq = 0;

async function startWaiting(client: Client, kind: WaitKind, mode: Mode, taskQueue: string): Promise<void> {
  const id = `mem-${kind}-${mode}-${++seq}`;
  if (kind === 'person') {
    await client.workflow.start(mode === 'breakwater' ? 'agentDecision' : 'bareDecision', { taskQueue, workflowId: id, args: [{ requestId: id, text: 'Order ORD-1001 arrived damaged, please refund.' }] });
  } else if (mode === 'bare') {
    await client.workflow.start('bareSubmitVerify', { taskQueue, workflowId: id, args: [{ recordId: id, entityId: 'E', payload: { n: seq }, verifyDelayMs: 3_600_000 }] });
  } else {
    await startSubmitAndVerify(client, { recordId: id, entityId: 'E', businessDate: '2025-01-01', payload: { n: seq }, options: { verifyDelay: '1h', verifyDeadline: '2h' } }, { taskQueue, workflowId: id });
  }
}

/**
 * Until every started run is cached and the worker is idle (nothing in flight, twice in a row). A worker that
 * does not get there in time is a finding, not an abort: the readings are taken as they are, `settled: false`.
 */
async function settle(w: WorkerProcess, runs: number, timeoutMs: number): Promise<{ report: WorkerReport; settled: boolean }> {
  const deadline = Date.now() + timeoutMs;
  let idle = 0;
  for (;;) {
    const r = await w.report();
    idle = r.cached >= runs && r.inFlightActivations === 0 && r.inFlightActivities === 0 ? idle + 1 : 0;
    if (idle >= 2) return { report: await w.report({ gc: true }), settled: true };
    if (Date.now() > deadline) return { report: await w.report({ gc: true }), settled: false };
    await new Promise((res) => setTimeout(res, 500));
  }
}

export async function measureMemory(o: { levels: number[]; kinds: WaitKind[]; log: (l: string) => void; modes?: Mode[]; /** Extra worker environment (an A/B variant). */ env?: Record<string, string> }): Promise<MemoryRow[]> {
  const s = await startScaleStack({ llmDelayMs: 0, confidence: 0.5, portalLatencyMs: 0 });
  const rows: MemoryRow[] = [];
  const max = Math.max(...o.levels);
  try {
    for (const kind of o.kinds) {
      for (const mode of o.modes ?? (['breakwater', 'bare'] as const)) {
        const taskQueue = `mem-${kind}-${mode}`;
        // Every run stays cached to be measured: above the default cache (src/workers/workflowCache.ts), so the
        // heap is raised to hold them (at Node's 4 GiB the workflow thread died at 2,000 waiting runs).
        const w = await spawnWorker(s.t.stack, { mode, taskQueue, bareBundle: s.bareBundle, maxHeapMiB: 8192, env: { PORTAL_URL: s.portal.url, SCALE_MAX_CACHED: String(max + 100), ...o.env } });
        try {
          // One run started and finished first is not possible for a waiting kind: the baseline is the idle worker after a GC.
          const base = await w.report({ gc: true });
          let started = 0;
          for (const level of o.levels) {
            while (started < level) {
              const batch = Math.min(100, level - started);
              await Promise.all(Array.from({ length: batch }, () => startWaiting(mode === 'bare' ? bareClient(s.t.stack.env.client) : s.t.stack.env.client, kind, mode, taskQueue)));
              started += batch;
            }
            const { report: r, settled } = await settle(w, level, 10 * 60_000);
            const row: MemoryRow = {
              kind, mode, runs: level, rssMiB: r.rss / MiB, heapMiB: r.heapUsed / MiB,
              rssPerRunKiB: (r.rss - base.rss) / level / 1024, heapPerRunKiB: (r.heapUsed - base.heapUsed) / level / 1024,
              ...(settled ? {} : { cachedOnly: r.cached }),
            };
            rows.push(row);
            o.log(`  ${kind} ${mode} ${level} runs: rss ${row.rssMiB.toFixed(0)} MiB (${row.rssPerRunKiB.toFixed(0)} KiB/run), heap ${row.heapMiB.toFixed(0)} MiB (${row.heapPerRunKiB.toFixed(0)} KiB/run)${settled ? '' : `; NOT settled after 10 min: ${r.cached} of ${level} cached`}`);
            if (!settled) break; // a higher level would only wait longer
          }
        } finally {
          await w.stop();
        }
      }
    }
  } finally {
    await s.stop();
  }
  return rows;
}

export interface BundleComposition {
  bytes: number;
  parts: { name: string; bytes: number }[];
}

/** What a webpack workflow bundle is made of: bytes per package (node_modules) or per project folder. */
export function bundleComposition(file: string): BundleComposition {
  const text = readFileSync(file, 'utf8');
  const sizes = new Map<string, number>();
  const re = /^\/\*\*\*\/ "([^"]+)"/gm;
  const starts: { at: number; name: string }[] = [];
  for (let m = re.exec(text); m; m = re.exec(text)) {
    const p = m[1]!;
    // Breakwater's own modules: ./dist/… (bundled at run time) or ./dist.next/… (bundled by scripts/build.mjs before its swap).
    const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(p)?.[1];
    starts.push({ at: m.index, name: pkg ?? (/^\.\/dist(\.next)?\//.test(p) ? `breakwater: ${p.split('/').slice(2, -1).join('/') || '.'}` : p) });
  }
  const map = text.indexOf('//# sourceMappingURL=data:');
  const end = map >= 0 ? map : text.length;
  starts.forEach((s, i) => sizes.set(s.name, (sizes.get(s.name) ?? 0) + ((starts[i + 1]?.at ?? end) - s.at)));
  if (map >= 0) sizes.set('inline source map', text.length - map);
  const moduled = starts.length ? starts[0]!.at : 0;
  if (moduled) sizes.set('webpack runtime and entry', moduled);
  return { bytes: Buffer.byteLength(text), parts: [...sizes].map(([name, bytes]) => ({ name, bytes })).sort((a, b) => b.bytes - a.bytes) };
}
