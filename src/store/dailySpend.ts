/**
 * The global daily spend cap (all workflows, all workers; UTC days), kept in Postgres (`llm_daily_spend`).
 * Before a request is sent its worst-case cost is *reserved* in one atomic statement that succeeds only if
 * spent + reserved + estimate ≤ cap; after the answer the reservation is settled to the real cost. So no
 * request that could cross the cap is ever sent, however many workers race. A refused call throws
 * DailySpendCapError; the workflow pauses and nothing is lost.
 *
 * Each reservation is also a row of `llm_spend_reservations` with an expiry (the activity's start-to-close
 * timeout): a worker that dies mid-request leaks it only until then. The next reservation of the day
 * reclaims expired ones (under the day row's lock) before it checks the cap; a late settlement of an
 * expired reservation adds its cost and subtracts nothing twice.
 */
import { BreakwaterError, hasFailureCode } from '../errors';
import { Failure } from '../failures';
import { decimalToNano, nanoToDecimal, nanoToUsd } from '../deterministic/budget';
import type { DailyCapDetails } from '../contracts/agentCall';
import { inTransaction, type Db } from './db';

export class DailySpendCapError extends BreakwaterError {
  readonly code = Failure.LlmDailyCap.type;
  constructor(readonly details: DailyCapDetails) {
    super(
      `global daily LLM spend cap reached for ${details.day}: spent ${details.spentUsd} USD + in flight ${details.reservedUsd} USD + this call up to ${details.estimateUsd} USD > cap ${details.capUsd} USD`,
    );
  }
}
export const isDailySpendCapError = (e: unknown): e is DailySpendCapError => hasFailureCode(e, Failure.LlmDailyCap);

export interface Reservation {
  /** Its row in llm_spend_reservations. */
  id: number;
  day: string;
  estimateNano: number;
}

/** How long a reservation counts when the caller does not say (outside an activity). */
export const DEFAULT_RESERVATION_TTL_MS = 10 * 60_000;

/** The UTC day a timestamp falls on, as YYYY-MM-DD. */
export const utcDay = (at = new Date()): string => at.toISOString().slice(0, 10);

export function createDailyCap(db: Db, capUsd: number) {
  const capDecimal = nanoToDecimal(Math.round(capUsd * 1e9));

  return {
    /**
     * Reserves the worst case of one request, or throws DailySpendCapError. The reservation counts until it
     * is settled or `ttlMs` has passed (the activity's start-to-close timeout: after it the worker is gone).
     */
    async reserve(estimateNano: number, day = utcDay(), ttlMs = DEFAULT_RESERVATION_TTL_MS): Promise<Reservation> {
      const estimate = nanoToDecimal(estimateNano);
      const outcome = await inTransaction(db, async (c) => {
        // The day row's lock serializes racers; expired reservations (dead workers) stop counting first.
        // One statement makes the row and takes its lock: ON CONFLICT DO UPDATE locks the existing row, and
        // naming the key column in SET makes that the FOR UPDATE lock (a same-value write: a new row version) — what the
        // INSERT … DO NOTHING + SELECT … FOR UPDATE pair did in two round trips (issue 23, measured by
        // `npm run bench -- accounting`).
        // SKIP LOCKED: a reservation being settled right now is the settler's to release (no deadlock).
        await c.query('INSERT INTO llm_daily_spend (day) VALUES ($1) ON CONFLICT (day) DO UPDATE SET day = EXCLUDED.day', [day]);
        await c.query(
          `WITH expired AS (
             DELETE FROM llm_spend_reservations WHERE id IN (
               SELECT id FROM llm_spend_reservations WHERE day = $1 AND expires_at <= clock_timestamp() FOR UPDATE SKIP LOCKED)
             RETURNING estimate_usd)
           UPDATE llm_daily_spend SET reserved_usd = GREATEST(reserved_usd - (SELECT COALESCE(sum(estimate_usd), 0) FROM expired), 0) WHERE day = $1`,
          [day],
        );
        const { rows } = await c.query<{ id: string }>(
          `WITH reserved AS (
             UPDATE llm_daily_spend s SET reserved_usd = s.reserved_usd + $2::numeric
             WHERE day = $1 AND s.spent_usd + s.reserved_usd + $2::numeric <= COALESCE(s.cap_usd, $3::numeric) RETURNING day)
           INSERT INTO llm_spend_reservations (day, estimate_usd, expires_at)
           SELECT day, $2::numeric, clock_timestamp() + $4::int * interval '1 millisecond' FROM reserved RETURNING id`,
          [day, estimate, capDecimal, Math.max(1, Math.ceil(ttlMs))],
        );
        if (rows.length === 1) return { id: Number(rows[0]!.id), refused: undefined };
        const { rows: state } = await c.query<{ spent_usd: string; reserved_usd: string; cap: string }>(
          `UPDATE llm_daily_spend SET refusals = refusals + 1 WHERE day = $1
           RETURNING spent_usd::text, reserved_usd::text, COALESCE(cap_usd, $2::numeric)::text AS cap`,
          [day, capDecimal],
        );
        return { id: undefined, refused: state[0] };
      });
      if (outcome.id !== undefined) return { id: outcome.id, day, estimateNano };
      const s = outcome.refused;
      throw new DailySpendCapError({
        day,
        capUsd: nanoToUsd(decimalToNano(s?.cap ?? capDecimal)),
        spentUsd: nanoToUsd(decimalToNano(s?.spent_usd ?? '0')),
        reservedUsd: nanoToUsd(decimalToNano(s?.reserved_usd ?? '0')),
        estimateUsd: nanoToUsd(estimateNano),
      });
    },

    /**
     * CTEs (and their parameters, from `$first`) that settle a reservation, for a `WITH` next to the llm_calls
     * insert: the reservation is released if it still counts (not reclaimed as expired), the cost is added.
     */
    settleSql(first: number): string {
      return `released AS (DELETE FROM llm_spend_reservations WHERE id = $${first}::bigint RETURNING estimate_usd),
        settle AS (UPDATE llm_daily_spend SET reserved_usd = GREATEST(reserved_usd - COALESCE((SELECT sum(estimate_usd) FROM released), 0), 0),
          spent_usd = spent_usd + $${first + 1}::numeric WHERE day = $${first + 2}::date)`;
    },
    settleParams(r: Reservation, actualNano: number): unknown[] {
      return [r.id, nanoToDecimal(actualNano), r.day];
    },

    async today(day = utcDay()): Promise<{ spentUsd: number; reservedUsd: number; capUsd: number }> {
      // Reserved: what live reservations hold (an expired one no longer counts, even before it is reclaimed).
      const { rows } = await db.query<{ spent_usd: string; reserved_usd: string; cap: string }>(
        `SELECT spent_usd::text, (SELECT COALESCE(sum(estimate_usd), 0) FROM llm_spend_reservations r WHERE r.day = s.day AND r.expires_at > clock_timestamp())::text AS reserved_usd,
           COALESCE(cap_usd, $2::numeric)::text AS cap FROM llm_daily_spend s WHERE day = $1`,
        [day, capDecimal],
      );
      const r = rows[0];
      return {
        spentUsd: nanoToUsd(decimalToNano(r?.spent_usd ?? '0')),
        reservedUsd: nanoToUsd(decimalToNano(r?.reserved_usd ?? '0')),
        capUsd: nanoToUsd(decimalToNano(r?.cap ?? capDecimal)),
      };
    },
  };
}
export type DailyCap = ReturnType<typeof createDailyCap>;
