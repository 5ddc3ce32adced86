/**
 * Broker figures per external API, read from the ledger: requests admitted per minute, time spent queued,
 * 429s received. `breakwater broker status` prints them; the metrics exporter can publish the same object.
 */
import { maxInAnyWindow } from '../deterministic/rollingWindow';
import type { Db } from './db';

export interface MinuteFigures {
  /** Start of the minute (ISO, UTC). */
  minute: string;
  admitted: number;
  rateLimited: number;
}

export interface ApiBrokerStats {
  api: string;
  /** The quota last written by a worker; undefined when only unlimited calls were seen. */
  limit?: { perWindow: number; windowMs: number; marginMs: number; pausedUntil: string | null };
  sinceMinutes: number;
  /** Calls by slot time in the period, by what the API answered. */
  calls: { total: number; ok: number; rateLimited: number; errors: number; pending: number };
  /** Share of answered calls that were 429s, 0..1. */
  rateLimitedRatio: number;
  /** Calls whose slot fell in the last window (the figure the provider compares to its limit). */
  admittedInCurrentWindow: number;
  /** The largest number of calls in any rolling window of the period (must stay ≤ the limit). */
  maxInAnyWindow: number;
  perMinute: MinuteFigures[];
  queuedMs: { avg: number; p95: number; max: number };
}

export interface BrokerStatsQuery {
  api?: string;
  /** How far back to look (default 60 minutes). */
  sinceMinutes?: number;
}

const DEFAULT_WINDOW_MS = 60_000;

export async function getBrokerStats(db: Db, query: BrokerStatsQuery = {}): Promise<ApiBrokerStats[]> {
  const sinceMinutes = query.sinceMinutes ?? 60;
  const api = query.api ?? null;
  const [calls, buckets] = await Promise.all([
    db.query<{ api: string; slot_ms: string; queued_ms: number; outcome: string }>(
      `SELECT api, (EXTRACT(EPOCH FROM slot_at) * 1000)::bigint AS slot_ms, queued_ms, outcome FROM broker_calls
       WHERE slot_at > clock_timestamp() - make_interval(mins => $1) AND ($2::text IS NULL OR api = $2) ORDER BY api, slot_at`,
      [sinceMinutes, api],
    ),
    db.query<{ api: string; limit_per_window: number; window_ms: number; margin_ms: number; paused_until: Date | null }>(
      `SELECT api, limit_per_window, window_ms, margin_ms, paused_until FROM broker_buckets WHERE ($1::text IS NULL OR api = $1) ORDER BY api`,
      [api],
    ),
  ]);
  const nowMs = Number((await db.query<{ now_ms: string }>(`SELECT (EXTRACT(EPOCH FROM clock_timestamp()) * 1000)::bigint AS now_ms`)).rows[0]!.now_ms);

  const apis = [...new Set([...buckets.rows.map((b) => b.api), ...calls.rows.map((c) => c.api)])].sort();
  return apis.map((name) => {
    const bucket = buckets.rows.find((b) => b.api === name);
    const rows = calls.rows.filter((c) => c.api === name);
    const windowMs = bucket?.window_ms ?? DEFAULT_WINDOW_MS;
    const slots = rows.map((r) => Number(r.slot_ms));
    const count = (o: string) => rows.filter((r) => r.outcome === o).length;
    const ok = count('ok');
    const rateLimited = count('rate-limited');
    const errors = count('error');
    const queued = rows.map((r) => r.queued_ms).sort((a, b) => a - b);
    return {
      api: name,
      ...(bucket && {
        limit: {
          perWindow: bucket.limit_per_window,
          windowMs: bucket.window_ms,
          marginMs: bucket.margin_ms,
          pausedUntil: bucket.paused_until && bucket.paused_until.getTime() > nowMs ? bucket.paused_until.toISOString() : null,
        },
      }),
      sinceMinutes,
      calls: { total: rows.length, ok, rateLimited, errors, pending: count('pending') },
      rateLimitedRatio: ok + rateLimited + errors === 0 ? 0 : rateLimited / (ok + rateLimited + errors),
      admittedInCurrentWindow: slots.filter((s) => s > nowMs - windowMs && s <= nowMs).length,
      maxInAnyWindow: maxInAnyWindow(slots, windowMs),
      perMinute: perMinute(rows.map((r) => ({ slotMs: Number(r.slot_ms), outcome: r.outcome }))),
      queuedMs: {
        avg: queued.length ? Math.round(queued.reduce((a, b) => a + b, 0) / queued.length) : 0,
        p95: queued.length ? (queued[Math.min(queued.length - 1, Math.ceil(queued.length * 0.95) - 1)] as number) : 0,
        max: queued.length ? (queued[queued.length - 1] as number) : 0,
      },
    };
  });
}

function perMinute(rows: { slotMs: number; outcome: string }[]): MinuteFigures[] {
  const byMinute = new Map<number, MinuteFigures>();
  for (const r of rows) {
    const start = Math.floor(r.slotMs / 60_000) * 60_000;
    const m = byMinute.get(start) ?? { minute: new Date(start).toISOString(), admitted: 0, rateLimited: 0 };
    // "Admitted" = sent to the API (every ledger row is a request that went out, or is about to).
    m.admitted += 1;
    if (r.outcome === 'rate-limited') m.rateLimited += 1;
    byMinute.set(start, m);
  }
  return [...byMinute.entries()].sort((a, b) => a[0] - b[0]).map(([, m]) => m);
}
