/**
 * The planExecuteReview pipeline's tables: `plan_output_values` (every output value with its provenance) and
 * `plan_runs` (the run's summary: guards, drift, coordination log). One transaction, idempotent: writing a
 * run again rewrites the same rows, never adds to them.
 */
import type { OutputRecord } from '../../contracts/provenance';
import { inTransaction, type Db } from '../../store/db';

export interface PlanRun {
  workflowId: string;
  taskId: string;
  status: string;
  planSize: number;
  executedSteps: number;
  replans: number;
  costUsd: number;
  trip?: unknown;
  drift: unknown[];
  coordinationLog: unknown[];
  records: OutputRecord[];
}

/**
 * Writes the run's values and summary; returns how many values were written. A run a guard stopped
 * (`status = 'stopped'`) writes its values to `plan_held_values` for a person, none to the output.
 */
export async function writePlanRun(db: Db, r: PlanRun): Promise<{ values: number }> {
  const cols = { record: [] as string[], field: [] as string[], value: [] as (string | null)[], kind: [] as string[], prov: [] as string[] };
  for (const rec of r.records) {
    for (const [field, v] of Object.entries(rec.fields)) {
      cols.record.push(rec.id);
      cols.field.push(field);
      cols.value.push(v.value);
      cols.kind.push(v.provenance.kind);
      cols.prov.push(JSON.stringify(v.provenance));
    }
  }
  const table = r.status === 'stopped' ? 'plan_held_values' : 'plan_output_values';
  await inTransaction(db, async (c) => {
    await c.query('DELETE FROM plan_output_values WHERE workflow_id = $1', [r.workflowId]);
    await c.query('DELETE FROM plan_held_values WHERE workflow_id = $1', [r.workflowId]);
    if (cols.record.length > 0) {
      await c.query(
        `INSERT INTO ${table} (workflow_id, task_id, record_id, field, value, provenance_kind, provenance)
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
}
