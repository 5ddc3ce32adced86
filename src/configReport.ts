/** What `breakwater config check` shows: each variable's effective value (secrets masked) and where it came from. */
import { configVariables, loadConfig, temporalProfileSettings, TLS_ALIASES, withTlsAliases } from './config';
import { configFileSettings } from './configFile';
import { SETTINGS, settingNames, type Setting } from './configSettings';
import { isConfigError } from './errors';
import { localStackSettings, projectHome } from './projectHome';

const SECRET = new Set<string>(settingNames.filter((n) => (SETTINGS[n] as Setting).secret));
const ALIASES = Object.keys(TLS_ALIASES) as (keyof typeof TLS_ALIASES)[];

export interface ConfigReport {
  ok: boolean;
  settings: { variable: string; value: string; source: 'env' | 'file' | 'profile' | 'stack' }[];
  problems: { keys: string[]; message: string }[];
  deprecated: string[];
}

const mask = (variable: string, value: string) => (SECRET.has(variable) ? (variable === 'DATABASE_URL' ? value.replace(/\/\/([^:@/]+):[^@/]*@/, '//$1:****@') : '****') : value);

export function configReport(env: NodeJS.ProcessEnv = process.env): ConfigReport {
  const problems: ConfigReport['problems'] = [];
  const layer = (read: () => Record<string, string | undefined>) => {
    try {
      return read();
    } catch (e) {
      if (!isConfigError(e)) throw e;
      problems.push({ keys: [...e.variables], message: e.message });
      return {};
    }
  };
  const file = layer(() => configFileSettings(env));
  const layers = [
    ['env', withTlsAliases(env)],
    ['file', file],
    ['profile', layer(() => temporalProfileSettings({ ...file, ...env }))],
    ['stack', localStackSettings(projectHome({ BREAKWATER_HOME: env.BREAKWATER_HOME ?? process.env.BREAKWATER_HOME }))],
  ] as const;
  const settings: ConfigReport['settings'] = [];
  for (const variable of configVariables) {
    if ((ALIASES as string[]).includes(variable)) continue;
    for (const [source, values] of layers) {
      const value = (values as Record<string, string | undefined>)[variable];
      if (value !== undefined && value !== '') {
        settings.push({ variable, value: mask(variable, value), source });
        break;
      }
    }
  }
  if (problems.length === 0) {
    try {
      loadConfig(env);
    } catch (e) {
      if (!isConfigError(e)) throw e;
      problems.push({ keys: [...e.variables], message: e.message });
    }
  }
  const deprecated = ALIASES.filter((a) => env[a]).map((a) => `${a} is Breakwater's former name: use ${TLS_ALIASES[a]}`);
  return { ok: problems.length === 0, settings, problems, deprecated };
}
