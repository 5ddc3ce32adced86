/**
 * Benchmark: what a tool call costs through Breakwater against a bare activity doing the same work, in one
 * run. The work is researchAgent's `saveNote` (one INSERT into Postgres) and `fetchPage` (no I/O). Through
 * Breakwater it is `runTool`: arguments validated, a `write` claims its fingerprint and marks it done, a
 * `tool_calls` row with redaction, the output validated, a span and a metric. Both are called as activity
 * functions outside Temporal: each is one activity either way, so Temporal's scheduling cost is the same
 * and left out. Calls alternate (bare, tool, bare, …) so drift hits both alike.
 */
import { randomBytes } from 'node:crypto';
import { loadConfig } from '../config';
import { ensureStack } from '../devstack/stack';
import { createToolActivities } from '../activities/tools';
import { researchToolImplementations } from '../pipelines/researchAgent/tools';
import { saveNote } from '../pipelines/researchAgent/store';
import { createPool } from '../store/db';
import { migrate } from '../store/migrate';
import { ms, percentile, type BenchSection } from './report';

export async function bench(o: { calls?: number; warmup?: number } = {}): Promise<BenchSection> {
  const calls = o.calls ?? 300;
  const warmup = o.warmup ?? 30;
  const schema = `bench_${randomBytes(4).toString('hex')}`;
  const url = process.env.DATABASE_URL ?? (await ensureStack()).postgres.url;
  const config = loadConfig({ ...process.env, DATABASE_URL: url, DATABASE_SCHEMA: schema });
  const db = createPool(config.database);
  try {
    await migrate(db, schema);
    const { runTool } = createToolActivities({ db, config, tools: researchToolImplementations(db) });
    const impl = researchToolImplementations(db);
    const fetchPage = impl.find((t) => t.spec.name === 'fetchPage')!;
    let n = 0;
    const note = (i: number) => ({ title: `note ${i}`, body: 'The moon drives tides.', source: 'https://docs.example/tides/1' });
    const cases = {
      write: {
        bare: async (i: number) => void (await saveNote(db, { key: `bare-${i}`, workflowId: 'bench', ...note(i) })),
        tool: async (i: number) => void (await runTool({ tool: 'saveNote', args: note(i), role: 'bench', turn: 1, callId: `c${i}`, run: `bench-${schema}` })),
      },
      read: {
        bare: async (i: number) => void (await fetchPage.run({ url: `https://docs.example/x/${i}` }, { idempotencyKey: 'k', run: 'bench', attempt: 1, signal: AbortSignal.timeout(10_000) })),
        tool: async (i: number) => void (await runTool({ tool: 'fetchPage', args: { url: `https://docs.example/x/${i}` }, role: 'bench', turn: 1, callId: `c${i}`, run: `bench-${schema}` })),
      },
    };
    const timed = async (f: (i: number) => Promise<void>) => {
      const i = (n += 1);
      const t0 = process.hrtime.bigint();
      await f(i);
      return Number(process.hrtime.bigint() - t0) / 1e6;
    };
    const rows: string[] = [];
    for (const [name, c] of Object.entries(cases)) {
      for (let i = 0; i < warmup; i++) {
        await timed(c.bare);
        await timed(c.tool);
      }
      const b: number[] = [];
      const t: number[] = [];
      for (let i = 0; i < calls; i++) {
        b.push(await timed(c.bare));
        t.push(await timed(c.tool));
      }
      const paired = t.map((x, i) => x - (b[i] ?? 0));
      const label = name === 'write' ? '`write` tool (saveNote: one INSERT)' : '`read` tool (fetchPage: no I/O)';
      rows.push(`| ${label} | ${ms(percentile(b, 50))} | ${ms(percentile(t, 50))} | **${ms(percentile(paired, 50))}** | ${ms(percentile(paired, 95))} |`);
    }
    const markdown = [
      `${calls} calls each, alternating, after ${warmup} warm-up calls each, on the local Postgres. "Bare" is an activity function doing the tool's work and nothing else; "through Breakwater" is \`runTool\` (argument and output validation, for a write the fingerprint claim and mark-done of the effect primitive, one \`tool_calls\` row with redaction, an \`execute_tool\` span, a per-tool metric). Both are one activity either way, so Temporal's scheduling (the same for both) is left out.`,
      '',
      '| tool | bare p50 | through Breakwater p50 | overhead p50 (paired) | overhead p95 |',
      '|---|---|---|---|---|',
      ...rows,
    ].join('\n');
    return { title: 'Tool calls: through Breakwater vs a bare activity', markdown };
  } finally {
    await db.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`).catch(() => undefined);
    await db.end();
  }
}

if (require.main === module) {
  bench()
    .then((r) => process.stdout.write(`## ${r.title}\n\n${r.markdown}\n`))
    .catch((e: unknown) => {
      process.stderr.write(`tool call bench failed: ${(e as Error).stack}\n`);
      process.exit(1);
    });
}
