/**
 * The escalations of every run (src/store/migrations/031_run_escalations.sql): opened and closed by the
 * human gate, read by `breakwater runs`, `explain` and the run viewer (which groups open ones sharing a
 * cause into one incident).
 */
import type { Queryable } from './db';

export interface EscalationOpened {
  workflowId: string;
  runId: string;
  escalation: string;
  pipeline?: string;
  kind: string;
  reason: string;
  step?: string;
  openedAt: string;
  details?: Record<string, unknown>;
}

export interface EscalationClosed {
  workflowId: string;
  runId: string;
  escalation: string;
  closedAt: string;
  ended: 'resolved' | 'condition' | 'timeout';
  decision?: string;
  decidedBy?: string;
  reasonGiven?: string;
}

export interface RunEscalation extends EscalationOpened {
  closedAt: string | null;
  ended: string | null;
  decision: string | null;
  decidedBy: string | null;
  reasonGiven: string | null;
}

/** Idempotent: an activity retried after a lost response writes the same row once. */
export async function recordEscalationOpened(db: Queryable, e: EscalationOpened): Promise<void> {
  await db.query(
    `INSERT INTO run_escalations (workflow_id, run_id, escalation, pipeline, kind, reason, step, opened_at, details)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) ON CONFLICT DO NOTHING`,
    [e.workflowId, e.runId, e.escalation, e.pipeline ?? null, e.kind, e.reason, e.step ?? null, e.openedAt, JSON.stringify(e.details ?? {})],
  );
}

export async function recordEscalationClosed(db: Queryable, e: EscalationClosed): Promise<void> {
  await db.query(
    `UPDATE run_escalations SET closed_at = $4, ended = $5, decision = $6, decided_by = $7, reason_given = $8
      WHERE workflow_id = $1 AND run_id = $2 AND escalation = $3`,
    [e.workflowId, e.runId, e.escalation, e.closedAt, e.ended, e.decision ?? null, e.decidedBy ?? null, e.reasonGiven ?? null],
  );
}

const iso = (d: Date | null) => (d ? d.toISOString() : null);

function toRow(r: Record<string, unknown>): RunEscalation {
  return {
    workflowId: r.workflow_id as string,
    runId: r.run_id as string,
    escalation: r.escalation as string,
    ...(r.pipeline ? { pipeline: r.pipeline as string } : {}),
    kind: r.kind as string,
    reason: r.reason as string,
    ...(r.step ? { step: r.step as string } : {}),
    openedAt: iso(r.opened_at as Date)!,
    details: (r.details ?? {}) as Record<string, unknown>,
    closedAt: iso(r.closed_at as Date | null),
    ended: (r.ended as string | null) ?? null,
    decision: (r.decision as string | null) ?? null,
    decidedBy: (r.decided_by as string | null) ?? null,
    reasonGiven: (r.reason_given as string | null) ?? null,
  };
}

const COLUMNS = 'workflow_id, run_id, escalation, pipeline, kind, reason, step, opened_at, details, closed_at, ended, decision, decided_by, reason_given';

/** Escalations of the given workflows (all of them when `workflowIds` is undefined), oldest first. */
export async function listRunEscalations(db: Queryable, q: { workflowIds?: string[]; openOnly?: boolean; since?: Date } = {}): Promise<RunEscalation[]> {
  const { rows } = await db.query(
    `SELECT ${COLUMNS} FROM run_escalations
      WHERE ($1::text[] IS NULL OR workflow_id = ANY($1)) AND (NOT $2 OR closed_at IS NULL) AND ($3::timestamptz IS NULL OR opened_at >= $3)
      ORDER BY opened_at LIMIT 5000`,
    [q.workflowIds ?? null, q.openOnly ?? false, q.since ?? null],
  );
  return rows.map(toRow);
}

/** Runs waiting now on one breaker (their open `breaker-open` escalation names it): whom a clear should wake. */
export async function runsWaitingOnBreaker(db: Queryable, pipeline: string, step: string): Promise<{ workflowId: string; runId: string }[]> {
  const { rows } = await db.query(
    `SELECT DISTINCT workflow_id, run_id FROM run_escalations
      WHERE closed_at IS NULL AND kind = 'breaker-open' AND details->'breaker'->>'pipeline' = $1 AND details->'breaker'->>'step' = $2`,
    [pipeline, step],
  );
  return rows.map((r) => ({ workflowId: r.workflow_id, runId: r.run_id }));
}
