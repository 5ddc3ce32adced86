/**
 * A project's local stack: Temporal dev server (SQLite file, Web UI) and PostgreSQL (DATABASE_URL, or a
 * project-local cluster). `ensureStack` is idempotent: what this project already runs is reused, never
 * started twice. Ports: 7233/8233 when free, free ones otherwise, or those asked for (ports.ts), so stacks
 * of several projects run side by side. What was started is recorded in the project home's `stack.json`,
 * from which the config module takes TEMPORAL_ADDRESS, TEMPORAL_UI_URL and DATABASE_URL.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { InvalidInputError } from '../errors';
import { projectHome } from '../projectHome';
import { devCodecKeys } from './codecKey';
import { choosePort, DEFAULT_TEMPORAL_PORT, DEFAULT_UI_PORT, requestedPorts, withPortLock } from './ports';
import { checkDatabase, ensurePostgres, stopPostgres } from './postgres';
import { readClusterState } from './clusterStack';
import { ensureTemporalCli } from './temporalTools';
import { ensureTemporalDevServer, servesDbFile, stopTemporalDevServer, type DevServer } from './temporalServer';

const stateSchema = z.object({
  temporal: z.object({ pid: z.number().optional(), address: z.string(), uiUrl: z.string(), dbFile: z.string() }).optional(),
  postgres: z.object({ url: z.string(), external: z.boolean(), dataDir: z.string().optional() }).optional(),
});
export type StackState = z.infer<typeof stateSchema>;

export interface StackOptions {
  /** Where state and data live (default: the project home, `<project root>/.breakwater`). */
  home?: string;
  /** Unset: BREAKWATER_STACK_TEMPORAL_PORT, else 7233 when free, else a free port. */
  temporalPort?: number;
  /** Unset: BREAKWATER_STACK_UI_PORT, else 8233 when free, else a free port. */
  uiPort?: number;
  env?: NodeJS.ProcessEnv;
}

const statePath = (home: string) => path.join(home, 'stack.json');

export function readStackState(home: string = projectHome()): StackState {
  const file = statePath(home);
  if (!existsSync(file)) return {};
  const parsed = stateSchema.safeParse(JSON.parse(readFileSync(file, 'utf8')));
  return parsed.success ? parsed.data : {};
}

function writeStackState(home: string, state: StackState): void {
  mkdirSync(home, { recursive: true });
  writeFileSync(statePath(home), JSON.stringify(state, null, 2));
}

export interface StackInfo {
  temporal: { address: string; uiUrl: string; started: boolean; dbFile: string };
  postgres: { url: string; started: boolean; external: boolean; dataDir?: string };
}

const portOf = (address: string) => Number(address.slice(address.lastIndexOf(':') + 1));

/** This project's recorded dev server, when it still runs (its pid serves its dbFile): reused as it is. */
async function reuseTemporal(previous: StackState, dbFile: string, cli: string, logFile: string, wanted: { temporalPort?: number; uiPort?: number }): Promise<DevServer | undefined> {
  const known = previous.temporal;
  if (!known || known.dbFile !== dbFile || !servesDbFile(known.pid, dbFile)) return undefined;
  const port = portOf(known.address);
  const uiPort = portOf(known.uiUrl);
  if ((wanted.temporalPort !== undefined && wanted.temporalPort !== port) || (wanted.uiPort !== undefined && wanted.uiPort !== uiPort)) {
    throw new InvalidInputError(`This project's stack already runs on ${known.address} (Web UI ${known.uiUrl}); stop it first (breakwater stack stop) to move it to other ports`);
  }
  return ensureTemporalDevServer({ cli, dbFile, logFile, port, uiPort, knownPid: known.pid });
}

export async function ensureStack(options: StackOptions = {}): Promise<StackInfo> {
  const { home = projectHome(), env = process.env } = options;
  const wanted = requestedPorts(env, options);
  if (readClusterState(home)) throw new InvalidInputError("This project's stack runs with the cluster profile; stop it first (breakwater stack stop) to start the dev profile");
  const previous = readStackState(home);
  mkdirSync(home, { recursive: true });
  const pgDataDir = path.join(home, 'pgdata');
  devCodecKeys(home); // the development key the config module falls back to (src/devstack/codecKey.ts)

  const dbFile = path.join(home, 'temporal.sqlite');
  const logFile = path.join(home, 'temporal.log');
  const cli = ensureTemporalCli();
  const temporal =
    (await reuseTemporal(previous, dbFile, cli, logFile, wanted)) ??
    (await withPortLock(async () => {
      const port = await choosePort('Temporal', wanted.temporalPort, DEFAULT_TEMPORAL_PORT);
      const uiPort = await choosePort('Web UI', wanted.uiPort, DEFAULT_UI_PORT, [port]);
      return ensureTemporalDevServer({ cli, dbFile, logFile, port, uiPort });
    }));

  let postgres: StackInfo['postgres'];
  if (env.DATABASE_URL) {
    await checkDatabase(env.DATABASE_URL);
    postgres = { url: env.DATABASE_URL, started: false, external: true };
  } else {
    const cluster = await ensurePostgres(pgDataDir);
    postgres = { url: cluster.url, started: cluster.started, external: false, dataDir: cluster.dataDir };
  }

  writeStackState(home, {
    temporal: { pid: temporal.pid ?? previous.temporal?.pid, address: temporal.address, uiUrl: temporal.uiUrl, dbFile },
    // An external DATABASE_URL may carry a password: record only that it is external, never the URL.
    postgres: postgres.external ? { url: '', external: true } : { url: postgres.url, external: false, dataDir: postgres.dataDir ?? pgDataDir },
  });
  return { temporal: { ...temporal, dbFile }, postgres };
}

export async function stopStack(home = projectHome()): Promise<{ temporal: boolean; postgres: boolean }> {
  const state = readStackState(home);
  // Only the pid that still serves this project's dbFile: a recorded pid may since belong to anything.
  const ours = state.temporal && servesDbFile(state.temporal.pid, state.temporal.dbFile);
  const temporal = ours ? await stopTemporalDevServer(state.temporal?.pid) : false;
  const postgres = state.postgres && !state.postgres.external && state.postgres.dataDir ? stopPostgres(state.postgres.dataDir) : false;
  writeStackState(home, {});
  return { temporal, postgres };
}

/** What the project's stack recorded, and whether its dev server still runs. */
export function stackStatus(home = projectHome()): { home: string; temporal?: NonNullable<StackState['temporal']> & { running: boolean }; postgres?: StackState['postgres'] } {
  const { temporal, postgres } = readStackState(home);
  return { home, temporal: temporal && { ...temporal, running: servesDbFile(temporal.pid, temporal.dbFile) }, postgres };
}
