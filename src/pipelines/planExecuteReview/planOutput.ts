/**
 * Persists what a planExecuteReview run produced: every output value with its provenance, and the run's
 * summary (guards, drift, coordination log). One transaction, idempotent: a retried activity rewrites the
 * same rows, never adds to them.
 */
import { z } from 'zod';
import { outputRecordSchema, type OutputRecord } from '../../contracts/provenance';
import { Failure, raise } from '../../failures';
import { inTransaction, type Db } from '../../store/db';

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
      const r = parsed.data;
      const cols = { record: [] as string[], field: [] as string[], value: [] as (string | null)[], kind: [] as string[], prov: [] as string[] };
      for (const rec of r.records as OutputRecord[]) {
        for (const [field, v] of Object.entries(rec.fields)) {
          cols.record.push(rec.id);
          cols.field.push(field);
          cols.value.push(v.value);
          cols.kind.push(v.provenance.kind);
          cols.prov.push(JSON.stringify(v.provenance));
        }
      }
      await inTransaction(deps.db, async (c) => {
        await c.query('DELETE FROM plan_output_values WHERE workflow_id = $1', [r.workflowId]);
        if (cols.record.length > 0) {
          await c.query(
            `INSERT INTO plan_output_values (workflow_id, task_id, record_id, field, value, provenance_kind, provenance)
             SELECT $1, $2, r, f, v, k, p::jsonb FROM unnest($3::text[], $4::text[], $5::text[], $6::text[], $7::text[]) AS t(r, f, v, k, p)`,
            [r.workflowId, r.taskId, cols.record, cols.field, cols.value, cols.kind, cols.prov],
          );
        }
        await c.query(
          `INSERT INTO plan_runs (workflow_id, task_id, status, plan_size, executed_steps, replans, cost_usd, trip, drift, coordination_log)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)
           ON CONFLICT (workflow_id) DO UPDATE SET task_id = EXCLUDED.task_id, status = EXCLUDED.status, plan_size = EXCLUDED.plan_size,
             executed_steps = EXCLUDED.executed_steps, replans = EXCLUDED.replans, cost_usd = EXCLUDED.cost_usd, trip = EXCLUDED.trip,
             drift = EXCLUDED.drift, coordination_log = EXCLUDED.coordination_log, finished_at = now()`,
          [r.workflowId, r.taskId, r.status, r.planSize, r.executedSteps, r.replans, r.costUsd.toFixed(9), r.trip === undefined ? null : JSON.stringify(r.trip), JSON.stringify(r.drift), JSON.stringify(r.coordinationLog)],
        );
      });
      return { values: cols.record.length };
    },
  };
}
