/**
 * A Postgres cluster of the chaos run's own, so restarting it disturbs nobody else's tests, behind a
 * TCP relay on a fixed port: `ensurePostgres` picks a fresh port on every start, while worker processes
 * keep the DATABASE_URL they were started with. The relay forwards new connections to wherever the
 * cluster listens now; connections of the old server die with it, as they would in production.
 */
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { DATABASE_NAME, ensurePostgres, stopPostgres } from '../devstack/postgres';

export interface OwnPostgres {
  /** Stable URL (through the relay). */
  url: string;
  dataDir: string;
  restarts: number;
  /** Stops the server ('immediate': no checkpoint, clients cut off) and starts it again after `downMs`. */
  restart(downMs: number): Promise<void>;
  stop(): Promise<void>;
}

function startRelay(target: () => number): Promise<{ server: net.Server; port: number; cutAll(): void }> {
  const open = new Set<net.Socket>();
  const server = net.createServer((client) => {
    const upstream = net.connect({ host: '127.0.0.1', port: target() });
    open.add(client).add(upstream);
    const close = () => {
      client.destroy();
      upstream.destroy();
      open.delete(client);
      open.delete(upstream);
    };
    client.on('error', close).on('close', close);
    upstream.on('error', close).on('close', close);
    client.pipe(upstream).pipe(client);
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      resolve({ server, port: (server.address() as net.AddressInfo).port, cutAll: () => open.forEach((s) => s.destroy()) });
    });
  });
}

export async function startOwnPostgres(): Promise<OwnPostgres> {
  const parent = mkdtempSync(path.join(os.tmpdir(), 'bw-chaos-pg-'));
  chmodSync(parent, 0o755); // as root, the server runs as `postgres`, which must reach the data dir
  const dataDir = path.join(parent, 'data');
  let port = (await ensurePostgres(dataDir)).port;
  const relay = await startRelay(() => port);
  let restarts = 0;
  return {
    url: `postgres://postgres@127.0.0.1:${relay.port}/${DATABASE_NAME}`,
    dataDir,
    get restarts() {
      return restarts;
    },
    async restart(downMs) {
      stopPostgres(dataDir, 'immediate');
      relay.cutAll();
      await delay(downMs);
      port = (await ensurePostgres(dataDir)).port;
      restarts += 1;
    },
    async stop() {
      try {
        stopPostgres(dataDir, 'immediate');
      } finally {
        relay.cutAll();
        await new Promise<void>((r) => relay.server.close(() => r()));
        rmSync(parent, { recursive: true, force: true });
      }
    },
  };
}
