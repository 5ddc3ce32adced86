/**
 * Jaeger as the real trace backend (issue 24 part 3, first slice): the worker's own OTLP/HTTP export path
 * (installTracing with an endpoint, BatchSpanProcessor + OTLPTraceExporter) delivers a GenAI span to Jaeger,
 * read back through Jaeger's query API; every Jaeger listener is on loopback.
 * A whole run in one trace, the secret scan and the collector-down case: src/pipelines/endToEnd/jaeger.test.ts.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { after, before, test } from 'node:test';
import { startJaeger, type Jaeger } from '../devstack/jaegerTools';
import { endChatSpan, startChatSpan } from '../activities/llm/tracing';
import { installTracing, shutdownTracing } from './tracing';

let j: Jaeger;
before(async () => {
  j = await startJaeger();
});
after(async () => {
  await shutdownTracing();
  await j?.stop();
});

test('every Jaeger listener binds 127.0.0.1', () => {
  const lines = execFileSync('ss', ['-ltnpH'], { encoding: 'utf8' }).split('\n').filter((l) => l.includes(`pid=${j.child.pid},`));
  assert.equal(lines.length, 6, lines.join('\n'));
  for (const l of lines) assert.match(l, /\s127\.0\.0\.1:\d+\s/, l);
});

test('a GenAI span exported through the worker OTLP path is in Jaeger with its semantic-convention attributes', async () => {
  assert.ok(installTracing({ endpoint: j.otlpEndpoint }));
  const span = startChatSpan({ provider: 'openai', model: 'sim-small', role: 'router', schemaName: 'requestTriage', temperature: 0, maxOutputTokens: 256 });
  endChatSpan(span, { responseModel: 'sim-small', inputTokens: 12, outputTokens: 7 });
  await shutdownTracing(); // flushes the batch
  let found: { tags: { key: string; value: unknown }[] } | undefined;
  for (let i = 0; i < 50 && !found; i++) {
    const body = (await (await fetch(`${j.queryUrl}/api/traces?service=breakwater`)).json()) as { data: { spans: { operationName: string; tags: { key: string; value: unknown }[] }[] }[] };
    found = body.data.flatMap((t) => t.spans).find((s) => s.operationName === 'chat sim-small');
    if (!found) await new Promise((r) => setTimeout(r, 200));
  }
  assert.ok(found, 'the span reached Jaeger');
  const tags = Object.fromEntries(found.tags.map((t) => [t.key, t.value]));
  assert.equal(tags['gen_ai.operation.name'], 'chat');
  assert.equal(tags['gen_ai.request.model'], 'sim-small');
  assert.equal(tags['gen_ai.usage.input_tokens'], 12);
  assert.equal(tags['gen_ai.usage.output_tokens'], 7);
});
