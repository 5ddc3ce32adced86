/**
 * The Temporal CLI dev server, started detached on a persistent SQLite file so workflows outlive it,
 * with the Web UI and Breakwater's search attributes registered.
 */
import { spawn } from 'node:child_process';
import { mkdirSync, openSync } from 'node:fs';
import path from 'node:path';
import { Connection } from '@temporalio/client';
import { devServerSearchAttributeFlags } from '../contracts/searchAttributes';
import { canConnect, isAlive, waitFor } from './processes';

export interface DevServerOptions {
  cli: string;
  dbFile: string;
  logFile: string;
  port: number;
  uiPort: number;
  /** A pid recorded by an earlier start; reused when still alive. */
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

/** Starts the dev server unless one already answers on the port (idempotent). */
export async function ensureTemporalDevServer(o: DevServerOptions): Promise<DevServer> {
  const address = `127.0.0.1:${o.port}`;
  const uiUrl = `http://localhost:${o.uiPort}`;
  if (await canConnect(o.port)) {
    if (!(await answersGrpc(address))) throw new Error(`Port ${o.port} is taken by something that is not a Temporal server`);
    return { pid: isAlive(o.knownPid) ? o.knownPid : undefined, address, uiUrl, started: false };
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
  return { pid: child.pid, address, uiUrl, started: true };
}

export async function stopTemporalDevServer(pid: number | undefined, signal: NodeJS.Signals = 'SIGTERM'): Promise<boolean> {
  if (!pid || !isAlive(pid)) return false;
  process.kill(pid, signal);
  await waitFor(async () => !isAlive(pid), `dev server pid ${pid} to exit`, 20_000, 100);
  return true;
}
