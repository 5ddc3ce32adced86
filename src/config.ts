/**
 * The one typed configuration module. Everything Breakwater reads from the environment is declared,
 * validated and defaulted here, once; the rest of the code receives a `BreakwaterConfig` value.
 */
import { existsSync, readFileSync } from 'node:fs';
import { loadClientConfigProfile, type ClientConfigProfile } from '@temporalio/envconfig';
import { z } from 'zod';
import { ConfigError } from './errors';
import path from 'node:path';
import { identityConfig, inboxConfig, type IdentityConfig, type InboxConfig } from './identity/identityConfig';
import { parseKeyRing, type CodecKey } from './codec/keys';
import { localStackSettings, projectHome } from './projectHome';
import { configFileSettings } from './configFile';
import { settingsShape } from './configSettings';

/** Every layer is checked against one schema: the settings table's (src/configSettings.ts). */
const envSchema = z.object(settingsShape);

/** LOG_LEVEL's values (pino's). */
export type LogLevel = 'trace' | 'debug' | 'info' | 'warn' | 'error' | 'fatal' | 'silent';

export interface TemporalTls {
  certPath?: string;
  keyPath?: string;
  caPath?: string;
  serverName?: string;
}

export type BreakwaterConfig = Readonly<{
  temporal: { address: string; namespace: string; taskQueue: string; uiUrl: string; apiKey: string | undefined; tls: TemporalTls | undefined };
  database: { url: string | undefined; schema: string };
  openai: { baseUrl: string | undefined; apiKey: string | undefined };
  alerts: { ntfyUrl: string | undefined; webhookUrl: string | undefined };
  /** The worker's `/metrics` endpoint (src/observability/metricsServer.ts): off without a port. */
  metrics: { port: number | undefined; host: string; token: string | undefined; tls: { certPath: string; keyPath: string } | undefined };
  otlpEndpoint: string | undefined;
  logLevel: LogLevel;
  shutdownGraceMs: number;
  modelsFile: string | undefined;
  dailySpendCapUsd: number;
  /** Per API: requests allowed per rolling window (BREAKWATER_API_LIMITS). */
  apiLimits: Readonly<Record<string, { limit: number; windowMs: number }>>;
  approvers: readonly string[] | undefined;
  /** Who may decide, and how it is proven (src/identity). */
  identity: IdentityConfig;
  inbox: InboxConfig;
  /** Payload encryption (src/codec): the key ring (first writes), empty when none is configured; the codec server's settings. */
  codec: { keys: readonly CodecKey[]; keysFrom: 'env' | 'file' | 'dev-stack' | 'none'; token: string | undefined; tls: { certPath: string; keyPath: string } | undefined };
  /** Whether llm_calls keeps prompts and answers (BREAKWATER_LLM_CONTENT). */
  llmContent: 'keep' | 'omit';
  /** The resource gate's allowlist (BREAKWATER_RESOURCE_URLS, BREAKWATER_RESOURCE_FILE_ROOTS). */
  resources: { urls: readonly string[]; fileRoots: readonly string[] };
}>;

/** Names of every variable this module reads; the compose file test keeps docker-compose.yml in step. */
export const configVariables = Object.keys(envSchema.shape) as readonly (keyof typeof envSchema.shape)[];

