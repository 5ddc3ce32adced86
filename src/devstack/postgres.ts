/**
 * A project-local PostgreSQL cluster for development, tests and CI, made from the machine's own
 * PostgreSQL binaries (Debian's, found with `pg_config --bindir`). Data lives under `.breakwater/`.
 * PostgreSQL refuses to run as root, so as root every server command runs as the `postgres` user.
 */
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { chownSync, existsSync, mkdirSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { Client } from 'pg';
import { ProvisioningError } from '../errors';
import { findFreePort, waitFor } from './processes';

export interface PostgresCluster {
  url: string;
  port: number;
  dataDir: string;
  /** True when this call started the server; false when it was already running. */
  started: boolean;
}

export const DATABASE_NAME = 'breakwater';

let binDir: string | undefined;

/** Found once per process: every server command below needs it. */
function pgBinDir(): string {
  binDir ??= findPgBinDir();
  return binDir;
}

function findPgBinDir(): string {
  try {
    const dir = execFileSync('pg_config', ['--bindir'], { encoding: 'utf8' }).trim();
    if (existsSync(path.join(dir, 'initdb'))) return dir;
  } catch {
    /* fall through to Debian's versioned layout */
  }
  const root = '/usr/lib/postgresql';
  const versions = existsSync(root) ? readdirSync(root).sort((a, b) => Number(b) - Number(a)) : [];
  for (const v of versions) {
    const dir = path.join(root, v, 'bin');
    if (existsSync(path.join(dir, 'initdb'))) return dir;
  }
  throw new ProvisioningError(
    'No PostgreSQL server binaries found (pg_config --bindir, /usr/lib/postgresql/*/bin). Install them (Debian: apt-get install postgresql-15) or set DATABASE_URL.',
  );
}

/** Runs a PostgreSQL server binary, as the `postgres` user when we are root. */
function pgRun(binary: string, args: string[]): string {
  const full = path.join(pgBinDir(), binary);
  const [cmd, argv] = process.getuid?.() === 0 ? ['runuser', ['-u', 'postgres', '--', full, ...args]] : [full, args];
  try {
    return execFileSync(cmd, argv, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], cwd: '/' });
  } catch (e) {
    const err = e as { stderr?: string; status?: number };
    throw Object.assign(new ProvisioningError(`${binary} ${args.join(' ')} failed: ${String(err.stderr ?? '').trim()}`), { status: err.status });
  }
}

function runningPort(dataDir: string): number | undefined {
  try {
    pgRun('pg_ctl', ['status', '-D', dataDir]);
  } catch {
    return undefined;
  }
  // postmaster.pid line 4 is the port the running server listens on.
  const lines = readFileSync(path.join(dataDir, 'postmaster.pid'), 'utf8').split('\n');
  return Number(lines[3]);
}

function initCluster(dataDir: string): void {
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  if (process.getuid?.() === 0) {
    const uid = Number(execFileSync('id', ['-u', 'postgres'], { encoding: 'utf8' }).trim());
    const gid = Number(execFileSync('id', ['-g', 'postgres'], { encoding: 'utf8' }).trim());
    chownSync(dataDir, uid, gid);
  }
  // Trust auth on loopback only: a dev cluster with no password to leak.
  pgRun('initdb', ['-D', dataDir, '-U', 'postgres', '--auth=trust', '-E', 'UTF8', '--no-instructions']);
}

async function ensureDatabase(port: number): Promise<void> {
  const admin = new Client({ host: '127.0.0.1', port, user: 'postgres', database: 'postgres' });
  await admin.connect();
  try {
    const { rowCount } = await admin.query('SELECT 1 FROM pg_database WHERE datname = $1', [DATABASE_NAME]);
    if (!rowCount) await admin.query(`CREATE DATABASE ${DATABASE_NAME}`);
  } finally {
    await admin.end();
  }
}

const urlFor = (port: number) => `postgres://postgres@127.0.0.1:${port}/${DATABASE_NAME}`;

/** Whether the `postgres` user can reach (search) `dir` — every folder above it included. */
function postgresCanReach(dir: string): boolean {
  try {
    execFileSync('runuser', ['-u', 'postgres', '--', 'test', '-x', dir], { stdio: 'ignore', cwd: '/' });
    return true;
  } catch {
    return false;
  }
}

/**
 * Where the cluster's data can live. As root the server runs as `postgres`, which cannot enter a clone in
 * root's home or a `mktemp -d` folder (mode 700): then the data goes under /tmp, one folder per clone
 * (named after the clone's path), and if even that fails the error says what to do.
 */
export function reachableDataDir(dataDir: string): string {
  if (process.getuid?.() !== 0) return dataDir;
  const parent = path.dirname(dataDir);
  mkdirSync(parent, { recursive: true });
  if (postgresCanReach(parent)) return dataDir;
  const fallback = path.join('/tmp', `breakwater-pgdata-${createHash('sha256').update(path.resolve(dataDir)).digest('hex').slice(0, 12)}`);
  if (postgresCanReach('/tmp')) return fallback;
  throw new ProvisioningError(
    `the postgres user cannot reach ${parent} (PostgreSQL refuses to run as root, so the server runs as postgres). ` +
      `Fix: chmod o+x every folder above it, set BREAKWATER_HOME to a folder postgres can reach, or set DATABASE_URL.`,
  );
}

/** Starts the project-local cluster in `dataDir` (or where it can live: `reachableDataDir`) unless it runs already (idempotent). */
export async function ensurePostgres(wanted: string): Promise<PostgresCluster> {
  const dataDir = reachableDataDir(wanted);
  if (!existsSync(path.join(dataDir, 'PG_VERSION'))) initCluster(dataDir);
  const existing = runningPort(dataDir);
  if (existing) {
    await ensureDatabase(existing);
    return { url: urlFor(existing), port: existing, dataDir, started: false };
  }
  const port = await findFreePort();
  const serverOptions = [
    `-p ${port}`,
    '-c listen_addresses=127.0.0.1',
    "-c unix_socket_directories=''",
    '-c max_connections=200',
    // A throwaway dev/test cluster: skip fsync (only an OS crash could lose data; a server crash cannot).
    '-c fsync=off',
  ].join(' ');
  pgRun('pg_ctl', ['start', '-D', dataDir, '-w', '-t', '60', '-l', path.join(dataDir, 'server.log'), '-o', serverOptions]);
  await waitFor(async () => runningPort(dataDir) === port, `PostgreSQL on port ${port}`, 30_000);
  await ensureDatabase(port);
  return { url: urlFor(port), port, dataDir, started: true };
}

export function stopPostgres(dataDir: string, mode: 'fast' | 'immediate' = 'fast'): boolean {
  if (!runningPort(dataDir)) return false;
  pgRun('pg_ctl', ['stop', '-D', dataDir, '-m', mode, '-w']);
  return true;
}

/** Checks that a database URL (e.g. a user's DATABASE_URL) answers. */
export async function checkDatabase(url: string): Promise<void> {
  const client = new Client({ connectionString: url, connectionTimeoutMillis: 5000 });
  try {
    await client.connect();
    await client.query('SELECT 1');
  } catch (e) {
    throw new ProvisioningError(`Cannot reach the database at DATABASE_URL: ${(e as Error).message}`);
  } finally {
    await client.end().catch(() => undefined);
  }
}
