/**
 * config/models.json: which model each agent role uses (cheap for routing, strong for consequential
 * decisions) and the price of every model. Loaded and validated once, when the worker starts: a role that
 * names a model without a price is a clear error then — never a silent zero cost later.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { ConfigError } from '../../errors';
import { pricePerMillionToNanoPerToken, type TokenPrice } from '../../deterministic/budget';
import { compatSettingSchema, resolveCompat, type CompatProfile } from './profiles';

/** <repo root>/config/models.json — works from src/activities/llm and dist/activities/llm alike. */
export const defaultModelsFile = (): string => path.resolve(__dirname, '..', '..', '..', 'config', 'models.json');

const priceSchema = z.number().min(0).max(1_000_000);

const modelsFileSchema = z.strictObject({
  /** gen_ai.provider.name on spans, e.g. openai, ollama, vllm. */
  provider: z.string().min(1).default('openai'),
  roles: z.record(
    z.string().min(1),
    z.union([
      z.string().min(1),
      z.strictObject({
        model: z.string().min(1),
        /** Sent as the profile's token-limit parameter; also bounds the worst-case cost the daily cap reserves. */
        maxOutputTokens: z.number().int().min(1).max(1_000_000).optional(),
      }),
    ]),
  ),
  models: z.record(
    z.string().min(1),
    z.strictObject({
      inputUsdPerMillion: priceSchema,
      outputUsdPerMillion: priceSchema,
      /** What the endpoint serving this model accepts (profiles.ts); default: OpenAI's. */
      compat: compatSettingSchema.optional(),
    }),
  ),
  defaults: z.strictObject({ maxOutputTokens: z.number().int().min(1).max(1_000_000).default(1024) }).default({ maxOutputTokens: 1024 }),
});

export interface ModelPrice extends TokenPrice {
  inputUsdPerMillion: number;
  outputUsdPerMillion: number;
}

export interface RoleRoute {
  role: string;
  model: string;
  maxOutputTokens: number;
  price: ModelPrice;
  /** How requests to this model are shaped (structured-output mode, token-limit parameter, ...). */
  compat: CompatProfile;
}

export interface ModelsConfig {
  provider: string;
  file: string;
  routes: ReadonlyMap<string, RoleRoute>;
  prices: ReadonlyMap<string, ModelPrice>;
  profiles: ReadonlyMap<string, CompatProfile>;
}

/** Validates a parsed models file. Throws ConfigError naming every problem (unknown models included). */
export function parseModelsConfig(raw: unknown, file = '(inline)'): ModelsConfig {
  const variables = ['BREAKWATER_MODELS_FILE'];
  const parsed = modelsFileSchema.safeParse(raw);
  if (!parsed.success) throw new ConfigError(`${file}: invalid models config: ${z.prettifyError(parsed.error)}`, variables);
  const problems: string[] = [];
  const prices = new Map<string, ModelPrice>();
  const profiles = new Map<string, CompatProfile>();
  for (const [model, { compat, ...p }] of Object.entries(parsed.data.models)) {
    profiles.set(model, resolveCompat(compat));
    try {
      prices.set(model, {
        ...p,
        inputNanoPerToken: pricePerMillionToNanoPerToken(p.inputUsdPerMillion),
        outputNanoPerToken: pricePerMillionToNanoPerToken(p.outputUsdPerMillion),
      });
    } catch (e) {
      problems.push(`model '${model}': ${(e as Error).message}`);
    }
  }
  const routes = new Map<string, RoleRoute>();
  for (const [role, r] of Object.entries(parsed.data.roles)) {
    const route = typeof r === 'string' ? { model: r } : r;
    const price = prices.get(route.model);
    if (!price) {
      if (!problems.some((p) => p.startsWith(`model '${route.model}'`))) {
        problems.push(`role '${role}' uses model '${route.model}', which has no price in "models" (known: ${[...prices.keys()].join(', ') || 'none'})`);
      }
      continue;
    }
    routes.set(role, { role, model: route.model, maxOutputTokens: route.maxOutputTokens ?? parsed.data.defaults.maxOutputTokens, price, compat: profiles.get(route.model)! });
  }
  if (problems.length) throw new ConfigError(`${file}: ${problems.join('; ')}`, variables);
  return { provider: parsed.data.provider, file, routes, prices, profiles };
}

export function loadModelsConfig(file = defaultModelsFile()): ModelsConfig {
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(file, 'utf8'));
  } catch (e) {
    throw new ConfigError(`cannot read models config ${file}: ${(e as Error).message}`, ['BREAKWATER_MODELS_FILE']);
  }
  return parseModelsConfig(raw, file);
}

export class UnknownRoleError extends ConfigError {
  constructor(role: string, models: ModelsConfig) {
    super(`agent role '${role}' is not in ${models.file} (roles: ${[...models.routes.keys()].join(', ')})`, ['BREAKWATER_MODELS_FILE']);
  }
}

export function routeFor(models: ModelsConfig, role: string): RoleRoute {
  const route = models.routes.get(role);
  if (!route) throw new UnknownRoleError(role, models);
  return route;
}
