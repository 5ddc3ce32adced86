/**
 * The local stack: Temporal dev server (SQLite file, Web UI on :8233) and PostgreSQL (DATABASE_URL, or a
 * project-local cluster). `ensureStack` is idempotent: what already runs is reused, never started twice.
 * What was started is recorded in `.breakwater/stack.json`, which the config module reads for DATABASE_URL.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { stackHome, stackStatePath } from './paths';
import { devCodecKeys } from './codecKey';
import { checkDatabase, ensurePostgres, stopPostgres } from './postgres';
import { ensureTemporalCli } from './temporalTools';
import { ensureTemporalDevServer, stopTemporalDevServer } from './temporalServer';

export const TEMPORAL_PORT = 7233;
export const TEMPORAL_UI_PORT = 8233;

const stateSchema = z.object({
  temporal: z.object({ pid: z.number().optional(), address: z.string(), uiUrl: z.string(), dbFile: z.string() }).optional(),
  postgres: z.object({ url: z.string(), external: z.boolean(), dataDir: z.string().optional() }).optional(),
});
export type StackState = z.infer<typeof stateSchema>;

export interface StackOptions {
  /** Where state, data and tools live (default `.breakwater/`). */
  home?: string;
  temporalPort?: number;
  uiPort?: number;
  env?: NodeJS.ProcessEnv;
}

const statePath = (home?: string) => (home ? path.join(home, 'stack.json') : stackStatePath());

export function readStackState(home?: string): StackState {
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

export async function ensureStack(options: StackOptions = {}): Promise<StackInfo> {
  const { home = stackHome(), temporalPort = TEMPORAL_PORT, uiPort = TEMPORAL_UI_PORT, env = process.env } = options;
  const previous = readStackState(home);
  mkdirSync(home, { recursive: true });
  const pgDataDir = path.join(home, 'pgdata');
  devCodecKeys(home); // the development key the config module falls back to (src/devstack/codecKey.ts)

  const dbFile = path.join(home, 'temporal.sqlite');
  const temporal = await ensureTemporalDevServer({
    cli: ensureTemporalCli(),
    dbFile,
    logFile: path.join(home, 'temporal.log'),
    port: temporalPort,
    uiPort,
    knownPid: previous.temporal?.pid,
  });

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

export async function stopStack(home = stackHome()): Promise<{ temporal: boolean; postgres: boolean }> {
  const state = readStackState(home);
  const temporal = await stopTemporalDevServer(state.temporal?.pid);
  const postgres = state.postgres && !state.postgres.external && state.postgres.dataDir ? stopPostgres(state.postgres.dataDir) : false;
  writeStackState(home, {});
  return { temporal, postgres };
}
