/**
 * Benchmark: the agent layer's overhead per call — daily-cap reservation, recording in llm_calls (with
 * redaction), JSON-schema structured output and zod validation — against a bare `openai` call to the same
 * LLM simulator in the same run. Calls alternate (bare, layer, bare, ...) so drift hits both alike.
 */
import { randomBytes } from 'node:crypto';
import OpenAI from 'openai';
import { z } from 'zod';
import { loadConfig } from '../config';
import { actionDecision } from '../pipelines/agentDecision/contract';
import { ensureStack } from '../devstack/stack';
import { createLlmActivities } from '../activities/llm';
import { parseModelsConfig } from '../activities/llm/models';
import { startLlmSimulator } from '../simulators/llm';
import { createPool } from '../store/db';
import { migrate } from '../store/migrate';
import { testModels } from '../pipelines/testKit';

const decision = { action: 'refund', orderId: 'ORD-1001', confidence: 0.93, evidence: ['ORD-1001 arrived damaged'] };
const messages = [
  { role: 'system' as const, content: 'You are the decision agent. Choose one action for the request.' },
  { role: 'user' as const, content: 'Order ORD-1001 arrived damaged, please refund.' },
];

const percentile = (xs: number[], p: number): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil((p / 100) * s.length) - 1))] ?? Number.NaN;
};
const ms = (n: number): string => n.toFixed(2);

export async function bench(o: { calls?: number; warmup?: number } = {}): Promise<{ title: string; markdown: string }> {
  const calls = o.calls ?? 300;
  const warmup = o.warmup ?? 30;
  const sim = await startLlmSimulator({ scenario: { rules: [{ match: { schemaName: 'actionDecision' }, responses: [{ json: decision }] }] } });
  const schema = `bench_${randomBytes(4).toString('hex')}`;
  const base = loadConfig({ ...process.env, OPENAI_BASE_URL: `${sim.url}/v1`, OPENAI_API_KEY: 'bench-key', DATABASE_SCHEMA: schema });
  const config = base.database.url ? base : loadConfig({ ...process.env, OPENAI_BASE_URL: `${sim.url}/v1`, OPENAI_API_KEY: 'bench-key', DATABASE_SCHEMA: schema, DATABASE_URL: (await ensureStack()).postgres.url });
  const db = createPool(config.database);
  try {
    await migrate(db, schema);
    const client = new OpenAI({ apiKey: 'bench-key', baseURL: `${sim.url}/v1`, maxRetries: 0, timeout: 10_000 });
    const { callModel } = createLlmActivities({ db, config, client, models: parseModelsConfig(testModels) });
    const { $schema: _s, ...jsonSchema } = z.toJSONSchema(actionDecision.schema, { target: 'draft-7' }) as Record<string, unknown>;
    const bare = async () => {
      const r = await client.chat.completions.create({
        model: 'sim-large', messages, temperature: 0, max_completion_tokens: 512,
        response_format: { type: 'json_schema', json_schema: { name: 'actionDecision', schema: jsonSchema, strict: true } },
      });
      JSON.parse(r.choices[0]?.message.content ?? '{}');
    };
    const layer = async () => {
      await callModel({ role: 'decider', schema: 'actionDecision', messages });
    };
    const timed = async (f: () => Promise<void>) => {
      const t0 = process.hrtime.bigint();
      await f();
      return Number(process.hrtime.bigint() - t0) / 1e6;
    };
    for (let i = 0; i < warmup; i++) {
      await bare();
      await layer();
    }
    const b: number[] = [];
    const l: number[] = [];
    for (let i = 0; i < calls; i++) {
      b.push(await timed(bare));
      l.push(await timed(layer));
    }
    const paired = l.map((x, i) => x - (b[i] ?? 0));
    const markdown = [
      `${calls} calls each, alternating, to the LLM simulator over HTTP through the real \`openai\` client (maxRetries 0), after ${warmup} warm-up calls each. The layer call is \`callModel\` (daily-cap reservation, structured output from the zod schema, validation, one \`llm_calls\` row with redaction and the ledger settled in the same statement) on the local Postgres; outside Temporal, so activity scheduling is not included.`,
      '',
      '| | p50 | p95 |',
      '|---|---|---|',
      `| bare \`openai\` call | ${ms(percentile(b, 50))} ms | ${ms(percentile(b, 95))} ms |`,
      `| through the agent layer | ${ms(percentile(l, 50))} ms | ${ms(percentile(l, 95))} ms |`,
      `| overhead (paired, per call) | **${ms(percentile(paired, 50))} ms** | ${ms(percentile(paired, 95))} ms |`,
      '',
      `Target: ≤ 5 ms overhead at p50 — ${percentile(paired, 50) <= 5 ? 'met' : 'NOT met'}.`,
    ].join('\n');
    return { title: 'Agent layer: overhead per LLM call', markdown };
  } finally {
    await db.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`).catch(() => undefined);
    await db.end();
    await sim.close();
  }
}

if (require.main === module) {
  bench()
    .then((r) => process.stdout.write(`## ${r.title}\n\n${r.markdown}\n`))
    .catch((e: unknown) => {
      process.stderr.write(`agent layer bench failed: ${(e as Error).stack}\n`);
      process.exit(1);
    });
}
