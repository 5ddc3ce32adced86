/**
 * breakwater.config.json (at the project root, or BREAKWATER_CONFIG): a layer of settings under the
 * environment. Its keys map onto the variables src/config.ts validates, so one schema checks both. Secrets
 * are only references, `{ "file": "path" }` (relative to the config file) or `{ "env": "VAR" }`: a literal
 * secret in a file that may be committed is a ConfigError naming the key. Unknown keys are named too.
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { ConfigError } from './errors';
import { CONFIG_FILE_NAME, projectRoot } from './projectHome';
import { SETTINGS, settingNames, type Setting } from './configSettings';

/** File key → the variable it sets, and whether it is a secret (reference only): from the settings table. */
export const CONFIG_FILE_KEYS: Readonly<Record<string, { variable: string; secret?: boolean }>> = Object.fromEntries(
  settingNames.flatMap((variable) => {
    const s: Setting = SETTINGS[variable];
    return s.file ? [[s.file, { variable, ...(s.secret ? { secret: true } : {}) }]] : [];
  }),
);

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** The config file's settings as variables; none when there is no file. */
export function configFileSettings(env: NodeJS.ProcessEnv, cwd: string = process.cwd()): Record<string, string> {
  const file = env.BREAKWATER_CONFIG ? path.resolve(cwd, env.BREAKWATER_CONFIG) : path.join(projectRoot(cwd), CONFIG_FILE_NAME);
  if (!existsSync(file)) {
    if (env.BREAKWATER_CONFIG) throw new ConfigError(`BREAKWATER_CONFIG: ${file} does not exist`, ['BREAKWATER_CONFIG']);
    return {};
  }
  let data: unknown;
  try {
    data = JSON.parse(readFileSync(file, 'utf8'));
  } catch (err) {
    throw new ConfigError(`${file}: not valid JSON (${(err as Error).message})`, ['BREAKWATER_CONFIG']);
  }
  if (!isRecord(data)) throw new ConfigError(`${file}: expected a JSON object`, ['BREAKWATER_CONFIG']);
  const out: Record<string, string> = {};
  const problems: string[] = [];
  const walk = (node: Record<string, unknown>, prefix: string) => {
    for (const [k, v] of Object.entries(node)) {
      const key = prefix ? `${prefix}.${k}` : k;
      if (key === '$schema') continue;
      const spec = CONFIG_FILE_KEYS[key];
      if (!spec) {
        if (isRecord(v) && Object.keys(CONFIG_FILE_KEYS).some((known) => known.startsWith(`${key}.`))) walk(v, key);
        else problems.push(`${key}: unknown key`);
        continue;
      }
      if (isRecord(v)) {
        if (typeof v.file === 'string' && Object.keys(v).length === 1) {
          try {
            out[spec.variable] = readFileSync(path.resolve(path.dirname(file), v.file), 'utf8').trim();
          } catch (err) {
            problems.push(`${key}: cannot read ${v.file} (${(err as NodeJS.ErrnoException).code ?? 'error'})`);
          }
        } else if (typeof v.env === 'string' && Object.keys(v).length === 1) {
          if (env[v.env] !== undefined) out[spec.variable] = env[v.env]!;
        } else problems.push(`${key}: expected a value, { "file": "path" } or { "env": "VAR" }`);
      } else if (spec.secret) {
        problems.push(`${key} holds a literal secret, and the file takes secrets by reference only ({ "file": "path" } or { "env": "VAR" }), never as a value in the file`);
      } else if (Array.isArray(v) && v.every((x) => typeof x === 'string')) out[spec.variable] = v.join(',');
      else if (typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean') out[spec.variable] = String(v);
      else problems.push(`${key}: expected a string, number, boolean or list of strings`);
    }
  };
  walk(data, '');
  if (problems.length) throw new ConfigError(`${file}: ${problems.join('; ')}`, ['BREAKWATER_CONFIG', ...problems.map((p) => p.split(/[: ]/, 1)[0]!)]);
  return out;
}
