/**
 * The global daily spend cap (all workflows, all workers; UTC days), kept in Postgres (`llm_daily_spend`).
 * Before a request is sent its worst-case cost is *reserved* in one atomic statement that succeeds only if
 * spent + reserved + estimate ≤ cap; after the answer the reservation is settled to the real cost. So no
 * request that could cross the cap is ever sent, however many workers race. A refused call throws
 * DailySpendCapError; the workflow pauses and nothing is lost.
 *
 * A reservation leaked by a worker that died mid-request stays counted until the day ends: it errs on
 * the side of spending less.
 */
import { BreakwaterError, hasFailureCode } from '../errors';
import { Failure } from '../failures';
import { decimalToNano, nanoToDecimal, nanoToUsd } from '../deterministic/budget';
import type { DailyCapDetails } from '../contracts/agentCall';
import type { Db } from './db';

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
  day: string;
  estimateNano: number;
}

/** The UTC day a timestamp falls on, as YYYY-MM-DD. */
export const utcDay = (at = new Date()): string => at.toISOString().slice(0, 10);

export function createDailyCap(db: Db, capUsd: number) {
  const capDecimal = nanoToDecimal(Math.round(capUsd * 1e9));

  return {
    /** Reserves the worst case of one request, or throws DailySpendCapError. */
    async reserve(estimateNano: number, day = utcDay()): Promise<Reservation> {
      const estimate = nanoToDecimal(estimateNano);
      // One statement: insert today's row or add to it, but only while the cap holds (row lock serializes racers).
      const { rows } = await db.query(
        `INSERT INTO llm_daily_spend AS s (day, reserved_usd) SELECT $1, $2::numeric WHERE $2::numeric <= $3::numeric
         ON CONFLICT (day) DO UPDATE SET reserved_usd = s.reserved_usd + EXCLUDED.reserved_usd
           WHERE s.spent_usd + s.reserved_usd + EXCLUDED.reserved_usd <= COALESCE(s.cap_usd, $3::numeric)
         RETURNING day`,
        [day, estimate, capDecimal],
      );
      if (rows.length === 1) return { day, estimateNano };
      const { rows: state } = await db.query<{ spent_usd: string; reserved_usd: string; cap: string }>(
        `UPDATE llm_daily_spend SET refusals = refusals + 1 WHERE day = $1
         RETURNING spent_usd::text, reserved_usd::text, COALESCE(cap_usd, $2::numeric)::text AS cap`,
        [day, capDecimal],
      );
      const s = state[0];
      throw new DailySpendCapError({
        day,
        capUsd: nanoToUsd(decimalToNano(s?.cap ?? capDecimal)),
        spentUsd: nanoToUsd(decimalToNano(s?.spent_usd ?? '0')),
        reservedUsd: nanoToUsd(decimalToNano(s?.reserved_usd ?? '0')),
        estimateUsd: nanoToUsd(estimateNano),
      });
    },

    /** SQL (and its parameters, from `$first`) that settles a reservation; meant for a CTE next to the llm_calls insert. */
    settleSql(first: number): string {
      return `UPDATE llm_daily_spend SET reserved_usd = GREATEST(reserved_usd - $${first}::numeric, 0), spent_usd = spent_usd + $${first + 1}::numeric WHERE day = $${first + 2}::date`;
    },
    settleParams(r: Reservation, actualNano: number): unknown[] {
      return [nanoToDecimal(r.estimateNano), nanoToDecimal(actualNano), r.day];
    },

    async today(day = utcDay()): Promise<{ spentUsd: number; reservedUsd: number; capUsd: number }> {
      const { rows } = await db.query<{ spent_usd: string; reserved_usd: string; cap: string }>(
        'SELECT spent_usd::text, reserved_usd::text, COALESCE(cap_usd, $2::numeric)::text AS cap FROM llm_daily_spend WHERE day = $1',
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
