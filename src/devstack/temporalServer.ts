/**
 * The Temporal CLI dev server, started detached on a persistent SQLite file so workflows outlive it,
 * with the Web UI and Breakwater's search attributes registered.
 */
import { spawn } from 'node:child_process';
import { mkdirSync, openSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { Connection } from '@temporalio/client';
import { devServerSearchAttributeFlags } from '../contracts/searchAttributes';
import { ProvisioningError } from '../errors';
import { canConnect, isAlive, waitFor } from './processes';

export interface DevServerOptions {
  cli: string;
  dbFile: string;
  logFile: string;
  port: number;
  uiPort: number;
  /** A pid recorded by an earlier start; reused when it is still this dbFile's server and answers. */
  knownPid?: number;
}

export interface DevServer {
  pid: number | undefined;
  address: string;
  uiUrl: string;
  started: boolean;
}

async function answersGrpc(address: string): Promise<boolean> {
  try {
    const connection = await Connection.connect({ address, connectTimeout: 1000 });
    try {
      await connection.workflowService.getSystemInfo({});
      return true;
    } finally {
      await connection.close();
    }
  } catch {
    return false;
  }
}

/**
 * Whether `pid` is a live dev server on `dbFile`: a recorded pid can have been reused by another process,
 * and a Temporal server on the same port can be another project's — neither is ours.
 */
export function servesDbFile(pid: number | undefined, dbFile: string): boolean {
  if (!isAlive(pid)) return false;
  try {
    const argv = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0');
    return argv.includes('start-dev') && argv[argv.indexOf('--db-filename') + 1] === dbFile;
  } catch {
    return process.platform !== 'linux'; // no /proc to ask: trust the recorded pid
  }
}

/**
 * Starts the dev server unless this dbFile's recorded server (`knownPid`) still runs and answers
 * (idempotent). Whatever else holds the port is never taken for ours: that is an error.
 */
export async function ensureTemporalDevServer(o: DevServerOptions): Promise<DevServer> {
  const address = `127.0.0.1:${o.port}`;
  const uiUrl = `http://localhost:${o.uiPort}`;
  if (servesDbFile(o.knownPid, o.dbFile) && (await answersGrpc(address))) return { pid: o.knownPid, address, uiUrl, started: false };
  if (await canConnect(o.port)) {
    throw new ProvisioningError(`Port ${o.port} is taken by another process (${(await answersGrpc(address)) ? "another project's Temporal server" : 'not a Temporal server'}), not this stack's dev server`);
  }
  mkdirSync(path.dirname(o.dbFile), { recursive: true });
  const log = openSync(o.logFile, 'a');
  const child = spawn(
    o.cli,
    [
      'server', 'start-dev',
      '--db-filename', o.dbFile,
      '--ip', '127.0.0.1',
      '--port', String(o.port),
      '--ui-port', String(o.uiPort),
      '--ui-disable-news-fetch',
      '--log-level', 'warn',
      ...devServerSearchAttributeFlags(),
    ],
    { detached: true, stdio: ['ignore', log, log] },
  );
  child.unref();
  let exited: number | null = null;
  child.once('exit', (code) => (exited = code ?? -1));
  await waitFor(
    async () => {
      if (exited !== null) throw new Error(`temporal server start-dev exited with ${exited}; see ${o.logFile}`);
      return answersGrpc(address);
    },
    `the Temporal dev server on ${address}`,
    60_000,
    300,
  );
  // The port was free when checked; if another server bound it first, ours exited and the one answering is not ours.
  if (exited !== null || !isAlive(child.pid)) throw new ProvisioningError(`temporal server start-dev exited (port ${o.port} taken meanwhile?); see ${o.logFile}`);
  return { pid: child.pid, address, uiUrl, started: true };
}

export async function stopTemporalDevServer(pid: number | undefined, signal: NodeJS.Signals = 'SIGTERM'): Promise<boolean> {
  if (!pid || !isAlive(pid)) return false;
  process.kill(pid, signal);
  await waitFor(async () => !isAlive(pid), `dev server pid ${pid} to exit`, 20_000, 100);
  return true;
}