/**
 * Parse and validate configuration from an environment. Pure apart from reads of the project's home
 * (src/projectHome.ts): what its running local stack recorded (Temporal's address and Web UI, a project-local
 * DATABASE_URL) is used where the environment is silent, and its dev codec key when no key is configured.
 */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): BreakwaterConfig {
  const home = projectHome({ BREAKWATER_HOME: env.BREAKWATER_HOME ?? process.env.BREAKWATER_HOME });
  // Lowest first: the local stack's recorded settings, the Temporal profile (temporal.toml), breakwater.config.json, the environment.
  const fromFile = configFileSettings(env);
  const parsed = envSchema.safeParse({ ...localStackSettings(home), ...temporalProfileSettings({ ...fromFile, ...env }), ...fromFile, ...withTlsAliases(env) });
  if (!parsed.success) {
    const variables = [...new Set(parsed.error.issues.map((i) => String(i.path[0])))];
    const detail = parsed.error.issues.map((i) => `${String(i.path[0])}: ${i.message}`).join('; ');
    throw new ConfigError(`Invalid configuration: ${detail}`, variables);
  }
  const e = parsed.data;
  if (Boolean(e.TEMPORAL_TLS_CLIENT_CERT_PATH) !== Boolean(e.TEMPORAL_TLS_CLIENT_KEY_PATH)) {
    throw new ConfigError('TEMPORAL_TLS_CLIENT_CERT_PATH and TEMPORAL_TLS_CLIENT_KEY_PATH go together (mTLS needs both)', ['TEMPORAL_TLS_CLIENT_CERT_PATH', 'TEMPORAL_TLS_CLIENT_KEY_PATH']);
  }
  return Object.freeze({
    temporal: {
      address: e.TEMPORAL_ADDRESS,
      namespace: e.TEMPORAL_NAMESPACE,
      taskQueue: e.TEMPORAL_TASK_QUEUE,
      uiUrl: e.TEMPORAL_UI_URL,
      apiKey: e.TEMPORAL_API_KEY,
      tls: temporalTls(e),
    },
    database: { url: e.DATABASE_URL, schema: e.DATABASE_SCHEMA },
    openai: { baseUrl: e.OPENAI_BASE_URL, apiKey: e.OPENAI_API_KEY },
    alerts: { ntfyUrl: e.ALERT_NTFY_URL, webhookUrl: e.ALERT_WEBHOOK_URL },
    metrics: metricsSettings(e),
    otlpEndpoint: e.OTEL_EXPORTER_OTLP_ENDPOINT,
    logLevel: e.LOG_LEVEL,
    shutdownGraceMs: e.SHUTDOWN_GRACE_MS,
    modelsFile: e.BREAKWATER_MODELS_FILE,
    dailySpendCapUsd: e.DAILY_SPEND_CAP_USD,
    apiLimits: parseApiLimits(e.BREAKWATER_API_LIMITS),
    approvers: e.BREAKWATER_APPROVERS?.split(',').map((n) => n.trim()),
    identity: identityConfig(e),
    inbox: inboxConfig(e),
    codec: codecSettings(e, home),
    llmContent: e.BREAKWATER_LLM_CONTENT,
    resources: { urls: list(e.BREAKWATER_RESOURCE_URLS), fileRoots: list(e.BREAKWATER_RESOURCE_FILE_ROOTS).map((p) => path.resolve(p)) },
  });
}

const list = (v: string | undefined): string[] => (v ?? '').split(',').map((x) => x.trim()).filter(Boolean);

function readSecretFile(file: string, variable: string): string {
  try {
    return readFileSync(file, 'utf8').trim();
  } catch (err) {
    throw new ConfigError(`${variable}: cannot read ${file} (${(err as NodeJS.ErrnoException).code ?? 'error'})`, [variable]);
  }
}

function codecSettings(e: z.infer<typeof envSchema>, home: string): BreakwaterConfig['codec'] {
  if (e.BREAKWATER_CODEC_KEYS && e.BREAKWATER_CODEC_KEYS_FILE) throw new ConfigError('set BREAKWATER_CODEC_KEYS or BREAKWATER_CODEC_KEYS_FILE, not both', ['BREAKWATER_CODEC_KEYS', 'BREAKWATER_CODEC_KEYS_FILE']);
  if (e.BREAKWATER_CODEC_TOKEN && e.BREAKWATER_CODEC_TOKEN_FILE) throw new ConfigError('set BREAKWATER_CODEC_TOKEN or BREAKWATER_CODEC_TOKEN_FILE, not both', ['BREAKWATER_CODEC_TOKEN', 'BREAKWATER_CODEC_TOKEN_FILE']);
  if (Boolean(e.BREAKWATER_CODEC_TLS_CERT_PATH) !== Boolean(e.BREAKWATER_CODEC_TLS_KEY_PATH)) throw new ConfigError('BREAKWATER_CODEC_TLS_CERT_PATH and BREAKWATER_CODEC_TLS_KEY_PATH go together', ['BREAKWATER_CODEC_TLS_CERT_PATH', 'BREAKWATER_CODEC_TLS_KEY_PATH']);
  const devFile = path.join(home, 'codec-keys');
  const [variable, spec, keysFrom] = e.BREAKWATER_CODEC_KEYS
    ? (['BREAKWATER_CODEC_KEYS', e.BREAKWATER_CODEC_KEYS, 'env'] as const)
    : e.BREAKWATER_CODEC_KEYS_FILE
      ? (['BREAKWATER_CODEC_KEYS_FILE', readSecretFile(e.BREAKWATER_CODEC_KEYS_FILE, 'BREAKWATER_CODEC_KEYS_FILE'), 'file'] as const)
      : existsSync(devFile)
        ? (['BREAKWATER_CODEC_KEYS', readSecretFile(devFile, 'BREAKWATER_CODEC_KEYS'), 'dev-stack'] as const)
        : (['BREAKWATER_CODEC_KEYS', undefined, 'none'] as const);
  let keys: CodecKey[] = [];
  try {
    if (spec !== undefined) keys = parseKeyRing(spec);
  } catch (err) {
    throw new ConfigError(`${variable}: ${(err as Error).message}`, [variable]);
  }
  const token = e.BREAKWATER_CODEC_TOKEN_FILE ? readSecretFile(e.BREAKWATER_CODEC_TOKEN_FILE, 'BREAKWATER_CODEC_TOKEN_FILE') : e.BREAKWATER_CODEC_TOKEN;
  if (token !== undefined && token.length < 32) throw new ConfigError('BREAKWATER_CODEC_TOKEN_FILE: the token needs at least 32 characters', ['BREAKWATER_CODEC_TOKEN_FILE']);
  const tls = e.BREAKWATER_CODEC_TLS_CERT_PATH && e.BREAKWATER_CODEC_TLS_KEY_PATH ? { certPath: e.BREAKWATER_CODEC_TLS_CERT_PATH, keyPath: e.BREAKWATER_CODEC_TLS_KEY_PATH } : undefined;
  return { keys, keysFrom, token, tls };
}

