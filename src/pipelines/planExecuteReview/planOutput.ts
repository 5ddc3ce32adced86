/**
 * Persists what a planExecuteReview run produced (./store.ts): every output value with its provenance, and
 * the run's summary (guards, drift, coordination log). One transaction, idempotent: a retried activity
 * rewrites the same rows, never adds to them.
 */
import { z } from 'zod';
import { outputRecordSchema, type OutputRecord } from '../../contracts/provenance';
import { Failure, raise } from '../../failures';
import type { Db } from '../../store/db';
import { writePlanRun } from './store';

const inputSchema = z.strictObject({
  workflowId: z.string().min(1),
  taskId: z.string().min(1),
  status: z.string().min(1).max(100),
  planSize: z.number().int().min(0),
  executedSteps: z.number().int().min(0),
  replans: z.number().int().min(0),
  costUsd: z.number().min(0),
  trip: z.unknown().optional(),
  drift: z.array(z.unknown()),
  coordinationLog: z.array(z.unknown()),
  records: z.array(outputRecordSchema).max(20_000),
});
export type PlanRunRecord = z.input<typeof inputSchema>;

export function createPlanOutputActivities(deps: { db: Db }) {
  return {
    async writePlanRun(raw: PlanRunRecord): Promise<{ values: number }> {
      const parsed = inputSchema.safeParse(raw);
      if (!parsed.success) throw raise(Failure.InvalidInput, `writePlanRun: ${z.prettifyError(parsed.error)}`);
      return writePlanRun(deps.db, { ...parsed.data, records: parsed.data.records as OutputRecord[] });
    },
  };
}
