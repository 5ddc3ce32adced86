/**
 * Where a cell's CPU went, from /proc (Linux): user+system time of the mode's worker processes, the
 * Temporal dev server, Postgres (every `postgres` process, plus what exited backends left in their parent's
 * children counters) and this benchmark process (the client starting and reading runs, and the LLM and
 * portal simulators, which run in it), and the whole machine's busy time. Divided by completed runs it
 * says what a run costs each part — the "why" behind a throughput ratio on shared cores.
 */
import { readdirSync, readFileSync } from 'node:fs';

export type CpuGroup = 'workers' | 'temporal' | 'postgres' | 'bench' | 'machine';
export type CpuSample = Record<CpuGroup, number>;

const TICK_MS = 10; // USER_HZ is 100 on Linux

/** utime, stime, cutime, cstime of a process, in ms; undefined if it is gone. */
function times(pid: number): { own: number; children: number; comm: string; cmd: string } | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const close = stat.lastIndexOf(')');
    const comm = stat.slice(stat.indexOf('(') + 1, close);
    const f = stat.slice(close + 2).split(' '); // f[0] is field 3 (state)
    const [utime, stime, cutime, cstime] = [f[11], f[12], f[13], f[14]].map(Number) as [number, number, number, number];
    const cmd = readFileSync(`/proc/${pid}/cmdline`, 'utf8').replace(/\0/g, ' ');
    return { own: (utime + stime) * TICK_MS, children: (cutime + cstime) * TICK_MS, comm, cmd };
  } catch {
    return undefined;
  }
}

function machineBusyMs(): number {
  const cpu = readFileSync('/proc/stat', 'utf8').split('\n')[0]!.trim().split(/\s+/).slice(1).map(Number);
  const [user, nice, system, , , irq, softirq, steal] = cpu as number[];
  return ((user ?? 0) + (nice ?? 0) + (system ?? 0) + (irq ?? 0) + (softirq ?? 0) + (steal ?? 0)) * TICK_MS;
}

/** A sample of cumulative CPU ms per group; `workerPids` are the mode's worker processes. */
export function sampleCpu(workerPids: readonly number[]): CpuSample {
  const s: CpuSample = { workers: 0, temporal: 0, postgres: 0, bench: 0, machine: machineBusyMs() };
  for (const pid of workerPids) s.workers += times(pid)?.own ?? 0;
  const self = times(process.pid);
  s.bench = self?.own ?? 0;
  for (const name of readdirSync('/proc')) {
    const pid = Number(name);
    if (!Number.isInteger(pid) || pid === process.pid) continue;
    const t = times(pid);
    if (!t) continue;
    if (t.comm === 'postgres') s.postgres += t.own + t.children;
    else if (t.cmd.includes('server start-dev')) s.temporal += t.own;
  }
  return s;
}

export const cpuDelta = (a: CpuSample, b: CpuSample): CpuSample => ({
  workers: b.workers - a.workers,
  temporal: b.temporal - a.temporal,
  postgres: b.postgres - a.postgres,
  bench: b.bench - a.bench,
  machine: b.machine - a.machine,
});

/** CPU ms per completed run, per group. */
export const perRun = (d: CpuSample, runs: number): CpuSample => {
  const n = Math.max(1, runs);
  return { workers: d.workers / n, temporal: d.temporal / n, postgres: d.postgres / n, bench: d.bench / n, machine: d.machine / n };
};
