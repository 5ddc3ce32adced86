/**
 * A production-configured Temporal cluster (go.temporal.io/server v1.32.2, built by clusterTools.ts): Postgres
 * persistence and SQL visibility, schemas set up and upgraded by Temporal's own `temporal-sql-tool`, and the
 * frontend, history, matching and worker services each in a process of its own (or all four in one:
 * `topology: 'single'`), every listener on 127.0.0.1. Start-up registers the namespace and Breakwater's
 * search attributes through the operator API and waits until a visibility query on them is accepted.
 * Processes are detached (they outlive the CLI that started them, as `breakwater stack` needs) and are
 * recognised as ours by the config file on their command line, never by a recorded pid alone.
 */
import { execFile, spawn } from 'node:child_process';
import { mkdirSync, openSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { Connection } from '@temporalio/client';
import { msToTs } from '@temporalio/common/lib/time';
import { temporal } from '@temporalio/proto';
import { searchAttributeKeys } from '../contracts/searchAttributes';
import { ProvisioningError } from '../errors';
import { CLUSTER_SERVICES, clusterConfigYaml, clusterDynamicConfigYaml, type ClusterDatabase, type ClusterPorts, type ClusterService } from './clusterConfig';
import type { ClusterTools } from './clusterTools';
import { canConnect, isAlive, waitFor } from './processes';

const run = promisify(execFile);

/** The proto's own names (a bare number is easy to get wrong: 3 is INT, not DOUBLE). */
const indexedValueType: Record<(typeof searchAttributeKeys)[number]['type'], temporal.api.enums.v1.IndexedValueType> = {
  KEYWORD: temporal.api.enums.v1.IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD,
  DOUBLE: temporal.api.enums.v1.IndexedValueType.INDEXED_VALUE_TYPE_DOUBLE,
};

/** Which services a process runs: one per service, or all four in one (a first step; same config otherwise). */
export type ClusterTopology = 'split' | 'single';

export interface ClusterOptions {
  tools: ClusterTools;
  /** Config files and logs. */
  dir: string;
  ports: ClusterPorts;
  db: ClusterDatabase;
  topology?: ClusterTopology;
  namespace?: string;
  /** How long to wait for the frontend and the registrations. Default 120 s (cold start on 2 cores). */
  readyTimeoutMs?: number;
  log?: (line: string) => void;
}

export interface ClusterProcess {
  name: string;
  pid: number;
  configFile: string;
}

const processGroups = (t: ClusterTopology): { name: string; services: readonly ClusterService[] }[] =>
  t === 'single' ? [{ name: 'all', services: CLUSTER_SERVICES }] : CLUSTER_SERVICES.map((s) => ({ name: s, services: [s] }));

const dbEnv = (db: ClusterDatabase) => (db.password ? { TEMPORAL_DB_PASSWORD: db.password, SQL_PASSWORD: db.password } : { TEMPORAL_DB_PASSWORD: '' });

/**
 * Creates both databases (if missing) and brings their schemas to v1.32.2's latest with temporal-sql-tool —
 * idempotent: an up-to-date database is left as it is, an older one is upgraded in place.
 */
export async function setupClusterSchemas(sqlTool: string, db: ClusterDatabase, log: (line: string) => void = () => undefined): Promise<void> {
  const common = ['--plugin', 'postgres12', '--ep', db.host, '-p', String(db.port), '-u', db.user];
  const env = { ...process.env, ...dbEnv(db) };
  for (const [database, schema] of [[db.database, 'postgresql/v12/temporal'], [db.visibilityDatabase, 'postgresql/v12/visibility']] as const) {
    for (const step of [['create-database'], ['setup-schema', '-v', '0.0'], ['update-schema', '--schema-name', schema]]) {
      try {
        await run(sqlTool, [...common, '--db', database, ...step], { env, timeout: 180_000 });
      } catch (e) {
        const err = e as { stderr?: string; stdout?: string; message: string };
        const detail = `${err.stderr ?? ''}${err.stdout ?? ''}`.trim().split('\n').slice(-3).join(' ') || err.message;
        throw new ProvisioningError(`temporal-sql-tool ${step[0]} on database '${database}' at ${db.host}:${db.port} failed: ${detail.slice(0, 500)}`);
      }
    }
    log(`cluster: schema of '${database}' is at v1.32.2's latest (${schema})`);
  }
}

/** Whether `pid` is a live Temporal server process started on `configFile` (a pid may have been reused). */
export function runsConfig(pid: number | undefined, configFile: string): boolean {
  if (!isAlive(pid)) return false;
  try {
    const argv = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0');
    return argv[argv.indexOf('--config-file') + 1] === configFile;
  } catch {
    return process.platform !== 'linux';
  }
}

function spawnOne(o: ClusterOptions, name: string, services: readonly ClusterService[], dynamicConfigFile: string): ClusterProcess {
  const configFile = path.join(o.dir, `${name}.yaml`);
  writeFileSync(configFile, clusterConfigYaml({ ports: o.ports, db: o.db, service: services[0]!, dynamicConfigFile }), { mode: 0o600 });
  const log = openSync(path.join(o.dir, `${name}.log`), 'a');
  const child = spawn(o.tools.server, ['--config-file', configFile, '--allow-no-auth', 'start', ...services.flatMap((s) => ['--service', s])], {
    detached: true,
    stdio: ['ignore', log, log],
    env: { ...process.env, ...dbEnv(o.db) },
  });
  child.unref();
  if (!child.pid) throw new ProvisioningError(`could not start the Temporal ${name} process (${o.tools.server})`);
  return { name, pid: child.pid, configFile };
}

/**
 * Writes the config files and starts the processes (detached; `only`: these groups) one after the other,
 * each once its gRPC port listens: on a fresh database the first process writes the cluster metadata, and
 * four racing to do so make the losers exit ("failed to initialize current cluster metadata").
 */
export async function spawnCluster(o: ClusterOptions, only?: ReadonlySet<string>): Promise<ClusterProcess[]> {
  mkdirSync(o.dir, { recursive: true });
  const dynamicConfigFile = path.join(o.dir, 'dynamicconfig.yaml');
  writeFileSync(dynamicConfigFile, clusterDynamicConfigYaml());
  const out: ClusterProcess[] = [];
  for (const { name, services } of processGroups(o.topology ?? 'split').filter((g) => !only || only.has(g.name))) {
    const p = spawnOne(o, name, services, dynamicConfigFile);
    out.push(p);
    try {
      await waitFor(
        async () => {
          if (!isAlive(p.pid)) throw new ProvisioningError(`the Temporal ${name} process exited during start-up: ${lastLines(path.join(o.dir, `${name}.log`))}`);
          return canConnect(o.ports.grpc[services[0]!]);
        },
        `the Temporal ${name} process to listen on ${o.ports.grpc[services[0]!]}`,
        o.readyTimeoutMs ?? 120_000,
        250,
      );
    } catch (e) {
      await stopClusterProcesses(out, 'SIGKILL').catch(() => undefined);
      throw e;
    }
  }
  return out;
}

const lastLines = (file: string) => {
  try {
    return readFileSync(file, 'utf8').trim().split('\n').slice(-3).join(' | ').slice(0, 600);
  } catch {
    return '';
  }
};

async function alreadyExists<T>(p: Promise<T>): Promise<void> {
  try {
    await p;
  } catch (e) {
    if ((e as { code?: number }).code !== 6) throw e; // 6 = ALREADY_EXISTS
  }
}

/**
 * Waits until the frontend answers, then registers the namespace and the search attributes (both
 * idempotent) and waits until a visibility query naming every attribute is accepted.
 */
export async function awaitClusterReady(o: ClusterOptions, processes: ClusterProcess[]): Promise<void> {
  const namespace = o.namespace ?? 'default';
  const address = `127.0.0.1:${o.ports.grpc.frontend}`;
  const timeout = o.readyTimeoutMs ?? 120_000;
  const dead = () => processes.find((p) => !isAlive(p.pid));
  let connection: Connection | undefined;
  try {
    await waitFor(
      async () => {
        const gone = dead();
        if (gone) throw new ProvisioningError(`the Temporal ${gone.name} process exited during start-up: ${lastLines(path.join(o.dir, `${gone.name}.log`))}`);
        connection ??= await Connection.connect({ address, connectTimeout: 1000 }).catch(() => undefined);
        if (!connection) return false;
        return connection.workflowService.getSystemInfo({}).then(() => true, () => false);
      },
      `the Temporal cluster frontend on ${address}`,
      timeout,
      500,
    );
    const c = connection!;
    await waitFor(
      async () => {
        try {
          await alreadyExists(c.workflowService.registerNamespace({ namespace, workflowExecutionRetentionPeriod: msToTs('7 days') }));
          await c.workflowService.describeNamespace({ namespace });
          return true;
        } catch {
          return false; // history/matching may not have joined the ring yet
        }
      },
      `namespace '${namespace}' on the cluster`,
      timeout,
      1000,
    );
    const wanted = Object.fromEntries(searchAttributeKeys.map((k) => [k.name, indexedValueType[k.type]]));
    const query = searchAttributeKeys.map((k) => (k.type === 'DOUBLE' ? `${k.name} >= 0` : `${k.name} = "probe"`)).join(' AND ');
    await waitFor(
      async () => {
        try {
          // Only what is missing: SQL visibility maps each custom attribute to a column once per namespace.
          const have = (await c.operatorService.listSearchAttributes({ namespace })).customAttributes ?? {};
          const missing = Object.fromEntries(Object.entries(wanted).filter(([name]) => !(name in have)));
          if (Object.keys(missing).length) await alreadyExists(c.operatorService.addSearchAttributes({ namespace, searchAttributes: missing }));
          for (const [name, type] of Object.entries(wanted)) {
            if (name in have && have[name] !== type) throw new ProvisioningError(`search attribute ${name} is registered on namespace '${namespace}' with another type (${String(have[name])}, want ${type}); it cannot be changed in place: use a fresh namespace or database`);
          }
          await c.workflowService.listWorkflowExecutions({ namespace, query, pageSize: 1 });
          return true;
        } catch (e) {
          if (e instanceof ProvisioningError) throw e;
          return false; // the namespace registry refreshes on its own interval
        }
      },
      `Breakwater's search attributes on namespace '${namespace}'`,
      timeout,
      1000,
    );
  } finally {
    await connection?.close();
  }
}

/** SIGTERM (or `signal`) to each live process of ours; waits for them to exit, SIGKILL after 20 s. */
export async function stopClusterProcesses(processes: ClusterProcess[], signal: NodeJS.Signals = 'SIGTERM'): Promise<number> {
  const ours = processes.filter((p) => runsConfig(p.pid, p.configFile));
  for (const p of ours) process.kill(p.pid, signal);
  await Promise.all(
    ours.map(async (p) => {
      try {
        await waitFor(async () => !isAlive(p.pid), `Temporal ${p.name} (pid ${p.pid}) to exit`, 20_000, 100);
      } catch {
        if (isAlive(p.pid)) process.kill(p.pid, 'SIGKILL');
        await waitFor(async () => !isAlive(p.pid), `Temporal ${p.name} (pid ${p.pid}) to die`, 5000, 100);
      }
    }),
  );
  return ours.length;
}

export interface TemporalCluster {
  address: string;
  processes(): ClusterProcess[];
  /** SIGKILL every process (a crash of the whole cluster, no graceful hand-off). */
  kill(): Promise<void>;
  /** SIGKILL one service's process only (split topology). */
  killService(name: string): Promise<void>;
  /** Start whatever is not running again, on the same databases and ports, and wait until it serves. */
  restart(): Promise<void>;
  stop(): Promise<void>;
}

/** Schemas, processes, registrations: a cluster that serves when this resolves. */
export async function startTemporalCluster(o: ClusterOptions): Promise<TemporalCluster> {
  const log = o.log ?? (() => undefined);
  await setupClusterSchemas(o.tools.sqlTool, o.db, log);
  let procs = await spawnCluster(o);
  try {
    await awaitClusterReady(o, procs);
  } catch (e) {
    await stopClusterProcesses(procs, 'SIGKILL').catch(() => undefined);
    throw e;
  }
  log(`cluster: ${procs.map((p) => `${p.name} pid ${p.pid}`).join(', ')}; frontend 127.0.0.1:${o.ports.grpc.frontend}`);
  const respawnMissing = async () => {
    const missing = new Set(procs.filter((p) => !runsConfig(p.pid, p.configFile)).map((p) => p.name));
    if (missing.size === 0) return;
    const fresh = await spawnCluster(o, missing);
    procs = procs.map((p) => fresh.find((f) => f.name === p.name) ?? p);
  };
  return {
    address: `127.0.0.1:${o.ports.grpc.frontend}`,
    processes: () => [...procs],
    async kill() {
      await stopClusterProcesses(procs, 'SIGKILL');
    },
    async killService(name) {
      await stopClusterProcesses(procs.filter((p) => p.name === name), 'SIGKILL');
    },
    async restart() {
      await respawnMissing();
      await awaitClusterReady(o, procs);
    },
    async stop() {
      await stopClusterProcesses(procs);
    },
  };
}
