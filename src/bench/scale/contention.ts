/**
 * Part 3 — shared-row contention: W worker processes × C calls through one breaker row, one broker bucket
 * and one day's daily-cap ledger (./contentionChild.ts), all starting together on a fresh schema. The
 * parent samples pg_stat_activity every 20 ms for the workers' backends waiting on a lock, then checks from
 * the database that nothing was lost or doubled: every failure counted on the breaker row, every broker
 * slot granted once and no rolling window over its limit, and exactly the calls the cap allows admitted,
 * each recorded once, with the ledger settled to the cent. The same calls from one process are the
 * uncontended baseline (bare Temporal has no shared rows: its cost there is nil by construction).
 */
import { fork } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { loadConfig } from '../../config';
import { maxInAnyWindow } from '../../deterministic/rollingWindow';
import { createPool } from '../../store/db';
import { dropSchema, migrate } from '../../store/migrate';
import { CONTENTION, CONTENTION_APP, type ChildResult, type Timings } from './contentionChild';

export interface Check {
  name: string;
  expected: string;
  actual: string;
  ok: boolean;
}

export interface ContentionFigures {
  workers: number;
  calls: number;
  wallMs: number;
  timings: Timings;
  samples: number;
  samplesWithWaiters: number;
  maxWaiters: number;
  waitEvents: Record<string, number>;
  checks: Check[];
}

const check = (name: string, expected: unknown, actual: unknown): Check => ({ name, expected: String(expected), actual: String(actual), ok: String(expected) === String(actual) });

