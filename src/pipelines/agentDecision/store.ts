/**
 * The agentDecision pipeline's table, `agent_decisions`: one recorded decision per (workflow, request), with
 * who let it through — the confidence gate or a person.
 */
import type { Db } from '../../store/db';
import type { ActionDecision } from './contract';

export interface DecisionToRecord {
  workflowId: string;
  requestId: string;
  decision: ActionDecision;
  decidedBy: string;
}

/** Idempotent per (workflow, request): a second record returns the first one's id with `created: false`. */
export async function recordDecision(db: Db, d: DecisionToRecord): Promise<{ id: number; created: boolean }> {
  const inserted = await db.query<{ id: string }>(
    `INSERT INTO agent_decisions (workflow_id, request_id, action, confidence, decided_by, decision) VALUES ($1,$2,$3,$4,$5,$6)
     ON CONFLICT (workflow_id, request_id) DO NOTHING RETURNING id`,
    [d.workflowId, d.requestId, d.decision.action, d.decision.confidence, d.decidedBy, JSON.stringify(d.decision)],
  );
  if (inserted.rows[0]) return { id: Number(inserted.rows[0].id), created: true };
  const existing = await db.query<{ id: string }>('SELECT id FROM agent_decisions WHERE workflow_id = $1 AND request_id = $2', [d.workflowId, d.requestId]);
  return { id: Number(existing.rows[0]!.id), created: false };
}
