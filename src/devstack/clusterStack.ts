/**
 * `breakwater stack start --profile cluster`: the production-configured Temporal cluster (temporalCluster.ts,
 * frontend on 127.0.0.1:7333 beside a dev server's 7233) on Postgres — DATABASE_URL's server when set
 * (databases `temporal` and `temporal_visibility` created beside Breakwater's), else the project-local
 * cluster — plus two Breakwater worker processes (the reference pipelines' `dist/pipelines/main.js`, when
 * this is Breakwater's checkout). Idempotent like the dev profile: what runs is reused. Recorded in the
 * same `stack.json` (profile `cluster`), so TEMPORAL_ADDRESS, `breakwater runs` and the tests follow it.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, openSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { InvalidInputError, ProvisioningError } from '../errors';
import { projectHome } from '../projectHome';
import { clusterDatabaseFromUrl, clusterPortsFrom, DEFAULT_CLUSTER_FRONTEND_PORT } from './clusterConfig';
import { ensureClusterTools } from './clusterTools';
import { devCodecKeys } from './codecKey';
import { isAlive, waitFor } from './processes';
import { portIsFree } from './ports';
import { checkDatabase, ensurePostgres, stopPostgres } from './postgres';
import { awaitClusterReady, runsConfig, setupClusterSchemas, spawnCluster, stopClusterProcesses, type ClusterProcess } from './temporalCluster';

export const CLUSTER_WORKERS = 2;
const workerMain = () => path.resolve(__dirname, '..', 'pipelines', 'main.js');

const clusterStateSchema = z.object({
  profile: z.literal('cluster'),
  temporal: z.object({ address: z.string(), uiUrl: z.string(), dbFile: z.string() }),
  postgres: z.object({ url: z.string(), external: z.boolean(), dataDir: z.string().optional() }),
  cluster: z.object({
    dir: z.string(),
    frontendPort: z.number(),
    processes: z.array(z.object({ name: z.string(), pid: z.number(), configFile: z.string() })),
    workers: z.array(z.object({ pid: z.number(), log: z.string() })),
  }),
});
export type ClusterStackState = z.infer<typeof clusterStateSchema>;

const statePath = (home: string) => path.join(home, 'stack.json');

export function readClusterState(home: string): ClusterStackState | undefined {
  if (!existsSync(statePath(home))) return undefined;
  const parsed = clusterStateSchema.safeParse(JSON.parse(readFileSync(statePath(home), 'utf8')));
  return parsed.success ? parsed.data : undefined;
}

/** A recorded worker pid that is still a node process running the worker main (a pid may be reused). */
function isOurWorker(pid: number): boolean {
  if (!isAlive(pid)) return false;
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').includes(workerMain());
  } catch {
    return process.platform !== 'linux';
  }
}

function spawnWorker(log: string, env: NodeJS.ProcessEnv): number {
  const out = openSync(log, 'a');
  const child = spawn(process.execPath, [workerMain()], { detached: true, stdio: ['ignore', out, out], env });
  child.unref();
  if (!child.pid) throw new ProvisioningError(`could not start a worker process (${workerMain()})`);
  return child.pid;
}

async function awaitWorkerStarted(pid: number, log: string): Promise<void> {
  await waitFor(
    async () => {
      if (!isAlive(pid)) throw new ProvisioningError(`worker ${pid} exited during start-up: ${readFileSync(log, 'utf8').trim().split('\n').slice(-3).join(' | ').slice(0, 600)}`);
      return readFileSync(log, 'utf8').includes('worker started');
    },
    `worker ${pid} to poll`,
    90_000,
    300,
  );
}

export interface ClusterStackInfo {
  temporal: { address: string; started: boolean; processes: ClusterProcess[] };
  postgres: { url: string; external: boolean; started: boolean };
  workers: { pid: number; log: string; started: boolean }[];
}

