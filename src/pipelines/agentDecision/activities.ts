/**
 * The step after an agent in the reference agentDecision pipeline: record the decision (and who let it
 * through — the confidence gate or a person) in Postgres, the source of truth (./store.ts). Idempotent per
 * (workflow, request), so a retried activity never records twice.
 */
import { z } from 'zod';
import { Failure, raise } from '../../failures';
import { actionDecision } from './contract';
import { recordDecision } from './store';
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
      return recordDecision(db, parsed.data);
    },
  };
}
