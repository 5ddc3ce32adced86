/**
 * One of the contention part's worker processes (forked by ./contention.ts): `SCALE_CALLS` guarded calls
 * in a row, each through the same three shared rows every worker uses — the step's breaker row (read, then
 * a failure counted), the API's broker bucket (a slot reserved, then completed) and the day's daily-cap
 * ledger (a reservation, then the llm_calls record that settles it) — timing each statement. Reports the
 * timings and what it was granted to the parent over IPC; the parent checks the database.
 */
import { getConfig } from '../../config';
import { createCircuitBreakerStore } from '../../store/circuitBreakers';
import { createRollingBucket } from '../../store/brokerBucket';
import { createDailyCap, isDailySpendCapError } from '../../store/dailySpend';
import { createCallRecorder } from '../../store/llmCalls';
import { createPool } from '../../store/db';

export const CONTENTION = { pipeline: 'scaleBench', step: 'shared', api: 'scale-api', day: '2099-01-01', limit: { limit: 100, windowMs: 60_000, marginMs: 0 }, estimateNano: 1_000_000 };
export const CONTENTION_APP = 'bw-scale-contention';

export type Timings = Record<'breakerRead' | 'breakerFailure' | 'brokerReserve' | 'brokerComplete' | 'capReserve' | 'capRecord', number[]>;
export interface ChildResult {
  worker: number;
  timings: Timings;
  admitted: number;
  refused: number;
  tickets: number[];
}

async function main(): Promise<void> {
  const worker = Number(process.env.SCALE_WORKER);
  const calls = Number(process.env.SCALE_CALLS);
  const capUsd = Number(process.env.SCALE_CAP_USD);
  const config = getConfig();
  const db = createPool(config.database, { max: 2, application_name: CONTENTION_APP });
  const breakers = createCircuitBreakerStore(db);
  const bucket = createRollingBucket(db);
  const cap = createDailyCap(db, capUsd);
  const recorder = createCallRecorder(db, cap);
  const timings: Timings = { breakerRead: [], breakerFailure: [], brokerReserve: [], brokerComplete: [], capReserve: [], capRecord: [] };
  const timed = async <T>(k: keyof Timings, f: () => Promise<T>): Promise<T> => {
    const t0 = performance.now();
    try {
      return await f();
    } finally {
      timings[k].push(performance.now() - t0);
    }
  };
  const result: ChildResult = { worker, timings, admitted: 0, refused: 0, tickets: [] };
  // All processes start their calls together (the parent says go), so the contention is real.
  await new Promise<void>((resolve) => process.once('message', () => resolve()));
  const { pipeline, step, api, day, limit, estimateNano } = CONTENTION;
  for (let i = 0; i < calls; i++) {
    const id = `w${worker}-c${i}`;
    await timed('breakerRead', () => breakers.get(pipeline, step));
    await timed('breakerFailure', () => breakers.recordFailure(pipeline, step, { error: `bench failure ${id}`, at: new Date().toISOString() }, id));
    const ticket = await timed('brokerReserve', () => bucket.reserve(api, limit, { workflowId: 'scale-contention', activityId: id, attempt: 1 }));
    result.tickets.push(ticket.id);
    await timed('brokerComplete', () => bucket.complete(ticket.id, { outcome: 'ok', httpStatus: 200 }));
    let reservation;
    try {
      reservation = await timed('capReserve', () => cap.reserve(estimateNano, day, 60_000));
    } catch (e) {
      if (!isDailySpendCapError(e)) throw e;
      result.refused += 1;
      continue;
    }
    result.admitted += 1;
    await timed('capRecord', () =>
      recorder.record(
        { ctx: { workflowId: 'scale-contention', runId: null, activityId: id, attempt: 1 }, repair: 0, role: 'bench', model: 'sim-small', schemaName: 'bench', outcome: 'ok', messages: [], price: { inputNanoPerToken: 0, outputNanoPerToken: 0 }, costNanoUsd: estimateNano },
        reservation,
      ),
    );
  }
  process.send?.(result);
  await db.end();
}

if (require.main === module) {
  main().catch((e: unknown) => {
    process.stderr.write(`contention worker: ${(e as Error).stack ?? String(e)}\n`);
    process.exit(1);
  });
}
