/**
 * Worker processes for the chaos run (`node dist/pipelines/main.js`), kept at a fixed count: a worker that
 * dies — SIGKILLed by the schedule, crashed at a fault point, or exited because its server vanished — is
 * replaced by a fresh one after a short delay, as an orchestrator would. The fleet can be armed at named
 * fault points (BREAKWATER_FAULTS): every worker it starts from then on carries the points that have not
 * fired yet, so each point SIGKILLs one worker at its exact moment, wherever the work lands.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';

export interface FleetStats {
  spawned: number;
  /** SIGKILLs sent by the schedule (random moments). */
  killed: number;
  /** Self-inflicted SIGKILLs at a fault point, by point. */
  crashedAt: Record<string, number>;
  /** Exits nobody asked for (e.g. the server was away at start-up). */
  otherExits: number;
}

export interface WorkerFleet {
  stats(): FleetStats;
  pids(): number[];
  /** SIGKILLs the worker at `pick` (0..1 over the live ones); it is replaced. Returns the pid killed. */
  kill(pick: number): number | undefined;
  /** Arms every worker (replaced one by one, gracefully) at `points` until each has fired once. */
  armAtPoints(points: readonly string[]): Promise<void>;
  /** The armed points that have not fired yet. */
  unfired(): string[];
  /** Forgets the unfired points and replaces every armed worker with a plain one. */
  disarmAll(): Promise<void>;
  /** Resolves once every slot has a live worker that logged it polls. */
  ready(timeoutMs?: number): Promise<void>;
  stop(): Promise<void>;
}

interface Slot {
  child?: ChildProcess;
  ready: boolean;
  /** A graceful replacement is under way: a second one would start two workers in one slot. */
  replacing?: boolean;
  armed?: string[];
  expectExit?: 'kill' | 'replace';
}

const workerMain = path.resolve(__dirname, '..', 'pipelines', 'main.js');

export function startWorkerFleet(o: { size: number; env: Record<string, string>; respawnDelayMs?: number; log?: (line: string) => void; armedAt?: readonly string[] }): WorkerFleet {
  const slots: Slot[] = Array.from({ length: o.size }, () => ({ ready: false }));
  const stats: FleetStats = { spawned: 0, killed: 0, crashedAt: {}, otherExits: 0 };
  let stopping = false;
  const pendingPoints = new Set<string>(o.armedAt ?? []);

  function spawnInto(slot: Slot): void {
    const faults = [...pendingPoints];
    const child = spawn(process.execPath, [workerMain], {
      env: { ...(process.env as Record<string, string>), ...o.env, LOG_LEVEL: 'info', ...(faults.length ? { BREAKWATER_FAULTS: faults.map((p) => `${p}:crash`).join(',') } : {}) },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    stats.spawned += 1;
    Object.assign(slot, { child, ready: false, armed: faults.length ? faults : undefined, expectExit: undefined });
    let crashedAt: string | undefined;
    let tail = '';
    child.stdout!.on('data', (b: Buffer) => {
      if (!slot.ready && slot.child === child && b.toString().includes('worker started')) slot.ready = true;
    });
    child.stderr!.on('data', (b: Buffer) => {
      tail = (tail + b.toString()).slice(-600);
      const m = /fault point (\S+): crashing/.exec(b.toString());
      if (m) crashedAt = m[1];
    });
    child.once('exit', (code, signal) => {
      if (slot.child !== child) return;
      slot.child = undefined;
      slot.ready = false;
      if (crashedAt) {
        stats.crashedAt[crashedAt] = (stats.crashedAt[crashedAt] ?? 0) + 1;
        pendingPoints.delete(crashedAt);
        // Other workers still armed at this point would fire it again before the points behind it (a POST
        // meets beforePost before afterDone): re-arm them with what is left.
        const point = crashedAt;
        for (const other of slots) if (other !== slot && other.child && other.armed?.includes(point) && !stopping) void replace(other);
        o.log?.(`worker ${child.pid} crashed at fault point ${crashedAt}`);
      } else if (!slot.expectExit && !stopping) {
        stats.otherExits += 1;
        o.log?.(`worker ${child.pid} exited (${signal ?? code}); replacing it. stderr: ${tail.trim().split('\n').slice(-3).join(' | ')}`);
      }
      if (stopping || slot.expectExit === 'replace') return;
      void delay(o.respawnDelayMs ?? 500).then(() => {
        if (!stopping && !slot.child) spawnInto(slot);
      });
    });
  }

  const exited = (child: ChildProcess) => new Promise<void>((resolve) => (child.exitCode !== null || child.signalCode !== null ? resolve() : child.once('exit', () => resolve())));

  async function replace(slot: Slot): Promise<void> {
    if (slot.replacing) return;
    slot.replacing = true;
    try {
      await replaceNow(slot);
    } finally {
      slot.replacing = false;
    }
  }

  async function replaceNow(slot: Slot): Promise<void> {
    const old = slot.child;
    if (old) {
      slot.expectExit = 'replace';
      old.kill('SIGTERM');
      const force = setTimeout(() => old.kill('SIGKILL'), 5000);
      await exited(old);
      clearTimeout(force);
    }
    if (!stopping) spawnInto(slot);
  }

  for (const slot of slots) spawnInto(slot);

  return {
    stats: () => ({ ...stats, crashedAt: { ...stats.crashedAt } }),
    pids: () => slots.flatMap((s) => (s.child?.pid ? [s.child.pid] : [])),
    kill(pick) {
      const live = slots.filter((s) => s.child);
      const slot = live[Math.min(live.length - 1, Math.floor(pick * live.length))];
      if (!slot?.child) return undefined;
      const pid = slot.child.pid;
      slot.expectExit = 'kill';
      slot.child.kill('SIGKILL');
      stats.killed += 1;
      return pid;
    },
    async armAtPoints(points) {
      for (const p of points) pendingPoints.add(p);
      // One at a time, each waited for, so the fleet never has no live worker.
      for (const slot of slots) {
        await replace(slot);
        const until = Date.now() + 60_000;
        while (!slot.ready && slot.child && Date.now() < until) await delay(100);
      }
    },
    unfired: () => [...pendingPoints],
    async disarmAll() {
      pendingPoints.clear();
      await Promise.all(slots.filter((s) => s.armed && s.child).map((s) => replace(s)));
    },
    async ready(timeoutMs = 60_000) {
      const until = Date.now() + timeoutMs;
      while (!slots.every((s) => s.child && s.ready)) {
        if (Date.now() > until) throw new Error(`workers not ready within ${timeoutMs} ms`);
        await delay(200);
      }
    },
    async stop() {
      stopping = true;
      await Promise.all(
        slots.map(async (s) => {
          const c = s.child;
          if (!c) return;
          c.kill('SIGTERM');
          const force = setTimeout(() => c.kill('SIGKILL'), 5000);
          await exited(c);
          clearTimeout(force);
        }),
      );
    },
  };
}
