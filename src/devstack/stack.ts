/**
 * The local stack: Temporal dev server (SQLite file, Web UI on :8233) and PostgreSQL (DATABASE_URL, or a
 * project-local cluster). `ensureStack` is idempotent: what already runs is reused, never started twice.
 * What was started is recorded in `.breakwater/stack.json`, which the config module reads for DATABASE_URL.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { stackHome, stackStatePath } from './paths';
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

export function readStackState(): StackState {
  const file = stackStatePath();
  if (!existsSync(file)) return {};
  const parsed = stateSchema.safeParse(JSON.parse(readFileSync(file, 'utf8')));
  return parsed.success ? parsed.data : {};
}

function writeStackState(state: StackState): void {
  mkdirSync(path.dirname(stackStatePath()), { recursive: true });
  writeFileSync(stackStatePath(), JSON.stringify(state, null, 2));
}

const pgDataDir = () => path.join(stackHome(), 'pgdata');

export interface StackInfo {
  temporal: { address: string; uiUrl: string; started: boolean; dbFile: string };
  postgres: { url: string; started: boolean; external: boolean };
}

export async function ensureStack(env: NodeJS.ProcessEnv = process.env): Promise<StackInfo> {
  const previous = readStackState();
  const home = stackHome();
  mkdirSync(home, { recursive: true });

  const dbFile = path.join(home, 'temporal.sqlite');
  const temporal = await ensureTemporalDevServer({
    cli: ensureTemporalCli(),
    dbFile,
    logFile: path.join(home, 'temporal.log'),
    port: TEMPORAL_PORT,
    uiPort: TEMPORAL_UI_PORT,
    knownPid: previous.temporal?.pid,
  });

  let postgres: StackInfo['postgres'];
  if (env.DATABASE_URL) {
    await checkDatabase(env.DATABASE_URL);
    postgres = { url: env.DATABASE_URL, started: false, external: true };
  } else {
    const cluster = await ensurePostgres(pgDataDir());
    postgres = { url: cluster.url, started: cluster.started, external: false };
  }

  writeStackState({
    temporal: { pid: temporal.pid ?? previous.temporal?.pid, address: temporal.address, uiUrl: temporal.uiUrl, dbFile },
    // An external DATABASE_URL may carry a password: record only that it is external, never the URL.
    postgres: postgres.external ? { url: '', external: true } : { url: postgres.url, external: false, dataDir: pgDataDir() },
  });
  return { temporal: { ...temporal, dbFile }, postgres };
}

export async function stopStack(): Promise<{ temporal: boolean; postgres: boolean }> {
  const state = readStackState();
  const temporal = await stopTemporalDevServer(state.temporal?.pid);
  const postgres = state.postgres && !state.postgres.external && state.postgres.dataDir ? stopPostgres(state.postgres.dataDir) : false;
  writeStackState({});
  return { temporal, postgres };
}