function metricsSettings(e: z.infer<typeof envSchema>): BreakwaterConfig['metrics'] {
  if (e.METRICS_TOKEN && e.METRICS_TOKEN_FILE) throw new ConfigError('set METRICS_TOKEN or METRICS_TOKEN_FILE, not both', ['METRICS_TOKEN', 'METRICS_TOKEN_FILE']);
  if (Boolean(e.METRICS_TLS_CERT_PATH) !== Boolean(e.METRICS_TLS_KEY_PATH)) throw new ConfigError('METRICS_TLS_CERT_PATH and METRICS_TLS_KEY_PATH go together', ['METRICS_TLS_CERT_PATH', 'METRICS_TLS_KEY_PATH']);
  const token = e.METRICS_TOKEN_FILE ? readSecretFile(e.METRICS_TOKEN_FILE, 'METRICS_TOKEN_FILE') : e.METRICS_TOKEN;
  if (token !== undefined && token.length < 32) throw new ConfigError('METRICS_TOKEN_FILE: the token needs at least 32 characters', ['METRICS_TOKEN_FILE']);
  const tls = e.METRICS_TLS_CERT_PATH && e.METRICS_TLS_KEY_PATH ? { certPath: e.METRICS_TLS_CERT_PATH, keyPath: e.METRICS_TLS_KEY_PATH } : undefined;
  return { port: e.METRICS_PORT, host: e.METRICS_HOST, token, tls };
}

let cached: BreakwaterConfig | undefined;
/** The process-wide configuration, read from `process.env` on first use. */
export function getConfig(): BreakwaterConfig {
  cached ??= loadConfig();
  return cached;
}

/** TLS is on with any certificate setting, with an API key (Temporal Cloud requires TLS), or with TEMPORAL_TLS=true. */
function temporalTls(e: z.infer<typeof envSchema>): TemporalTls | undefined {
  const files = e.TEMPORAL_TLS_CLIENT_CERT_PATH || e.TEMPORAL_TLS_SERVER_CA_CERT_PATH || e.TEMPORAL_TLS_SERVER_NAME;
  const on = e.TEMPORAL_TLS === 'true' || e.TEMPORAL_TLS === '1' || (e.TEMPORAL_TLS !== 'false' && e.TEMPORAL_TLS !== '0' && (files || e.TEMPORAL_API_KEY));
  if (!on) return undefined;
  return { certPath: e.TEMPORAL_TLS_CLIENT_CERT_PATH, keyPath: e.TEMPORAL_TLS_CLIENT_KEY_PATH, caPath: e.TEMPORAL_TLS_SERVER_CA_CERT_PATH, serverName: e.TEMPORAL_TLS_SERVER_NAME };
}

/** Breakwater's former TLS names → Temporal's: an old name counts only where the Temporal name is unset. */
/** Breakwater's former TLS variable names → Temporal's (config check reports the former as deprecated). */
export const TLS_ALIASES = { TEMPORAL_TLS_CERT_PATH: 'TEMPORAL_TLS_CLIENT_CERT_PATH', TEMPORAL_TLS_KEY_PATH: 'TEMPORAL_TLS_CLIENT_KEY_PATH', TEMPORAL_TLS_CA_PATH: 'TEMPORAL_TLS_SERVER_CA_CERT_PATH' } as const;

