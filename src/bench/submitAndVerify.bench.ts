/**
 * What the guards cost: submitAndVerify (fingerprint + breaker + verify) vs a bare Temporal workflow
 * making the same portal calls (src/workflows/bareSubmit.ts), in the same run, on the same dev server,
 * Postgres and portal simulator (latency 50 ms, lag 0). Plus the fingerprint check on its own.
 */
import { performance } from 'node:perf_hooks';
import { createFingerprintStore } from '../store/fingerprints';
import { createPortalClient } from '../pipelines/submitAndVerify/portalClient';
import type { SubmitAndVerifyInput } from '../pipelines/submitAndVerify/contract';
import { effectKey } from '../contracts/effect';
import { PORTAL_EFFECT_NAME } from '../pipelines/submitAndVerify/contract';
import { startPortalSimulator } from '../simulators/portal';
import { startTestStack } from '../pipelines/testKit';
import { bareSubmit } from './bareSubmit';
import { startSubmitAndVerify } from '../pipelines/submitAndVerify/client';

const SEQUENTIAL_RUNS = 40;
const CONCURRENT_RUNS = 20;
const FINGERPRINT_CHECKS = 300;
const BATCH_ROUNDS = 5;

const pct = (xs: number[], p: number): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil((p / 100) * s.length) - 1))] ?? NaN;
};
const ms = (x: number) => x.toFixed(1);

export async function bench(): Promise<{ title: string; markdown: string }> {
  const portal = await startPortalSimulator({ lagMs: 0, latencyMs: 50 });
  const stack = await startTestStack({ env: { PORTAL_URL: portal.url } });
  const client = createPortalClient({ baseUrl: portal.url });
  const worker = await stack.createWorker({
    activities: {
      barePortalPost: (req: { recordId: string; entityId: string; payload: unknown }) => client.submit(req),
      barePortalFind: (recordId: string) => client.find(recordId),
    },
  });
  const running = worker.run();
  const tag = Date.now().toString(36);
  let n = 0;
  const guardedInput = (): SubmitAndVerifyInput => ({
    recordId: `BENCH-${tag}-${++n}`,
    entityId: 'E',
    businessDate: '2025-01-01',
    payload: { n },
    options: { verifyDelay: 0, verifyDeadline: '30s', pollBackoff: { initial: 100, factor: 1, max: 100 } },
  });
  const runGuarded = async () => {
    const i = guardedInput();
    const t0 = performance.now();
    const handle = await startSubmitAndVerify(stack.env.client, i, { taskQueue: stack.taskQueue, workflowId: `bench-g-${i.recordId}` });
    const r = await handle.result();
    if (r.status !== 'VERIFIED') throw new Error(`bench: ${i.recordId} ${r.status}`);
    return performance.now() - t0;
  };
  const runBare = async () => {
    const recordId = `BENCH-${tag}-${++n}`;
    const t0 = performance.now();
    await stack.env.client.workflow.execute(bareSubmit, { taskQueue: stack.taskQueue, workflowId: `bench-b-${recordId}`, args: [{ recordId, entityId: 'E', payload: { n } }] });
    return performance.now() - t0;
  };

  try {
    for (let i = 0; i < 3; i++) await Promise.all([runGuarded(), runBare()]); // warm up both paths
    const guarded: number[] = [];
    const bare: number[] = [];
    for (let i = 0; i < SEQUENTIAL_RUNS; i++) {
      // Interleaved, so drift in the machine's load hits both alike.
      guarded.push(await runGuarded());
      bare.push(await runBare());
    }
    const batch = async (one: () => Promise<number>) => {
      const t0 = performance.now();
      await Promise.all(Array.from({ length: CONCURRENT_RUNS }, one));
      return performance.now() - t0;
    };
    // Batches alternate, BATCH_ROUNDS each; the median round counts (one batch alone is noisy).
    const guardedBatches: number[] = [];
    const bareBatches: number[] = [];
    for (let i = 0; i < BATCH_ROUNDS; i++) {
      bareBatches.push(await batch(runBare));
      guardedBatches.push(await batch(runGuarded));
    }
    const guardedBatch = pct(guardedBatches, 50);
    const bareBatch = pct(bareBatches, 50);

    // The fingerprint check alone: the lookup every attempt makes before anything else.
    const store = createFingerprintStore(stack.db);
    const key = effectKey(PORTAL_EFFECT_NAME, { recordId: `BENCH-${tag}-1`, entityId: 'E', businessDate: '2025-01-01' });
    const checks: number[] = [];
    for (let i = 0; i < FINGERPRINT_CHECKS; i++) {
      const t0 = performance.now();
      await store.lookup(key, { n: 1 });
      checks.push(performance.now() - t0);
    }

    const overheadP50 = ((pct(guarded, 50) - pct(bare, 50)) / pct(bare, 50)) * 100;
    const overheadBatch = ((guardedBatch - bareBatch) / bareBatch) * 100;
    const markdown = [
      `Portal simulator latency 50 ms, lag 0; verify delay 0; one dev server, one worker, local Postgres; ${SEQUENTIAL_RUNS} sequential runs each (interleaved) and ${BATCH_ROUNDS} alternating batches of ${CONCURRENT_RUNS} concurrent runs each, all in one run.`,
      '',
      `| workflow | p50 ms | p95 ms | max ms | batch of ${CONCURRENT_RUNS} concurrent, wall ms (median of ${BATCH_ROUNDS}) |`,
      '|---|---:|---:|---:|---:|',
      `| bare (POST + GET, no guards) | ${ms(pct(bare, 50))} | ${ms(pct(bare, 95))} | ${ms(Math.max(...bare))} | ${ms(bareBatch)} |`,
      `| submitAndVerify (fingerprint + breaker + verify) | ${ms(pct(guarded, 50))} | ${ms(pct(guarded, 95))} | ${ms(Math.max(...guarded))} | ${ms(guardedBatch)} |`,
      '',
      `Guard overhead: **${overheadP50.toFixed(1)} %** at p50 per run, ${overheadBatch.toFixed(1)} % on the concurrent batch (target ≤ 10 %).`,
      '',
      `Fingerprint check (one indexed SELECT with payload comparison, ${FINGERPRINT_CHECKS} samples): p50 **${ms(pct(checks, 50))} ms**, p95 ${ms(pct(checks, 95))} ms.`,
    ].join('\n');
    return { title: 'Submit-and-verify: the cost of the guards', markdown };
  } finally {
    worker.shutdown();
    await running;
    await stack.teardown();
    await portal.close();
  }
}

if (require.main === module) {
  bench().then(
    (r) => process.stdout.write(`## ${r.title}\n\n${r.markdown}\n`),
    (e: unknown) => {
      process.stderr.write(`${(e as Error).stack}\n`);
      process.exit(1);
    },
  );
}
