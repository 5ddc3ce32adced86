/**
 * Worker processes for the scale benchmark: each `fork`s ./workerMain.js with the stack's settings, a
 * mode (Breakwater or bare) and a task queue, and talks to it over IPC (memory, worker status).
 */
import { fork, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import type { TestStack } from '../../testing/harness';
import type { ParentMessage, WorkerMode, WorkerReport } from './workerMain';

export interface WorkerProcess {
  mode: WorkerMode;
  taskQueue: string;
  child: ChildProcess;
  report(o?: { gc?: boolean }): Promise<WorkerReport>;
  stop(): Promise<void>;
}

export interface SpawnOptions {
  mode: WorkerMode;
  taskQueue: string;
  bareBundle: string;
  /** Extra environment: PORTAL_URL, OTEL_EXPORTER_OTLP_ENDPOINT, SCALE_MAX_ACTIVITIES … */
  env?: Record<string, string>;
  /** V8 heap limit of the worker process and its workflow thread, MiB (default: Node's). */
  maxHeapMiB?: number;
}

export async function spawnWorker(stack: Pick<TestStack, 'settings'>, o: SpawnOptions): Promise<WorkerProcess> {
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(stack.settings)) if (v !== undefined) env[k] = v;
  Object.assign(env, { TEMPORAL_TASK_QUEUE: o.taskQueue, SCALE_MODE: o.mode, SCALE_BARE_BUNDLE: o.bareBundle, LOG_LEVEL: 'error', SHUTDOWN_GRACE_MS: '1000' }, o.env);
  if (!o.env?.OTEL_EXPORTER_OTLP_ENDPOINT) delete env.OTEL_EXPORTER_OTLP_ENDPOINT;
  const child = fork(path.resolve(__dirname, 'workerMain.js'), [], { env, execArgv: ['--expose-gc', ...(o.maxHeapMiB ? [`--max-old-space-size=${o.maxHeapMiB}`] : [])], stdio: ['ignore', 'inherit', 'pipe', 'ipc'] });
  let stderr = '';
  child.stderr?.on('data', (d: Buffer) => {
    stderr = (stderr + d.toString()).slice(-4000);
  });
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`scale worker did not start in 60 s: ${stderr}`)), 60_000);
    child.on('message', (m: { type: string }) => {
      if (m.type === 'ready') {
        clearTimeout(timer);
        resolve();
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`scale worker exited (${code}): ${stderr}`));
    });
  });
  const send = (m: ParentMessage) => child.send(m);
  return {
    mode: o.mode,
    taskQueue: o.taskQueue,
    child,
    report: (r = {}) =>
      new Promise<WorkerReport>((resolve, reject) => {
        const onMessage = (m: { type: string; report?: WorkerReport }) => {
          if (m.type !== 'report') return;
          child.off('message', onMessage);
          resolve(m.report!);
        };
        child.on('message', onMessage);
        if (child.exitCode !== null) reject(new Error(`scale worker exited: ${stderr}`));
        send({ type: 'report', gc: r.gc });
      }),
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once('exit', () => resolve());
        send({ type: 'stop' });
        setTimeout(() => child.kill('SIGKILL'), 10_000).unref();
      }),
  };
}

/** Starts `count` processes of one mode on one task queue. */
export async function spawnFleet(stack: Pick<TestStack, 'settings'>, count: number, o: SpawnOptions): Promise<WorkerProcess[]> {
  const fleet: WorkerProcess[] = [];
  for (let i = 0; i < count; i++) fleet.push(await spawnWorker(stack, o)); // one at a time: two cores
  return fleet;
}

export const stopFleet = (fleet: WorkerProcess[]) => Promise.all(fleet.map((w) => w.stop()));
