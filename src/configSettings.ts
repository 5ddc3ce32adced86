/**
 * Every setting Breakwater reads, declared once: its variable, how it is validated and defaulted (zod), what
 * it is for, its key in breakwater.config.json and whether it is a secret. src/config.ts validates the
 * layers with these schemas, src/configFile.ts maps file keys with them, `breakwater config check` masks by
 * them, and the README's settings table is generated from them (src/configTable.ts).
 */
import path from 'node:path';
import { z } from 'zod';

const url = z.url({ protocol: /^https?$/ });
const optionalUrl = z.preprocess((v) => (v === '' ? undefined : v), url.optional());
const port = z.coerce.number().int().min(1).max(65535);
const optionalPort = z.preprocess((v) => (v === '' ? undefined : v), port.optional());
/** A setting where an empty value (`VAR=` in a compose file or shell) means unset. */
const optionalText = (t: z.ZodString = z.string().min(1)) => z.preprocess((v) => (v === '' ? undefined : v), t.optional());
const text = () => z.string().min(1).optional();

export type SettingGroup = 'Temporal' | 'Postgres' | 'Models' | 'Alerts and telemetry' | 'Runtime' | 'Decisions and approvers' | 'Inbox' | 'Payload encryption' | 'Resource gate' | 'Project and local stack';

export interface Setting<S extends z.ZodType = z.ZodType> {
  schema: S;
  group: SettingGroup;
  /** One line for the settings table. */
  doc: string;
  /** Its key in breakwater.config.json, when the file may set it. */
  file?: string;
  /** Masked by `config check`; in the config file only as a `{ file }` / `{ env }` reference. */
  secret?: true;
}

const setting = <S extends z.ZodType>(group: SettingGroup, schema: S, doc: string, more: { file?: string; secret?: true } = {}): Setting<S> => ({ schema, group, doc, ...more });

