/**
 * Raising a workflow's LLM budget: `breakwater budget raise <workflowId> --to USD --by NAME` sends the
 * `raiseBudget` Update (validated: the new budget must be above the current one); a `raiseBudget` signal
 * with the same payload exists for tools that only signal. The `budget` query returns where it stands.
 * Pure: usable inside workflows.
 */
import { z } from 'zod';
import type { BudgetLevel } from '../deterministic/budget';
import { decisionProofShape } from './resolution';

export const raiseBudgetSchema = z.strictObject({
  toUsd: z.number().positive().max(1_000_000),
  by: z.string().trim().min(1).max(100),
  reason: z.string().max(2000).optional(),
  ...decisionProofShape,
});
export type RaiseBudget = z.infer<typeof raiseBudgetSchema>;

/** What a budget raise signs: the run, the new budget, who and why. */
export const raiseClaim = (workflowId: string, r: Pick<RaiseBudget, 'toUsd' | 'by' | 'reason'>) =>
  ({ action: 'budget:raise', workflow: workflowId, subject: `to:${r.toUsd}`, decision: 'raise', by: r.by, ...(r.reason !== undefined ? { reason: r.reason } : {}) }) as const;

export interface BudgetStatus {
  limitUsd: number;
  spentUsd: number;
  level: BudgetLevel;
  fraction: number;
  raises: { fromUsd: number; toUsd: number; by: string }[];
}