export async function ensureClusterStack(o: { home?: string; env?: NodeJS.ProcessEnv; frontendPort?: number; workers?: number } = {}): Promise<ClusterStackInfo> {
  const { home = projectHome(), env = process.env } = o;
  const previous = readClusterState(home);
  if (!previous && existsSync(statePath(home)) && JSON.parse(readFileSync(statePath(home), 'utf8')).temporal) {
    throw new InvalidInputError("This project's stack runs with the dev profile; stop it first (breakwater stack stop) to start the cluster profile");
  }
  const frontendPort = o.frontendPort ?? previous?.cluster.frontendPort ?? DEFAULT_CLUSTER_FRONTEND_PORT;
  if (previous && frontendPort !== previous.cluster.frontendPort) throw new InvalidInputError(`This project's cluster already runs on ${previous.temporal.address}; stop it first to move it`);
  const dir = path.join(home, 'cluster');
  mkdirSync(dir, { recursive: true });
  devCodecKeys(home); // the development key the config module falls back to, as the dev profile

  let postgres: ClusterStackInfo['postgres'];
  let dataDir: string | undefined;
  if (env.DATABASE_URL) {
    await checkDatabase(env.DATABASE_URL);
    postgres = { url: env.DATABASE_URL, external: true, started: false };
  } else {
    const pg = await ensurePostgres(path.join(home, 'pgdata'));
    dataDir = pg.dataDir;
    postgres = { url: pg.url, external: false, started: pg.started };
  }
  const db = clusterDatabaseFromUrl(postgres.url);
  const ports = clusterPortsFrom(frontendPort);
  const options = { tools: ensureClusterTools(), dir, ports, db, topology: 'split' as const, readyTimeoutMs: 180_000 };

  // A project-local Postgres comes back on a fresh port after a stop: what runs still points at the old one.
  const moved = Boolean(previous && !previous.postgres.external && previous.postgres.url !== postgres.url);
  if (previous && moved) await stopWorkers(previous);
  const alive = (previous?.cluster.processes ?? []).filter((p) => runsConfig(p.pid, p.configFile));
  let processes: ClusterProcess[];
  let started = false;
  if (previous && !moved && alive.length === previous.cluster.processes.length && alive.length > 0) {
    processes = alive;
  } else {
    await stopClusterProcesses(alive, 'SIGTERM'); // a partial cluster from a crash: start all afresh
    if (!(await portIsFree(ports.grpc.frontend))) throw new ProvisioningError(`Port ${ports.grpc.frontend} (cluster frontend) is taken by another process; choose another with --temporal-port`);
    await setupClusterSchemas(options.tools.sqlTool, db);
    processes = await spawnCluster(options);
    started = true;
  }
  try {
    await awaitClusterReady(options, processes);
  } catch (e) {
    if (started) await stopClusterProcesses(processes, 'SIGKILL').catch(() => undefined);
    throw e;
  }
  const address = `127.0.0.1:${ports.grpc.frontend}`;

  const wantWorkers = existsSync(workerMain()) ? (o.workers ?? CLUSTER_WORKERS) : 0;
  const workerEnv = { ...env, TEMPORAL_ADDRESS: address, DATABASE_URL: postgres.url };
  const workers: ClusterStackInfo['workers'] = [];
  for (let i = 0; i < wantWorkers; i++) {
    const known = moved ? undefined : previous?.cluster.workers[i];
    if (known && isOurWorker(known.pid)) {
      workers.push({ ...known, started: false });
      continue;
    }
    const log = path.join(dir, `worker-${i + 1}.log`);
    workers.push({ pid: spawnWorker(log, workerEnv), log, started: true });
  }
  for (const w of workers.filter((x) => x.started)) await awaitWorkerStarted(w.pid, w.log);

  const state: ClusterStackState = {
    profile: 'cluster',
    temporal: { address, uiUrl: '', dbFile: '' },
    // An external DATABASE_URL may carry a password: record only that it is external, never the URL.
    postgres: postgres.external ? { url: '', external: true } : { url: postgres.url, external: false, ...(dataDir ? { dataDir } : {}) },
    cluster: { dir, frontendPort, processes, workers: workers.map(({ pid, log }) => ({ pid, log })) },
  };
  writeFileSync(statePath(home), JSON.stringify(state, null, 2));
  return { temporal: { address, started, processes }, postgres, workers };
}

/** SIGTERM to the recorded workers that are still ours (they drain), SIGKILL after 40 s. */
async function stopWorkers(state: ClusterStackState): Promise<number> {
  const workers = state.cluster.workers.filter((w) => isOurWorker(w.pid));
  for (const w of workers) process.kill(w.pid, 'SIGTERM');
  for (const w of workers) {
    await waitFor(async () => !isAlive(w.pid), `worker ${w.pid} to drain`, 40_000, 200).catch(() => {
      if (isAlive(w.pid)) process.kill(w.pid, 'SIGKILL');
    });
  }
  return workers.length;
}

/** Stops this project's workers (SIGTERM: they drain), then the cluster's processes, then a project-local Postgres. */
export async function stopClusterStack(home = projectHome()): Promise<{ workers: number; temporal: number; postgres: boolean } | undefined> {
  const state = readClusterState(home);
  if (!state) return undefined;
  const workers = await stopWorkers(state);
  const temporal = await stopClusterProcesses(state.cluster.processes);
  const postgres = !state.postgres.external && state.postgres.dataDir ? stopPostgres(state.postgres.dataDir) : false;
  writeFileSync(statePath(home), JSON.stringify({}, null, 2));
  return { workers, temporal, postgres };
}

/** What the cluster profile recorded, and which of its processes still run. */
export function clusterStatus(home = projectHome()) {
  const state = readClusterState(home);
  if (!state) return undefined;
  return {
    address: state.temporal.address,
    processes: state.cluster.processes.map((p) => ({ ...p, running: runsConfig(p.pid, p.configFile) })),
    workers: state.cluster.workers.map((w) => ({ ...w, running: isOurWorker(w.pid) })),
    postgres: state.postgres,
  };
}