export const SETTINGS = {
  TEMPORAL_ADDRESS: setting('Temporal', z.string().regex(/^[\w.-]+:\d{1,5}$/, 'expected host:port').default('127.0.0.1:7233'), "the frontend's host:port (else the project's stack, else this)", { file: 'temporal.address' }),
  TEMPORAL_NAMESPACE: setting('Temporal', z.string().min(1).max(200).default('default'), 'the namespace runs live in', { file: 'temporal.namespace' }),
  TEMPORAL_TASK_QUEUE: setting('Temporal', z.string().min(1).max(200).default('breakwater'), "the workers' default task queue", { file: 'temporal.taskQueue' }),
  TEMPORAL_UI_URL: setting('Temporal', url.default('http://localhost:8233'), 'the Web UI, for links in alerts, `explain` and the run viewer', { file: 'temporal.uiUrl' }),
  TEMPORAL_API_KEY: setting('Temporal', text(), 'Temporal Cloud (or a secured cluster): the API key', { file: 'temporal.apiKey', secret: true }),
  TEMPORAL_TLS: setting('Temporal', z.enum(['true', 'false', '1', '0']).optional(), 'TLS to the frontend without client certificates (on with an API key or certificates)'),
  TEMPORAL_TLS_CLIENT_CERT_PATH: setting('Temporal', text(), 'mTLS: the client certificate (PEM file), with the key below'),
  TEMPORAL_TLS_CLIENT_KEY_PATH: setting('Temporal', text(), "mTLS: the client certificate's private key (PEM file)"),
  TEMPORAL_TLS_SERVER_CA_CERT_PATH: setting('Temporal', text(), "the CA that signed the server's certificate, when not a public one"),
  TEMPORAL_TLS_SERVER_NAME: setting('Temporal', text(), "the name to check the server's certificate against"),
  TEMPORAL_TLS_CERT_PATH: setting('Temporal', text(), 'former name of TEMPORAL_TLS_CLIENT_CERT_PATH (the Temporal name wins)'),
  TEMPORAL_TLS_KEY_PATH: setting('Temporal', text(), 'former name of TEMPORAL_TLS_CLIENT_KEY_PATH'),
  TEMPORAL_TLS_CA_PATH: setting('Temporal', text(), 'former name of TEMPORAL_TLS_SERVER_CA_CERT_PATH'),
  TEMPORAL_CONFIG_FILE: setting('Temporal', text(), "Temporal's client config file (the `temporal` CLI's `temporal.toml`); variables override it"),
  TEMPORAL_PROFILE: setting('Temporal', text(), 'the profile in that file (default `default`)', { file: 'temporal.profile' }),

  DATABASE_URL: setting('Postgres', z.string().regex(/^postgres(ql)?:\/\//, 'expected a postgres:// URL').optional(), "Postgres (else the project's stack's cluster)", { file: 'database.url', secret: true }),
  DATABASE_SCHEMA: setting('Postgres', z.string().regex(/^[a-z_][a-z0-9_]{0,62}$/, 'expected a lower-case SQL identifier').default('public'), "the schema Breakwater's tables live in", { file: 'database.schema' }),

  OPENAI_BASE_URL: setting('Models', optionalUrl, 'an OpenAI-compatible endpoint, with `/v1`', { file: 'openai.baseUrl' }),
  OPENAI_API_KEY: setting('Models', z.string().optional(), "the endpoint's API key", { file: 'openai.apiKey', secret: true }),
  BREAKWATER_MODELS_FILE: setting('Models', text(), 'agent roles → models, prices and compatibility profiles (JSON)', { file: 'modelsFile' }),
  DAILY_SPEND_CAP_USD: setting('Models', z.coerce.number().positive().max(1_000_000).default(50), 'LLM spend cap per UTC day across all runs', { file: 'dailySpendCapUsd' }),
  BREAKWATER_LLM_CONTENT: setting('Models', z.enum(['keep', 'omit']).default('keep'), '`keep`: `llm_calls` stores prompts and answers (redacted); `omit`: none'),

  ALERT_NTFY_URL: setting('Alerts and telemetry', optionalUrl, 'an ntfy topic URL for alerts', { secret: true }),
  ALERT_WEBHOOK_URL: setting('Alerts and telemetry', optionalUrl, 'a webhook for alerts (JSON POST, `Idempotency-Key` header)', { secret: true }),
  METRICS_PORT: setting('Alerts and telemetry', optionalPort, "the worker's Prometheus `/metrics` port (unset: none)"),
  METRICS_HOST: setting('Alerts and telemetry', z.string().regex(/^[\w.:-]+$/, 'expected a host name or IP address').default('127.0.0.1'), "where `/metrics` listens; beyond loopback only with the token and TLS below"),
  METRICS_TOKEN: setting('Alerts and telemetry', optionalText(z.string().min(32, 'at least 32 characters')), 'the bearer token a scraper must send (≥ 32 characters)', { secret: true }),
  METRICS_TOKEN_FILE: setting('Alerts and telemetry', optionalText(), 'a file holding it (a mounted secret)'),
  METRICS_TLS_CERT_PATH: setting('Alerts and telemetry', optionalText(), "`/metrics` over HTTPS: the certificate (PEM), with the key below"),
  METRICS_TLS_KEY_PATH: setting('Alerts and telemetry', optionalText(), 'its private key'),
  OTEL_EXPORTER_OTLP_ENDPOINT: setting('Alerts and telemetry', optionalUrl, 'an OTLP/HTTP collector for traces (unset: tracing off)'),

  LOG_LEVEL: setting('Runtime', z.enum(['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent']).default('info'), "pino's level", { file: 'logLevel' }),
  SHUTDOWN_GRACE_MS: setting('Runtime', z.coerce.number().int().min(0).max(600_000).default(10_000), 'how long a stopping worker lets activities finish'),
  BREAKWATER_API_LIMITS: setting(
    'Runtime',
    z
      .string()
      .regex(/^\s*[a-z][a-z0-9_-]{0,49}=\d{1,7}\/\d{1,7}(ms|s|m)(\s*,\s*[a-z][a-z0-9_-]{0,49}=\d{1,7}\/\d{1,7}(ms|s|m))*\s*$/, 'expected name=limit/window[,…], e.g. shop=100/60s')
      .optional(),
    "the broker's limit per API: `shop=100/60s,search=10/1s`",
    { file: 'apiLimits' },
  ),

  BREAKWATER_APPROVERS: setting(
    'Decisions and approvers',
    z.string().regex(/^\s*[^,\s][^,]*(,\s*[^,\s][^,]*)*\s*$/, 'expected a comma-separated list of names').optional(),
    'names allowed to decide; narrows the approvers with keys (in development mode, the only check)',
    { file: 'approvers.names' },
  ),
  BREAKWATER_APPROVER_KEYS: setting('Decisions and approvers', z.string().optional(), "approvers' public keys, `name=ed25519:<key>`, comma-separated (`breakwater approver add`)", { file: 'approvers.keys' }),
  BREAKWATER_APPROVER_KEYS_FILE: setting('Decisions and approvers', text(), 'a file of the same entries, one a line'),
  BREAKWATER_DECISION_VOUCHERS: setting('Decisions and approvers', z.string().regex(/^[\w.@-]+(,[\w.@-]+)*$/, 'expected comma-separated signer names').optional(), "signers trusted to vouch for a logged-in approver (the inbox's key)"),
  BREAKWATER_DECISION_MAX_AGE_S: setting('Decisions and approvers', z.coerce.number().int().min(5).max(7 * 86_400).default(900), "how old (or how far ahead) a signature's time may be"),
  BREAKWATER_DEV_MODE: setting('Decisions and approvers', z.enum(['0', '1', 'true', 'false', '']).optional(), 'unsigned decisions accepted and audited as unverified: never in production'),
  BREAKWATER_APPROVER_KEY_DIR: setting('Decisions and approvers', text(), "where `breakwater approver add` keeps private keys (default `~/.breakwater/approvers`)"),

  BREAKWATER_INBOX_USERS: setting('Inbox', z.string().optional(), "the inbox's logins, `name=scrypt$<salt>$<hash>` (`breakwater approver inbox-login`)", { secret: true }),
  BREAKWATER_INBOX_USER_HEADER: setting('Inbox', z.string().regex(/^[A-Za-z0-9-]{1,64}$/, 'expected a header name').optional(), 'or a header set by a trusted authenticating proxy, e.g. `X-Forwarded-User`'),
  BREAKWATER_INBOX_KEY_FILE: setting('Inbox', text(), "the inbox's Ed25519 private key (PEM): it signs for the logged-in approver"),
  BREAKWATER_INBOX_SIGNER: setting('Inbox', z.string().regex(/^[\w.@-]{1,100}$/).default('inbox'), 'the name the inbox signs as'),
  BREAKWATER_INBOX_TLS_CERT: setting('Inbox', text(), 'TLS certificate (PEM) for an inbox beyond loopback'),
  BREAKWATER_INBOX_TLS_KEY: setting('Inbox', text(), 'its private key'),

  BREAKWATER_CODEC_KEYS: setting('Payload encryption', optionalText(), "`id:base64,…` (first encrypts, all decrypt; `breakwater codec-key`); else the project's `.breakwater/codec-keys` (`npx breakwater init`)", { file: 'codec.keys', secret: true }),
  BREAKWATER_CODEC_KEYS_FILE: setting('Payload encryption', optionalText(), 'a file with the same text (a mounted secret)'),
  BREAKWATER_CODEC_TOKEN: setting('Payload encryption', optionalText(z.string().min(32, 'at least 32 characters')), "the codec server's bearer token (≥ 32 characters)", { file: 'codec.token', secret: true }),
  BREAKWATER_CODEC_TOKEN_FILE: setting('Payload encryption', optionalText(), 'a file holding it'),
  BREAKWATER_CODEC_TLS_CERT_PATH: setting('Payload encryption', optionalText(), "the codec server's TLS certificate: required beyond loopback"),
  BREAKWATER_CODEC_TLS_KEY_PATH: setting('Payload encryption', optionalText(), 'its private key'),

  BREAKWATER_RESOURCE_URLS: setting(
    'Resource gate',
    z
      .string()
      .refine((v) => v.split(',').map((u) => u.trim()).filter(Boolean).every((u) => url.safeParse(u).success && !/^https?:\/\/[^/]*@/.test(u)), 'expected comma-separated http(s) URL prefixes without credentials')
      .optional(),
    'URL prefixes the resource gate may request (anything else a plan names is "missing")',
  ),
  BREAKWATER_RESOURCE_FILE_ROOTS: setting(
    'Resource gate',
    z
      .string()
      .refine((v) => v.split(',').map((p) => p.trim()).filter(Boolean).every((p) => path.isAbsolute(p)), 'expected comma-separated absolute directories')
      .optional(),
    'absolute directories it may read `file` resources in',
  ),

  BREAKWATER_CONFIG: setting('Project and local stack', text(), 'another config file than `<project root>/breakwater.config.json`'),
  BREAKWATER_HOME: setting('Project and local stack', text(), "the project's Breakwater folder: keys, stack state, data (default `<project root>/.breakwater`)"),
  BREAKWATER_TOOLS_DIR: setting('Project and local stack', text(), 'where the pinned Temporal binaries are cached (default `~/.cache/breakwater/tools`)'),
  BREAKWATER_STACK_TEMPORAL_PORT: setting('Project and local stack', optionalPort, '`stack start`: the Temporal port (default 7233 when free, else a free one)'),
  BREAKWATER_STACK_UI_PORT: setting('Project and local stack', optionalPort, '`stack start`: the Web UI port (default 8233 when free, else a free one)'),
} as const satisfies Record<string, Setting>;

export type SettingName = keyof typeof SETTINGS;
export const settingNames = Object.keys(SETTINGS) as SettingName[];

/** The zod shape of all settings, for one `z.object` over every layer. */
export const settingsShape = Object.fromEntries(settingNames.map((n) => [n, SETTINGS[n].schema])) as { [K in SettingName]: (typeof SETTINGS)[K]['schema'] };

/** A setting's default as the table shows it (what an unset variable parses to), or undefined. */
export function settingDefault(name: SettingName): string | undefined {
  const parsed = (SETTINGS[name].schema as z.ZodType).safeParse(undefined);
  return parsed.success && parsed.data !== undefined ? String(parsed.data) : undefined;
}
