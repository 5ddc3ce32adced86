/**
 * The step after an agent in the reference agentDecision pipeline: record the decision (and who let it
 * through — the confidence gate or a person) in Postgres, the source of truth. Idempotent per
 * (workflow, request), so a retried activity never records twice.
 */
import { z } from 'zod';
import { Failure, raise } from '../../failures';
import { actionDecision } from './contract';
import type { Db } from '../../store/db';

const recordInput = z.strictObject({
  workflowId: z.string().min(1),
  requestId: z.string().min(1).max(200),
  decision: actionDecision.schema,
  decidedBy: z.string().min(1).max(100),
});
export type RecordDecisionInput = z.input<typeof recordInput>;

export function createDecisionLedgerActivities(db: Db) {
  return {
    async recordAgentDecision(raw: RecordDecisionInput): Promise<{ id: number; created: boolean }> {
      // The agent's output crossed a boundary twice by now: validate again, never record a malformed decision.
      const parsed = recordInput.safeParse(raw);
      if (!parsed.success) throw raise(Failure.InvalidInput, z.prettifyError(parsed.error));
      const d = parsed.data;
      const inserted = await db.query<{ id: string }>(
        `INSERT INTO agent_decisions (workflow_id, request_id, action, confidence, decided_by, decision) VALUES ($1,$2,$3,$4,$5,$6)
         ON CONFLICT (workflow_id, request_id) DO NOTHING RETURNING id`,
        [d.workflowId, d.requestId, d.decision.action, d.decision.confidence, d.decidedBy, JSON.stringify(d.decision)],
      );
      if (inserted.rows[0]) return { id: Number(inserted.rows[0].id), created: true };
      const existing = await db.query<{ id: string }>('SELECT id FROM agent_decisions WHERE workflow_id = $1 AND request_id = $2', [d.workflowId, d.requestId]);
      return { id: Number(existing.rows[0]!.id), created: false };
    },
  };
}
