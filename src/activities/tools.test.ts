/**
 * runTool outside Temporal (as the bench calls it), on a real Postgres schema with an in-memory
 * OpenTelemetry exporter: the execute_tool span (GenAI semantic conventions), the per-tool metric, the
 * tool_calls row with its arguments redacted, a write once per fingerprint, and bad calls.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, test } from 'node:test';
import { trace } from '@opentelemetry/api';
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { ApplicationFailure } from '@temporalio/common';
import { z } from 'zod';
import { loadConfig } from '../config';
import { ensureStack } from '../devstack/stack';
import { defineTool } from '../contracts/tool';
import { metricsRegistry } from '../observability/metrics';
import { registerSecrets } from '../redact';
import { createPool, type Db } from '../store/db';
import { migrate } from '../store/migrate';
import { createToolActivities, implementTool, ToolError } from './tools';

const exporter = new InMemorySpanExporter();
const provider = new BasicTracerProvider();
provider.addSpanProcessor(new SimpleSpanProcessor(exporter));
trace.setGlobalTracerProvider(provider);

const schema = `t_${randomBytes(6).toString('hex')}`;
const SECRET = 'sk-tooltest-SECRET-0123456789';
let db: Db;
let writes = 0;
const lookup = defineTool({ name: 'lookup', description: 'Look up.', input: z.strictObject({ q: z.string(), token: z.string() }), output: z.strictObject({ hit: z.string() }), effect: 'read' });
const write = defineTool({ name: 'write', description: 'Write.', input: z.strictObject({ a: z.number(), b: z.number() }), output: z.strictObject({ n: z.number() }), effect: 'write' });
const broken = defineTool({ name: 'broken', description: 'Broken.', input: z.strictObject({}), output: z.strictObject({ ok: z.boolean() }), effect: 'read' });
const refusing = defineTool({ name: 'refusing', description: 'Refuses.', input: z.strictObject({}), output: z.unknown(), effect: 'read' });
let acts: ReturnType<typeof createToolActivities>;
const call = (tool: string, args: Record<string, unknown>, callId = 'c1') => acts.runTool({ tool, args, role: 'r', turn: 1, callId, run: `run-${schema}` });

before(async () => {
  const url = process.env.DATABASE_URL ?? (await ensureStack()).postgres.url;
  const config = loadConfig({ ...process.env, DATABASE_URL: url, DATABASE_SCHEMA: schema });
  db = createPool(config.database);
  await migrate(db, schema);
  registerSecrets(SECRET);
  acts = createToolActivities({
    db,
    config,
    tools: [
      implementTool(lookup, async ({ q }) => ({ hit: `found ${q}` })),
      implementTool(write, async ({ a, b }) => ({ n: (writes += 1) && a + b })),
      implementTool(broken, async () => ({ ok: 'yes' }) as never),
      implementTool(refusing, async () => {
        throw new ToolError('not allowed today');
      }),
    ],
  });
});
after(async () => {
  await db?.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`).catch(() => undefined);
  await db?.end();
});

test('a read: execute_tool span with the GenAI attributes, a tool_calls row with the secret masked, a metric', async () => {
  exporter.reset();
  const r = await call('lookup', { q: 'tides', token: SECRET });
  assert.deepEqual([r.output, r.via], [{ hit: 'found tides' }, 'ran']);
  const span = exporter.getFinishedSpans().find((s) => s.name === 'execute_tool lookup')!;
  assert.ok(span);
  assert.equal(span.attributes['gen_ai.operation.name'], 'execute_tool');
  assert.equal(span.attributes['gen_ai.tool.name'], 'lookup');
  assert.equal(span.attributes['gen_ai.tool.call.id'], 'c1');
  const { rows } = await db.query<{ arguments: { q: string; token: string }; status: string; result_bytes: number }>("SELECT arguments, status, result_bytes FROM tool_calls WHERE tool = 'lookup'");
  assert.equal(rows.length, 1);
  assert.deepEqual([rows[0]!.arguments.q, rows[0]!.status, rows[0]!.result_bytes], ['tides', 'ran', r.resultBytes]);
  assert.ok(!JSON.stringify(rows).includes(SECRET), 'the secret is not stored');
  assert.match(await metricsRegistry.getSingleMetricAsString('breakwater_tool_calls_total'), /tool="lookup",status="ran"} 1/);
});

test('a write runs once per (run, tool, canonical arguments): the same arguments in another order get the stored result', async () => {
  const before = writes;
  const first = await call('write', { a: 1, b: 2 }, 'w1');
  const again = await call('write', { b: 2, a: 1 }, 'w2');
  assert.deepEqual([first.via, again.via, again.output], ['ran', 'cached', { n: 3 }]);
  assert.equal(writes - before, 1);
  const other = await call('write', { a: 2, b: 2 }, 'w3');
  assert.equal(other.via, 'ran');
});

test('unknown tool, invalid arguments, bad output and a refusal are typed failures', async () => {
  const type = async (p: Promise<unknown>) => ((await p.then(() => undefined, (e: unknown) => e)) as ApplicationFailure | undefined)?.type;
  assert.equal(await type(call('nope', {})), 'BW_TOOL_UNKNOWN');
  assert.equal(await type(call('write', { a: 'x' })), 'BW_INVALID_INPUT');
  assert.equal(await type(call('broken', {})), 'BW_TOOL_BAD_OUTPUT');
  assert.equal(await type(call('refusing', {})), 'BW_TOOL_REFUSED');
});
