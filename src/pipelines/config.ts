/**
 * The reference pipelines' own settings, read once from the environment like the toolkit's (src/config.ts)
 * — kept apart because a user's project has its own systems, not our portal or enrichment API.
 */
import { z } from 'zod';
import { ConfigError } from '../errors';

const optionalUrl = z.preprocess((v) => (v === '' ? undefined : v), z.url({ protocol: /^https?$/ }).optional());

const envSchema = z.object({
  /** The portal that submit-and-verify submits to (or its simulator). */
  PORTAL_URL: optionalUrl,
  /** The rate-limited enrichment API of enrichCatalog (or its simulator). */
  ENRICHMENT_URL: optionalUrl,
  /** The enrichment API's account-wide quota, enforced by the broker. */
  ENRICHMENT_RATE_LIMIT_PER_MINUTE: z.coerce.number().int().positive().max(100_000).default(100),
});

export type ReferenceConfig = Readonly<{ portalUrl: string | undefined; enrichmentUrl: string | undefined; enrichmentRateLimitPerMinute: number }>;

/** Names of the variables read here; the compose test keeps docker-compose.yml in step. */
export const referenceConfigVariables = Object.keys(envSchema.shape) as readonly (keyof typeof envSchema.shape)[];

export function loadReferenceConfig(env: NodeJS.ProcessEnv = process.env): ReferenceConfig {
  const parsed = envSchema.safeParse(env);
  if (!parsed.success) {
    const variables = [...new Set(parsed.error.issues.map((i) => String(i.path[0])))];
    throw new ConfigError(`Invalid configuration: ${parsed.error.issues.map((i) => `${String(i.path[0])}: ${i.message}`).join('; ')}`, variables);
  }
  const e = parsed.data;
  return Object.freeze({ portalUrl: e.PORTAL_URL, enrichmentUrl: e.ENRICHMENT_URL, enrichmentRateLimitPerMinute: e.ENRICHMENT_RATE_LIMIT_PER_MINUTE });
}
