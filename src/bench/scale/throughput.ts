/**
 * Part 1 — throughput and latency against load: for 1 and 2 worker processes of each kind, `loads`
 * concurrent runs of agentDecision and submitAndVerify (LLM 1 s, portal 50 ms), Breakwater and the bare
 * baseline alternating (ABBA per load, so the dev server's growing history and the machine's drift hit
 * both alike). Activity attempts that had to be retried are counted from the workers (a timed-out
 * activity shows up there).
 */
import { cpuDelta, perRun, sampleCpu, type CpuSample } from './cpu';
import { spawnFleet, stopFleet, type WorkerProcess } from './fleet';
import { runLoad, type LoadFigures, type Mode, type Pipeline } from './load';
import { startScaleStack } from './stack';

export interface ThroughputCell extends LoadFigures {
  pipeline: Pipeline;
  mode: Mode;
  workers: number;
  load: number;
  /** Retried activity attempts during the cell, all worker processes of the mode. */
  retries: number;
  /** Largest worker RSS at the end of the cell, MiB. */
  rssMiB: number;
  /** CPU ms per completed run, by where it was spent (./cpu.ts). */
  cpuPerRunMs: CpuSample;
}

export interface ThroughputOptions {
  loads: number[];
  workers: number[];
  pipelines: Pipeline[];
  llmDelayMs: number;
  portalLatencyMs: number;
  warmup: number;
  /** Worker tuning for both kinds (A/B variants pass their own). */
  env?: Record<string, string>;
  log: (line: string) => void;
}

const sum = (xs: number[]) => xs.reduce((a, x) => a + x, 0);
const fmtCpu = (c: CpuSample) => `worker ${c.workers.toFixed(1)} temporal ${c.temporal.toFixed(1)} postgres ${c.postgres.toFixed(1)} bench ${c.bench.toFixed(1)} machine ${c.machine.toFixed(1)}`;

export async function measureThroughput(o: ThroughputOptions): Promise<ThroughputCell[]> {
  const s = await startScaleStack({ llmDelayMs: o.llmDelayMs, portalLatencyMs: o.portalLatencyMs });
  const cells: ThroughputCell[] = [];
  try {
    for (const workers of o.workers) {
      const fleets: Record<Mode, WorkerProcess[]> = {
        breakwater: await spawnFleet(s.t.stack, workers, { mode: 'breakwater', taskQueue: `bw-w${workers}`, bareBundle: s.bareBundle, env: { PORTAL_URL: s.portal.url, ...o.env } }),
        bare: await spawnFleet(s.t.stack, workers, { mode: 'bare', taskQueue: `bare-w${workers}`, bareBundle: s.bareBundle, env: { PORTAL_URL: s.portal.url, ...o.env } }),
      };
      try {
        const client = s.t.stack.env.client;
        for (const pipeline of o.pipelines) {
          for (const mode of ['breakwater', 'bare'] as const) await runLoad({ client, pipeline, mode, taskQueue: fleets[mode][0]!.taskQueue, n: o.warmup, tag: `warm-${mode}-w${workers}` });
        }
        let flip = false;
        for (const load of o.loads) {
          for (const pipeline of o.pipelines) {
            const order: Mode[] = flip ? ['bare', 'breakwater'] : ['breakwater', 'bare'];
            flip = !flip;
            for (const mode of order) {
              const before = sum((await Promise.all(fleets[mode].map((w) => w.report()))).map((r) => r.retries));
              const pids = fleets[mode].map((w) => w.child.pid ?? 0);
              const cpuBefore = sampleCpu(pids);
              const f = await runLoad({ client, pipeline, mode, taskQueue: fleets[mode][0]!.taskQueue, n: load, tag: `${pipeline}-${mode}-w${workers}-n${load}`, executionTimeoutMs: 120_000 });
              const cpuPerRunMs = perRun(cpuDelta(cpuBefore, sampleCpu(pids)), f.completed);
              const reports = await Promise.all(fleets[mode].map((w) => w.report()));
              const cell = { ...f, pipeline, mode, workers, load, retries: sum(reports.map((r) => r.retries)) - before, rssMiB: Math.max(...reports.map((r) => r.rss)) / 2 ** 20, cpuPerRunMs };
              cells.push(cell);
              o.log(`  ${pipeline} ${mode} workers=${workers} load=${load}: ${cell.runsPerSec.toFixed(1)} runs/s, p50 ${cell.p50.toFixed(0)} ms, p99 ${cell.p99.toFixed(0)} ms, timeouts ${cell.timeouts}, failed ${cell.failed}${cell.firstError ? ` (${cell.firstError.slice(0, 200)})` : ''}, retries ${cell.retries}, rss ${cell.rssMiB.toFixed(0)} MiB, cpu/run ms ${fmtCpu(cpuPerRunMs)}`);
            }
          }
        }
      } finally {
        await stopFleet([...fleets.breakwater, ...fleets.bare]);
      }
    }
  } finally {
    await s.stop();
  }
  return cells;
}
