/**
 * The human side of an escalation. A workflow that needs a person waits on `resolve` — a signal (so the stock
 * `temporal workflow signal` and the Web UI can answer) and an equivalent Update (validated, for the CLI and
 * the inbox). Pure: usable inside workflows.
 */
import { z } from 'zod';

/**
 * The proof a decision carries (src/identity/decisionSignature.ts): when it was signed, the Ed25519
 * signature (base64url) and, when not the approver's own key, the signer vouching for them (the inbox).
 * The worker verifies it; without it a decision passes only in development mode.
 */
export const decisionProofShape = {
  at: z.iso.datetime().optional(),
  signature: z.string().regex(/^[A-Za-z0-9_-]{86}$/, 'expected an Ed25519 signature (86 base64url characters)').optional(),
  signer: z.string().regex(/^[\w.@-]{1,100}$/).optional(),
};

export const resolutionSchema = z.strictObject({
  decision: z.enum(['approve', 'reject', 'retry']),
  by: z.string().trim().min(1).max(100),
  reason: z.string().max(2000).optional(),
  /**
   * The escalation this decision answers (its `id`, as the `escalation` query shows it). A decision naming
   * another — a late click on an earlier escalation — is refused and audited, never applied to the open one.
   */
  escalation: z.string().min(1).max(200).optional(),
  ...decisionProofShape,
});
export type Resolution = z.infer<typeof resolutionSchema>;

/** What a resolution signs (src/identity/decisionSignature.ts): the run, the escalation, the decision, who and why. */
export const resolveClaim = (workflowId: string, r: Pick<Resolution, 'decision' | 'by' | 'reason' | 'escalation'>) =>
  ({ action: 'resolve', workflow: workflowId, decision: r.decision, by: r.by, ...(r.escalation ? { escalation: r.escalation } : {}), ...(r.reason !== undefined ? { reason: r.reason } : {}) }) as const;

/** What a failure looked like when it happened: kept for the first and the latest failure of a step. */
export const failureContextSchema = z.object({
  error: z.string(),
  at: z.string(),
  attempt: z.number().int().optional(),
  input: z.unknown().optional(),
});
export type FailureContext = z.infer<typeof failureContextSchema>;

/** Why a workflow waits for a person, with enough context to decide in minutes. */
export interface Escalation {
  /** Unique within the run (`<kind>-<n>`): what a resolution names to answer this escalation and no other. */
  id: string;
  /** Stable machine-readable kind, e.g. `breaker-open`, `not-submitted`, `low-confidence`, `budget-exhausted`. */
  kind: string;
  /** One line for people. */
  reason: string;
  /** ISO time the escalation opened (workflow time). */
  since: string;
  /** The pipeline step concerned, when there is one. */
  step?: string;
  firstFailure?: FailureContext;
  latestFailure?: FailureContext;
  /** Anything else a person needs: the agent's decision and evidence, missing resources, ... */
  details?: Record<string, unknown>;
  /** Which decisions make sense here (default all three). */
  allowed?: Resolution['decision'][];
}

/** What a workflow passes to open an escalation: the gate adds its `id` and `since`. */
export type EscalationRequest = Omit<Escalation, 'since' | 'id'>;

/** What the `escalation` query returns: the open escalation, if any, and every one resolved so far. */
export interface EscalationState {
  open: Escalation | undefined;
  resolved: { escalation: Escalation; resolution: Resolution; at: string }[];
  /** Invalid or unexpected `resolve` signals, kept so a person can see why a click "did nothing". */
  ignored: { payload: unknown; why: string; at: string }[];
}
