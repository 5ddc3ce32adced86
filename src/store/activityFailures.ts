/**
 * Every failed activity attempt (src/store/migrations/030_activity_failures.sql): written by the worker's
 * activity interceptor, read by `explain` and the run viewer for the true first error of a step.
 */
import type { Queryable } from './db';

export interface ActivityFailure {
  at: string;
  workflowId: string;
  runId: string | null;
  activityId: string;
  activity: string;
  attempt: number;
  errorType: string;
  message: string;
  durationMs: number | null;
}

export type NewActivityFailure = Omit<ActivityFailure, 'at'>;

export async function recordActivityFailure(db: Queryable, f: NewActivityFailure): Promise<void> {
  await db.query(
    'INSERT INTO activity_failures (workflow_id, run_id, activity_id, activity, attempt, error_type, message, duration_ms) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)',
    [f.workflowId, f.runId, f.activityId, f.activity, f.attempt, f.errorType.slice(0, 200), f.message.slice(0, 2000), f.durationMs],
  );
}

/** A run's failed attempts in the order they happened (`from`/`to` bound a workflow id reused by later runs). */
export async function loadActivityFailures(db: Queryable, workflowId: string, from?: Date, to?: Date): Promise<ActivityFailure[]> {
  const { rows } = await db.query(
    `SELECT at, workflow_id, run_id, activity_id, activity, attempt, error_type, message, duration_ms FROM activity_failures
      WHERE workflow_id = $1 AND ($2::timestamptz IS NULL OR at >= $2) AND ($3::timestamptz IS NULL OR at <= $3) ORDER BY at, id`,
    [workflowId, from ?? null, to ?? null],
  );
  return rows.map((r) => ({
    at: (r.at as Date).toISOString(),
    workflowId: r.workflow_id,
    runId: r.run_id,
    activityId: r.activity_id,
    activity: r.activity,
    attempt: r.attempt,
    errorType: r.error_type,
    message: r.message,
    durationMs: r.duration_ms,
  }));
}
