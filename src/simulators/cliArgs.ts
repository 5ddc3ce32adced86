/**
 * Command-line parsing for `node dist/simulators/main.js <simulator> [flags]`.
 * Pure (argv and env in, options out) so it is unit-testable; main.ts does
 * the side effects. Every flag can also come from the environment as
 * <SIMULATOR>_<FLAG>, e.g. --lag-ms -> PORTAL_LAG_MS; a flag beats its env var.
 */
import { parseArgs } from 'node:util';
import { z } from 'zod';
import { enrichmentConfigPatchSchema, type EnrichmentSimulatorOptions } from './enrichment';
import type { PortalSimulatorOptions } from './portal';
import { portalConfigPatchSchema } from './portalContract';

export const simulatorNames = ['portal', 'llm', 'enrichment'] as const;
export type SimulatorName = (typeof simulatorNames)[number];

/** Which flags each simulator accepts; any other flag is a usage error. */
export const simulatorFlags: Record<SimulatorName, readonly string[]> = {
  portal: ['port', 'lag-ms', 'error-rate', 'latency-ms', 'rate-limit', 'mode', 'seed'],
  llm: ['port', 'scenario'],
  enrichment: ['port', 'latency-ms', 'window-ms', 'limit'],
};

const allFlags = ['port', 'lag-ms', 'error-rate', 'latency-ms', 'rate-limit', 'mode', 'seed', 'scenario', 'window-ms', 'limit'];

export type ParsedCommandLine =
  | { kind: 'help' }
  | { kind: 'portal'; options: PortalSimulatorOptions }
  | { kind: 'enrichment'; options: EnrichmentSimulatorOptions }
  | { kind: 'llm'; port: number; scenarioFile: string | undefined };

/** A mistake on the command line: main.ts prints it and exits with code 2. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}

export const usage = `usage: node dist/simulators/main.js <portal|llm|enrichment> [flags]

portal:     --port N --lag-ms N --error-rate X --latency-ms N --rate-limit N
            --mode normal|response-lost|silently-lost|failing --seed N
llm:        --port N --scenario FILE.json
enrichment: --port N --limit N --window-ms N --latency-ms N

Every flag may also be set as <SIMULATOR>_<FLAG> in the environment,
e.g. PORTAL_LAG_MS=300, LLM_SCENARIO=./scenario.json, ENRICHMENT_LIMIT=5.
Listens on 127.0.0.1 (port 0 = ephemeral) and prints one JSON line
{"simulator":...,"url":...} once listening.`;

export function envName(simulator: SimulatorName, flag: string): string {
  return `${simulator.toUpperCase()}_${flag.toUpperCase().replace(/-/g, '_')}`;
}

function toNumber(flag: string, raw: string): number {
  const value = Number(raw);
  if (raw.trim() === '' || !Number.isFinite(value)) throw new UsageError(`--${flag} must be a number, got ${JSON.stringify(raw)}`);
  return value;
}

function validated<S extends z.ZodType>(schema: S, value: unknown): z.output<S> {
  const result = schema.safeParse(value);
  if (!result.success) throw new UsageError(`invalid options: ${z.prettifyError(result.error)}`);
  return result.data;
}

export function parseCommandLine(argv: readonly string[], env: NodeJS.ProcessEnv): ParsedCommandLine {
  let parsed: ReturnType<typeof parseArgs>;
  try {
    parsed = parseArgs({
      args: [...argv],
      allowPositionals: true,
      strict: true,
      options: {
        help: { type: 'boolean', short: 'h' },
        ...Object.fromEntries(allFlags.map((flag) => [flag, { type: 'string' as const }])),
      },
    });
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
  if (parsed.values.help) return { kind: 'help' };
  const [name, ...extra] = parsed.positionals;
  if (!name) throw new UsageError('missing simulator name (portal, llm or enrichment)');
  if (!(simulatorNames as readonly string[]).includes(name)) throw new UsageError(`unknown simulator ${JSON.stringify(name)}`);
  if (extra.length > 0) throw new UsageError(`unexpected arguments: ${extra.join(' ')}`);
  const simulator = name as SimulatorName;

  const allowed = simulatorFlags[simulator];
  for (const flag of Object.keys(parsed.values)) {
    if (flag !== 'help' && !allowed.includes(flag)) throw new UsageError(`--${flag} does not apply to the ${simulator} simulator`);
  }
  const raw = (flag: string): string | undefined => {
    const value = parsed.values[flag];
    return typeof value === 'string' ? value : env[envName(simulator, flag)];
  };
  const num = (flag: string): number | undefined => {
    const value = raw(flag);
    return value === undefined ? undefined : toNumber(flag, value);
  };

  const port = num('port') ?? 0;
  if (!Number.isInteger(port) || port < 0 || port > 65_535) throw new UsageError(`--port must be an integer 0..65535, got ${port}`);

  if (simulator === 'portal') {
    const rateLimit = num('rate-limit');
    const config = validated(portalConfigPatchSchema, {
      lagMs: num('lag-ms'),
      errorRate: num('error-rate'),
      latencyMs: num('latency-ms'),
      // 0 is the natural way to say "no limit" on a command line.
      rateLimitPerMinute: rateLimit === 0 ? null : rateLimit,
      mode: raw('mode'),
      seed: num('seed'),
    });
    return { kind: 'portal', options: { ...dropUndefined(config), port } };
  }
  if (simulator === 'enrichment') {
    const config = validated(enrichmentConfigPatchSchema, {
      limit: num('limit'),
      windowMs: num('window-ms'),
      latencyMs: num('latency-ms'),
    });
    return { kind: 'enrichment', options: { ...dropUndefined(config), port } };
  }
  return { kind: 'llm', port, scenarioFile: raw('scenario') };
}

function dropUndefined<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T;
}
