/**
 * The audit log: every action a person takes on a pipeline (resolve an escalation, clear a breaker, raise a
 * budget, replay a dead letter, reopen a fingerprint), and every refused attempt, so "who did what, when"
 * never depends on logs.
 *
 * Who may decide is proven by a signature the worker verifies (src/identity/verifier.ts): each row says whom
 * the worker verified (`verified_by`) and how (`verification`: signature, vouched:<signer>, dev-mode, none).
 * `judgeApprover` is the allowlist part of that check (BREAKWATER_APPROVERS), the whole check in development mode.
 */
import type { Queryable } from './db';

export interface AuditEntry {
  actor: string;
  /** e.g. `resolve`, `breaker.clear`, `fingerprint.reopen`. */
  action: string;
  target: string;
  accepted: boolean;
  /** Stored as JSON. */
  detail: unknown;
  /** Whom the worker verified (null: nobody — refused, or development mode). */
  verifiedBy?: string | null;
  /** How: `signature`, `vouched:<signer>`, `dev-mode`, `none`. */
  verification?: string;
}

/** Appends one entry; pass the transaction's client to record it atomically with the action. */
export async function appendAudit(q: Queryable, e: AuditEntry): Promise<void> {
  await q.query('INSERT INTO audit_log (actor, action, target, accepted, detail, verified_by, verification) VALUES ($1, $2, $3, $4, $5, $6, $7)', [
    e.actor,
    e.action,
    e.target,
    e.accepted,
    JSON.stringify(e.detail),
    e.verifiedBy ?? null,
    e.verification ?? null,
  ]);
}

export interface ApprovalRequest {
  by: string;
  /** e.g. `resolve:approve`, `breaker:clear`, `budget:raise`. */
  action: string;
  /** What it acts on: a workflow id, `pipeline/step`, ... */
  target: string;
  detail?: Record<string, unknown>;
  /**
   * What the decision binds, as signed (src/identity/decisionSignature.ts) — without `at`/`signer`, which come
   * with the proof. Absent: an unsigned request (accepted only in development mode).
   */
  claim?: { action: 'resolve' | 'budget:raise' | 'breaker:clear' | 'dlq:replay'; workflow: string; escalation?: string; subject?: string; decision: string; by: string; reason?: string };
  /** The signature, its time and signer (absent or partial: unsigned). */
  proof?: { at?: string; signature?: string; signer?: string };
}

export interface ApprovalVerdict {
  accepted: boolean;
  reason: string;
  /** The failure type of a refusal (BW_DECISION_UNSIGNED, BW_DECISION_FORGED, ...). */
  code?: string;
  /** Whom the worker verified; undefined when nobody was. */
  verifiedBy?: string;
  verification?: string;
}

export function judgeApprover(approvers: readonly string[] | undefined, by: string): ApprovalVerdict {
  if (!approvers) return { accepted: true, reason: 'no allowlist configured (BREAKWATER_APPROVERS unset): anyone named may decide' };
  return approvers.includes(by.trim())
    ? { accepted: true, reason: 'on the approver allowlist' }
    : { accepted: false, reason: `'${by}' is not on the approver allowlist (BREAKWATER_APPROVERS)` };
}

/** The audit entries about the given targets (workflow ids, `pipeline/step`), oldest first. */
export async function auditOf(q: Queryable, targets: string[]): Promise<(AuditEntry & { at: string })[]> {
  if (!targets.length) return [];
  const { rows } = await q.query('SELECT at, actor, action, target, accepted, detail, verified_by, verification FROM audit_log WHERE target = ANY($1::text[]) ORDER BY at, id', [targets]);
  return rows.map((r) => ({ at: (r.at as Date).toISOString(), actor: r.actor, action: r.action, target: r.target, accepted: r.accepted, detail: r.detail ?? {}, verifiedBy: r.verified_by, verification: r.verification ?? undefined }));
}
