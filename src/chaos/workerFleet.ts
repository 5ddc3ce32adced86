/**
 * Worker processes for the chaos run (`node dist/pipelines/main.js`), kept at a fixed count: a worker that
 * dies — SIGKILLed by the schedule, crashed at a fault point, or exited because its server vanished — is
 * replaced by a fresh one after a short delay, as an orchestrator would. Each slot can be re-armed with
 * BREAKWATER_FAULTS so the next worker in it SIGKILLs itself at a named fault point.
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
  /** Replaces a worker (graceful SIGTERM) with one armed to crash at `point`. Returns the armed pid. */
  armAtPoint(point: string): Promise<number | undefined>;
  /** Replaces every armed worker that has not crashed yet with a plain one. */
  disarmAll(): Promise<void>;
  /** Resolves once every slot has a live worker that logged it polls. */
  ready(timeoutMs?: number): Promise<void>;
  stop(): Promise<void>;
}

interface Slot {
  child?: ChildProcess;
  ready: boolean;
  armed?: string;
  expectExit?: 'kill' | 'replace';
}

const workerMain = path.resolve(__dirname, '..', 'pipelines', 'main.js');

export function startWorkerFleet(o: { size: number; env: Record<string, string>; respawnDelayMs?: number; log?: (line: string) => void }): WorkerFleet {
  const slots: Slot[] = Array.from({ length: o.size }, () => ({ ready: false }));
  const stats: FleetStats = { spawned: 0, killed: 0, crashedAt: {}, otherExits: 0 };
  let stopping = false;

  function spawnInto(slot: Slot, faults?: string): void {
    const child = spawn(process.execPath, [workerMain], {
      env: { ...(process.env as Record<string, string>), ...o.env, LOG_LEVEL: 'info', ...(faults ? { BREAKWATER_FAULTS: `${faults}:crash` } : {}) },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    stats.spawned += 1;
    Object.assign(slot, { child, ready: false, armed: faults, expectExit: undefined });
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

  async function replace(slot: Slot, faults?: string): Promise<void> {
    const old = slot.child;
    if (old) {
      slot.expectExit = 'replace';
      old.kill('SIGTERM');
      const force = setTimeout(() => old.kill('SIGKILL'), 5000);
      await exited(old);
      clearTimeout(force);
    }
    if (!stopping) spawnInto(slot, faults);
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
    async armAtPoint(point) {
      const slot = slots.find((s) => !s.armed) ?? slots[0]!;
      await replace(slot, point);
      return slot.child?.pid;
    },
    async disarmAll() {
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
