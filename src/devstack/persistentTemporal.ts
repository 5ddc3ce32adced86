/**
 * A Temporal dev server on a SQLite file of its own that a test can SIGKILL and start again on the same
 * file — for "the server died mid-timer, the workflow still completes" and "history survives a restart".
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { findFreePort } from './processes';
import { ensureTemporalCli } from './temporalTools';
import { ensureTemporalDevServer, stopTemporalDevServer } from './temporalServer';

export interface PersistentTemporal {
  address: string;
  dbFile: string;
  pid(): number | undefined;
  /** SIGKILL the server: no graceful shutdown, as in a crash. */
  kill(): Promise<void>;
  /** Start it again on the same SQLite file and port. */
  restart(): Promise<void>;
  stop(): Promise<void>;
}

export async function startPersistentTemporal(): Promise<PersistentTemporal> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'bw-temporal-'));
  const port = await findFreePort();
  const uiPort = await findFreePort();
  const options = { cli: ensureTemporalCli(), dbFile: path.join(dir, 'temporal.sqlite'), logFile: path.join(dir, 'server.log'), port, uiPort };
  let pid = (await ensureTemporalDevServer(options)).pid;
  return {
    address: `127.0.0.1:${port}`,
    dbFile: options.dbFile,
    pid: () => pid,
    async kill() {
      await stopTemporalDevServer(pid, 'SIGKILL');
      pid = undefined;
    },
    async restart() {
      pid = (await ensureTemporalDevServer(options)).pid;
    },
    async stop() {
      await stopTemporalDevServer(pid, 'SIGTERM').catch(() => stopTemporalDevServer(pid, 'SIGKILL'));
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
