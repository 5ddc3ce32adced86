/**
 * Where a project's Breakwater files live: the project being the user's own (the folder whose `npm test`,
 * worker or `npx breakwater` runs), not the installed package. Breakwater's own checkout is one such project.
 *
 * - project root: the nearest folder at or above the working directory holding `breakwater.config.json`,
 *   else the nearest holding `package.json`, else the working directory;
 * - project home: `BREAKWATER_HOME`, else `<project root>/.breakwater` — the dev codec key, the stack's
 *   state file (`stack.json`), the local Postgres cluster and the Temporal dev server's history;
 * - tools cache: `BREAKWATER_TOOLS_DIR`, else `$XDG_CACHE_HOME/breakwater/tools` (`~/.cache/…`): the pinned
 *   Temporal CLI is fetched once per machine, not once per project.
 */
import { existsSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

export const CONFIG_FILE_NAME = 'breakwater.config.json';

/** The nearest ancestor of `from` (itself included) that holds `file`, if any. */
function nearestHolding(from: string, file: string): string | undefined {
  for (let dir = path.resolve(from); ; dir = path.dirname(dir)) {
    if (existsSync(path.join(dir, file))) return dir;
    if (path.dirname(dir) === dir) return undefined;
  }
}

/** The user's project root, found from `cwd` (see the module comment). */
export function projectRoot(cwd: string = process.cwd()): string {
  return nearestHolding(cwd, CONFIG_FILE_NAME) ?? nearestHolding(cwd, 'package.json') ?? path.resolve(cwd);
}

/** The project's `.breakwater/` folder (BREAKWATER_HOME overrides). */
export function projectHome(env: NodeJS.ProcessEnv = process.env, cwd: string = process.cwd()): string {
  return env.BREAKWATER_HOME ? path.resolve(env.BREAKWATER_HOME) : path.join(projectRoot(cwd), '.breakwater');
}

/** The machine-wide cache of provisioned tools (BREAKWATER_TOOLS_DIR overrides). */
export function toolsCacheDir(env: NodeJS.ProcessEnv = process.env): string {
  if (env.BREAKWATER_TOOLS_DIR) return path.resolve(env.BREAKWATER_TOOLS_DIR);
  const cache = env.XDG_CACHE_HOME ? path.resolve(env.XDG_CACHE_HOME) : path.join(os.homedir(), '.cache');
  return path.join(cache, 'breakwater', 'tools');
}

/** What a running local stack (`breakwater stack start`, `npm run stack`) recorded in `<home>/stack.json`. */
export interface LocalStackSettings {
  TEMPORAL_ADDRESS?: string;
  TEMPORAL_UI_URL?: string;
  DATABASE_URL?: string;
}

/**
 * The settings the project's local stack recorded, used below every other source (env, config file). An
 * external DATABASE_URL is recorded as url "" (never the URL itself, which may carry a password): none here.
 */
export function localStackSettings(home: string = projectHome()): LocalStackSettings {
  const file = path.join(home, 'stack.json');
  if (!existsSync(file)) return {};
  try {
    const state = JSON.parse(readFileSync(file, 'utf8')) as { temporal?: { address?: unknown; uiUrl?: unknown }; postgres?: { url?: unknown } };
    const text = (v: unknown) => (typeof v === 'string' && v !== '' ? v : undefined);
    const settings: LocalStackSettings = {};
    const address = text(state.temporal?.address);
    const uiUrl = text(state.temporal?.uiUrl);
    const databaseUrl = text(state.postgres?.url);
    if (address) settings.TEMPORAL_ADDRESS = address;
    if (uiUrl) settings.TEMPORAL_UI_URL = uiUrl;
    if (databaseUrl) settings.DATABASE_URL = databaseUrl;
    return settings;
  } catch {
    return {};
  }
}