export async function measureContention(o: { workers: number; calls: number }): Promise<ContentionFigures> {
  const url = process.env.DATABASE_URL!;
  const schema = `scale_${randomBytes(4).toString('hex')}`;
  const db = createPool(loadConfig({ DATABASE_URL: url, DATABASE_SCHEMA: schema }).database, { max: 2 });
  const total = o.workers * o.calls;
  const allowed = Math.floor(total * 0.75);
  const capUsd = (allowed * CONTENTION.estimateNano) / 1e9;
  try {
    await migrate(db, schema);
    const children = await Promise.all(
      Array.from({ length: o.workers }, async (_, worker) => {
        const env = { ...(process.env as Record<string, string>), DATABASE_URL: url, DATABASE_SCHEMA: schema, SCALE_WORKER: String(worker), SCALE_CALLS: String(o.calls), SCALE_CAP_USD: String(capUsd), LOG_LEVEL: 'error' };
        const child = fork(path.resolve(__dirname, 'contentionChild.js'), [], { env, stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
        const result = new Promise<ChildResult>((resolve, reject) => {
          child.once('message', (m: ChildResult) => resolve(m));
          child.once('exit', (code) => (code ? reject(new Error(`contention worker ${worker} exited ${code}`)) : undefined));
        });
        await new Promise((r) => child.once('spawn', r));
        return { child, result };
      }),
    );
    await new Promise((r) => setTimeout(r, 1500)); // let every process connect before the go
    const sampling = { on: true, samples: 0, withWaiters: 0, max: 0, events: {} as Record<string, number> };
    const sampler = (async () => {
      while (sampling.on) {
        const { rows } = await db.query<{ wait_event: string; n: string }>(
          `SELECT wait_event, count(*) AS n FROM pg_stat_activity WHERE application_name = $1 AND wait_event_type = 'Lock' GROUP BY wait_event`,
          [CONTENTION_APP],
        );
        const waiting = rows.reduce((a, r) => a + Number(r.n), 0);
        sampling.samples += 1;
        if (waiting) sampling.withWaiters += 1;
        sampling.max = Math.max(sampling.max, waiting);
        for (const r of rows) sampling.events[r.wait_event] = (sampling.events[r.wait_event] ?? 0) + Number(r.n);
        await new Promise((r) => setTimeout(r, 20));
      }
    })();
    const t0 = performance.now();
    for (const c of children) c.child.send('go');
    const results = await Promise.all(children.map((c) => c.result));
    const wallMs = performance.now() - t0;
    sampling.on = false;
    await sampler;

    const timings: Timings = { breakerRead: [], breakerFailure: [], brokerReserve: [], brokerComplete: [], capReserve: [], capRecord: [] };
    for (const r of results) for (const k of Object.keys(timings) as (keyof Timings)[]) timings[k].push(...r.timings[k]);
    const admitted = results.reduce((a, r) => a + r.admitted, 0);
    const refused = results.reduce((a, r) => a + r.refused, 0);
    const tickets = results.flatMap((r) => r.tickets);
    const q = async <T>(sql: string, params: unknown[] = []) => (await db.query(sql, params)).rows[0] as T;
    const { pipeline, step, api, day, limit, estimateNano } = CONTENTION;
    const breaker = await q<{ n: number; events: string }>(`SELECT consecutive_failures AS n, (SELECT count(*) FROM circuit_breaker_events WHERE pipeline = $1 AND step = $2 AND kind = 'failure') AS events FROM circuit_breakers WHERE pipeline = $1 AND step = $2`, [pipeline, step]);
    const broker = await q<{ n: string; ids: string; calls: string; pending: string }>(
      `SELECT count(*) AS n, count(DISTINCT id) AS ids, count(DISTINCT activity_id) AS calls, count(*) FILTER (WHERE outcome <> 'ok') AS pending FROM broker_calls WHERE api = $1`,
      [api],
    );
    const slots = (await db.query<{ ms: number }>(`SELECT EXTRACT(EPOCH FROM slot_at) * 1000 AS ms FROM broker_calls WHERE api = $1`, [api])).rows.map((r) => Number(r.ms));
    const ledger = await q<{ spent: string; reserved: string; refusals: number; open: string; rows: string; distinct_calls: string }>(
      `SELECT spent_usd::text AS spent, reserved_usd::text AS reserved, refusals,
         (SELECT count(*) FROM llm_spend_reservations WHERE day = $1) AS open,
         (SELECT count(*) FROM llm_calls WHERE workflow_id = 'scale-contention') AS rows,
         (SELECT count(DISTINCT activity_id) FROM llm_calls WHERE workflow_id = 'scale-contention') AS distinct_calls
       FROM llm_daily_spend WHERE day = $1`,
      [day],
    );
    const usd = (nano: number) => (nano / 1e9).toFixed(9);
    const checks = [
      check('breaker: every failure counted once on the shared row (consecutive_failures)', total, breaker?.n),
      check('breaker: one failure event per call', total, breaker?.events),
      check('broker: one ledger row per call, no call twice', `${total}/${total}`, `${broker.n}/${broker.calls}`),
      check('broker: every ticket the workers got is a distinct row', total, new Set(tickets).size),
      check('broker: no call left pending', 0, broker.pending),
      check(`broker: most slots in any rolling ${limit.windowMs / 1000} s (limit ${limit.limit})`, Math.min(limit.limit, total), maxInAnyWindow(slots, limit.windowMs)),
      check('daily cap: calls admitted = what the cap allows', allowed, admitted),
      check('daily cap: calls refused (workers) = refusals (ledger)', total - allowed, `${refused}`),
      check('daily cap: refusals counted by the ledger', total - allowed, ledger?.refusals),
      check('daily cap: one llm_calls row per admitted call, none twice', `${allowed}/${allowed}`, `${ledger?.rows}/${ledger?.distinct_calls}`),
      check('daily cap: spent = admitted × estimate (USD)', usd(allowed * estimateNano), Number(ledger?.spent).toFixed(9)),
      check('daily cap: nothing left reserved', `${Number(0).toFixed(9)}/0`, `${Number(ledger?.reserved).toFixed(9)}/${ledger?.open}`),
    ];
    return { workers: o.workers, calls: o.calls, wallMs, timings, samples: sampling.samples, samplesWithWaiters: sampling.withWaiters, maxWaiters: sampling.max, waitEvents: sampling.events, checks };
  } finally {
    await dropSchema(db, schema).catch(() => undefined);
    await db.end();
  }
}
