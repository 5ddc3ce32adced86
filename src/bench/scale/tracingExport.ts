/**
 * Part 5 — tracing with OTLP/HTTP export inside the timed window: two Breakwater worker processes on the
 * same stack, one with OTEL_EXPORTER_OTLP_ENDPOINT pointing at a receiver on loopback (spans batched and
 * POSTed every 200 ms, so export runs during the measured rounds), one without (the production default:
 * workflow spans reach the sink and are dropped). Rounds of `concurrency` agentDecision runs alternate
 * between them (ABBA); the figure is the mean run time and the rounds' total wall time.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { percentile } from '../report';
import { spawnWorker } from './fleet';
import { runLoad } from './load';
import { startScaleStack } from './stack';

export interface TracingFigures {
  rounds: number;
  concurrency: number;
  llmDelayMs: number;
  on: { runs: number; meanMs: number; p50: number; p99: number; wallMs: number };
  off: { runs: number; meanMs: number; p50: number; p99: number; wallMs: number };
  exportRequests: number;
  exportBytes: number;
}

async function startReceiver() {
  const got = { requests: 0, bytes: 0 };
  const server = http.createServer((req, res) => {
    req.on('data', (d: Buffer) => (got.bytes += d.length));
    req.on('end', () => {
      if (req.url?.startsWith('/v1/traces')) got.requests += 1;
      res.writeHead(200, { 'content-type': 'application/x-protobuf' }).end();
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, got, close: () => new Promise<void>((r) => server.close(() => r())) };
}

export async function measureTracing(o: { rounds: number; concurrency: number; llmDelayMs: number }): Promise<TracingFigures> {
  const receiver = await startReceiver();
  const s = await startScaleStack({ llmDelayMs: o.llmDelayMs, portalLatencyMs: 0 });
  const env = { PORTAL_URL: s.portal.url, OTEL_BSP_SCHEDULE_DELAY: '200' };
  const on = await spawnWorker(s.t.stack, { mode: 'breakwater', taskQueue: 'trace-on', bareBundle: s.bareBundle, env: { ...env, OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url } });
  const off = await spawnWorker(s.t.stack, { mode: 'breakwater', taskQueue: 'trace-off', bareBundle: s.bareBundle, env });
  const times = { on: [] as number[], off: [] as number[] };
  const wall = { on: 0, off: 0 };
  try {
    const client = s.t.stack.env.client;
    for (const m of ['on', 'off'] as const) await runLoad({ client, pipeline: 'agentDecision', mode: 'breakwater', taskQueue: `trace-${m}`, n: o.concurrency, tag: `trace-warm-${m}` });
    receiver.got.requests = 0;
    receiver.got.bytes = 0;
    for (let i = 0; i < o.rounds; i++) {
      for (const m of i % 2 ? (['off', 'on'] as const) : (['on', 'off'] as const)) {
        const t0 = performance.now();
        const f = await runLoad({ client, pipeline: 'agentDecision', mode: 'breakwater', taskQueue: `trace-${m}`, n: o.concurrency, tag: `trace-${m}-${i}`, collect: times[m] });
        wall[m] += performance.now() - t0;
        if (f.completed !== o.concurrency) throw new Error(`tracing: ${f.completed}/${o.concurrency} runs completed (${f.firstError})`);
      }
    }
  } finally {
    await on.stop();
    await off.stop();
    await s.stop();
    await receiver.close();
  }
  const fig = (xs: number[], w: number) => ({ runs: xs.length, meanMs: xs.reduce((a, x) => a + x, 0) / xs.length, p50: percentile(xs, 50), p99: percentile(xs, 99), wallMs: w });
  return { rounds: o.rounds, concurrency: o.concurrency, llmDelayMs: o.llmDelayMs, on: fig(times.on, wall.on), off: fig(times.off, wall.off), exportRequests: receiver.got.requests, exportBytes: receiver.got.bytes };
}
