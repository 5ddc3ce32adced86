/**
 * The server config of Breakwater's production-configured Temporal cluster (v1.32.2, temporalCluster.ts):
 * Postgres persistence and SQL visibility (the `postgres12` plugin, databases `temporal` and
 * `temporal_visibility`), the four services each in a process of its own, ringpop membership through the
 * database, every listener on 127.0.0.1. One file per service: they differ only in the Prometheus
 * listener, which is process-wide in Temporal's config. The database password never lands in the file:
 * the config is a template (`# enable-template`) that reads TEMPORAL_DB_PASSWORD from the environment.
 */
import { InvalidInputError, ProvisioningError } from '../errors';
import { portIsFree } from './ports';

export const CLUSTER_SERVICES = ['history', 'matching', 'frontend', 'worker'] as const;
export type ClusterService = (typeof CLUSTER_SERVICES)[number];

export interface ClusterPorts {
  grpc: Record<ClusterService, number>;
  membership: Record<ClusterService, number>;
  metrics: Record<ClusterService, number>;
  frontendHttp: number;
}

/** Defaults beside the dev server's 7233 family, never on it: frontend 7333, history 7334, matching 7335, worker 7339. */
export const DEFAULT_CLUSTER_FRONTEND_PORT = 7333;

const offsets: Record<ClusterService, number> = { frontend: 0, history: 1, matching: 2, worker: 6 };

/** The fixed port family from a frontend port: gRPC +0..+6, membership +10.., HTTP +20, Prometheus +30... */
export function clusterPortsFrom(frontend: number): ClusterPorts {
  if (frontend < 1024 || frontend > 32767 - 40) throw new InvalidInputError(`cluster frontend port must be 1024-32727 (it takes the 40 ports above it; Temporal's SQL schema keeps ports in a smallint), got ${frontend}`);
  const each = (base: number) => Object.fromEntries(CLUSTER_SERVICES.map((s) => [s, frontend + base + offsets[s]])) as Record<ClusterService, number>;
  return { grpc: each(0), membership: each(10), metrics: each(30), frontendHttp: frontend + 20 };
}

/**
 * A port free right now below 32768: Temporal's SQL schema stores a member's RPC port in a `smallint`
 * (cluster_membership.rpc_port), so the kernel's ephemeral range (32768+, what port 0 hands out) is refused
 * at start-up ("value out of range for type smallint").
 */
async function freeLowPort(taken: Set<number>): Promise<number> {
  for (let i = 0; i < 500; i++) {
    const port = 20000 + Math.floor(Math.random() * 12000);
    if (!taken.has(port) && (await portIsFree(port))) {
      taken.add(port);
      return port;
    }
  }
  throw new ProvisioningError('no free port found in 20000-31999 for the Temporal cluster');
}

/** Every port free right now, all below 32768 (tests and chaos runs, which must not collide with anything). */
export async function freeClusterPorts(): Promise<ClusterPorts> {
  const taken = new Set<number>();
  const each = async () => {
    const out = {} as Record<ClusterService, number>;
    for (const s of CLUSTER_SERVICES) out[s] = await freeLowPort(taken);
    return out;
  };
  return { grpc: await each(), membership: await each(), metrics: await each(), frontendHttp: await freeLowPort(taken) };
}

export interface ClusterDatabase {
  host: string;
  port: number;
  user: string;
  /** Read by the server from TEMPORAL_DB_PASSWORD and by the SQL tool from SQL_PASSWORD; never written. */
  password?: string;
  database: string;
  visibilityDatabase: string;
}

/** Persistence target from a Postgres URL (the database name in the URL is not used: Temporal has its own two). */
export function clusterDatabaseFromUrl(url: string, names = { database: 'temporal', visibilityDatabase: 'temporal_visibility' }): ClusterDatabase {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    throw new InvalidInputError('the Postgres URL for the Temporal cluster is not a URL (postgres://user[:password]@host:port/db)');
  }
  if (u.protocol !== 'postgres:' && u.protocol !== 'postgresql:') throw new InvalidInputError(`the Temporal cluster needs a postgres:// URL, got ${u.protocol}//…`);
  return {
    host: u.hostname || '127.0.0.1',
    port: Number(u.port || 5432),
    user: decodeURIComponent(u.username || 'postgres'),
    ...(u.password ? { password: decodeURIComponent(u.password) } : {}),
    ...names,
  };
}

const store = (db: ClusterDatabase, name: string, maxConns: number) => `      sql:
        pluginName: postgres12
        databaseName: ${JSON.stringify(name)}
        connectAddr: ${JSON.stringify(`${db.host}:${db.port}`)}
        connectProtocol: tcp
        user: ${JSON.stringify(db.user)}
        password: '{{ env "TEMPORAL_DB_PASSWORD" }}'
        maxConns: ${maxConns}
        maxIdleConns: ${maxConns}
        maxConnLifetime: 1h`;

export interface ClusterConfigOptions {
  ports: ClusterPorts;
  db: ClusterDatabase;
  /** Whose Prometheus listener this file carries. */
  service: ClusterService;
  dynamicConfigFile: string;
  /** Shards are fixed for a cluster's lifetime: the same number on every start. */
  numHistoryShards?: number;
  logLevel?: 'debug' | 'info' | 'warn' | 'error';
}

export function clusterConfigYaml(o: ClusterConfigOptions): string {
  const p = o.ports;
  const rpc = (s: ClusterService) =>
    `  ${s}:\n    rpc:\n      grpcPort: ${p.grpc[s]}\n      membershipPort: ${p.membership[s]}\n      bindOnIP: 127.0.0.1${s === 'frontend' ? `\n      httpPort: ${p.frontendHttp}` : ''}`;
  return `# enable-template
# Written by Breakwater (src/devstack/clusterConfig.ts) for the ${o.service} service; regenerated on every start.
log:
  stdout: true
  level: ${o.logLevel ?? 'warn'}
persistence:
  defaultStore: postgres-default
  visibilityStore: postgres-visibility
  numHistoryShards: ${o.numHistoryShards ?? 4}
  datastores:
    postgres-default:
${store(o.db, o.db.database, 15)}
    postgres-visibility:
${store(o.db, o.db.visibilityDatabase, 5)}
global:
  membership:
    maxJoinDuration: 30s
    broadcastAddress: 127.0.0.1
  metrics:
    prometheus:
      framework: tally
      timerType: histogram
      listenAddress: 127.0.0.1:${p.metrics[o.service]}
services:
${CLUSTER_SERVICES.map(rpc).join('\n')}
clusterMetadata:
  enableGlobalNamespace: false
  failoverVersionIncrement: 10
  masterClusterName: active
  currentClusterName: active
  clusterInformation:
    active:
      enabled: true
      initialFailoverVersion: 1
      rpcName: frontend
      rpcAddress: 127.0.0.1:${p.grpc.frontend}
      httpAddress: 127.0.0.1:${p.frontendHttp}
dcRedirectionPolicy:
  policy: noop
dynamicConfigClient:
  filepath: ${JSON.stringify(o.dynamicConfigFile)}
  pollInterval: 10s
`;
}

/**
 * Dynamic config: the server's defaults (production ones: no forced search-attribute cache refresh — start-up
 * waits until the registered attributes are visible instead). Updates, which Breakwater's escalations use,
 * are named explicitly so that a default changed upstream cannot turn them off unnoticed.
 */
export const clusterDynamicConfigYaml = (): string => `# Written by Breakwater (src/devstack/clusterConfig.ts).
frontend.enableUpdateWorkflowExecution:
  - value: true
`;