export function withTlsAliases(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const out = { ...env };
  for (const [old, current] of Object.entries(TLS_ALIASES)) if (out[old] && !out[current]) out[current] = out[old];
  return out;
}

/**
 * The connection settings of the selected Temporal profile (TEMPORAL_CONFIG_FILE, else the temporal CLI's
 * default temporal.toml; TEMPORAL_PROFILE, else "default"), as the variables that would set them: the
 * environment is applied over them by loadConfig, as envconfig and the temporal CLI do.
 */
export function temporalProfileSettings(env: NodeJS.ProcessEnv): Record<string, string> {
  const vars = Object.fromEntries(Object.entries(env).filter((kv): kv is [string, string] => typeof kv[1] === 'string'));
  let profile: ClientConfigProfile;
  try {
    profile = loadClientConfigProfile({ disableEnv: true, overrideEnvVars: vars });
  } catch (err) {
    const variable = /Profile '.*' not found/.test((err as Error).message) ? 'TEMPORAL_PROFILE' : 'TEMPORAL_CONFIG_FILE';
    throw new ConfigError(`${variable}: cannot load the Temporal profile: ${(err as Error).message}`, [variable]);
  }
  const pathOf = (s: { path: string } | { data: unknown } | undefined) => (s && 'path' in s ? s.path : undefined);
  const tls = profile.tls;
  const settings: Record<string, string | undefined> = {
    TEMPORAL_ADDRESS: profile.address,
    TEMPORAL_NAMESPACE: profile.namespace,
    TEMPORAL_API_KEY: profile.apiKey,
    TEMPORAL_TLS: tls ? String(tls.disabled !== true) : undefined,
    TEMPORAL_TLS_CLIENT_CERT_PATH: pathOf(tls?.clientCert),
    TEMPORAL_TLS_CLIENT_KEY_PATH: pathOf(tls?.clientKey),
    TEMPORAL_TLS_SERVER_CA_CERT_PATH: pathOf(tls?.serverCACert),
    TEMPORAL_TLS_SERVER_NAME: tls?.serverName,
  };
  return Object.fromEntries(Object.entries(settings).filter((kv): kv is [string, string] => kv[1] !== undefined && kv[1] !== ''));
}

/** Secret values in a configuration, for the redactor. */
export function configSecrets(c: BreakwaterConfig): string[] {
  const dbPassword = (() => {
    try {
      return c.database.url ? decodeURIComponent(new URL(c.database.url).password) : '';
    } catch {
      return '';
    }
  })();
  const codec = [...c.codec.keys.map((k) => k.key.toString('base64')), c.codec.token];
  return [c.openai.apiKey, c.temporal.apiKey, dbPassword, ...codec, c.metrics.token].filter((s): s is string => Boolean(s));
}

/** Throws a ConfigError naming the variable when a setting a command needs is absent. */
export function requireSetting<T>(value: T | undefined, variable: string, hint: string): T {
  if (value === undefined) throw new ConfigError(`${variable} is not set: ${hint}`, [variable]);
  return value;
}

const WINDOW_UNIT_MS = { ms: 1, s: 1000, m: 60_000 } as const;

function parseApiLimits(spec: string | undefined): Record<string, { limit: number; windowMs: number }> {
  const limits: Record<string, { limit: number; windowMs: number }> = {};
  for (const part of spec?.split(',') ?? []) {
    const m = /^\s*([a-z][a-z0-9_-]*)=(\d+)\/(\d+)(ms|s|m)\s*$/.exec(part)!;
    const [, name, limit, window, unit] = m as unknown as [string, string, string, string, keyof typeof WINDOW_UNIT_MS];
    if (Number(limit) < 1 || Number(window) < 1) throw new ConfigError(`BREAKWATER_API_LIMITS: '${part.trim()}' needs a limit and a window of at least 1`, ['BREAKWATER_API_LIMITS']);
    limits[name] = { limit: Number(limit), windowMs: Number(window) * WINDOW_UNIT_MS[unit] };
  }
  return limits;
}

/** The broker limit of `api` from BREAKWATER_API_LIMITS, else `fallback`; neither is a ConfigError naming the variable. */
export function apiLimitFor(config: BreakwaterConfig, api: string, fallback?: { limit: number; windowMs: number }): { limit: number; windowMs: number } {
  const found = config.apiLimits[api] ?? fallback;
  if (!found) throw new ConfigError(`BREAKWATER_API_LIMITS has no limit for API '${api}': add ${api}=<limit>/<window>, e.g. ${api}=100/60s`, ['BREAKWATER_API_LIMITS']);
  return found;
}
