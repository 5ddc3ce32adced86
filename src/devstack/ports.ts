/**
 * Which ports a project's stack gets. Several stacks share one machine (two projects, tests beside a demo),
 * so the defaults 7233/8233 are taken only when free; an explicit port (flag or env) is taken or refused.
 * Choosing a port and binding it are apart in time, so concurrent starts hold one machine-wide lock from
 * the choice until their server answers: two stacks started at once never pick the same port.
 */
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { ConfigError, InvalidInputError, ProvisioningError } from '../errors';
import { findFreePort, isAlive } from './processes';

export const DEFAULT_TEMPORAL_PORT = 7233;
export const DEFAULT_UI_PORT = 8233;
export const TEMPORAL_PORT_ENV = 'BREAKWATER_STACK_TEMPORAL_PORT';
export const UI_PORT_ENV = 'BREAKWATER_STACK_UI_PORT';

/** A TCP port from a flag (bad: input error) or an env variable (bad: config error). */
export function parsePort(value: string, source: string, kind: 'flag' | 'env' = 'flag'): number {
  const port = Number(value);
  if (/^\d+$/.test(value.trim()) && port >= 1 && port <= 65535) return port;
  const message = `${source} must be a port number (1-65535), got '${value}'`;
  throw kind === 'env' ? new ConfigError(message, [source]) : new InvalidInputError(message);
}

/** The ports asked for: a flag wins over its env variable; unset means "the default when free". */
export function requestedPorts(env: NodeJS.ProcessEnv, flags: { temporalPort?: number; uiPort?: number } = {}): { temporalPort?: number; uiPort?: number } {
  const fromEnv = (name: string) => (env[name] ? parsePort(env[name], name, 'env') : undefined);
  return { temporalPort: flags.temporalPort ?? fromEnv(TEMPORAL_PORT_ENV), uiPort: flags.uiPort ?? fromEnv(UI_PORT_ENV) };
}

/** Free means we could listen on it now (a connect test misses a server bound elsewhere than loopback). */
export function portIsFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = net.createServer();
    server.unref();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}

/** `wanted` when given (refused if taken), else `preferred` when free, else any free port not in `avoid`. */
export async function choosePort(what: string, wanted: number | undefined, preferred: number, avoid: number[] = []): Promise<number> {
  if (wanted !== undefined) {
    if (!(await portIsFree(wanted))) throw new ProvisioningError(`${what} port ${wanted} is taken by another process (another project's stack?); choose another or leave it unset for a free one`);
    return wanted;
  }
  if (!avoid.includes(preferred) && (await portIsFree(preferred))) return preferred;
  for (;;) {
    const port = await findFreePort();
    if (!avoid.includes(port)) return port;
  }
}

const lockDir = () => path.join(os.tmpdir(), 'breakwater-stack-ports.lock');

/** Runs `fn` holding the machine-wide port lock (a directory; a holder that died leaves it to the next). */
export async function withPortLock<T>(fn: () => Promise<T>, timeoutMs = 120_000): Promise<T> {
  const dir = lockDir();
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      mkdirSync(dir);
      writeFileSync(path.join(dir, 'pid'), String(process.pid));
      break;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
      let holder: number | undefined;
      try {
        holder = Number(readFileSync(path.join(dir, 'pid'), 'utf8'));
      } catch {
        holder = undefined; // just made, pid not written yet
      }
      if (holder !== undefined && !isAlive(holder)) rmSync(dir, { recursive: true, force: true });
      else if (Date.now() > deadline) throw new ProvisioningError(`Timed out waiting for the stack port lock ${dir} (held by pid ${holder})`);
      else await new Promise((r) => setTimeout(r, 100));
    }
  }
  try {
    return await fn();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
