/**
 * The audit log: every action a person takes on a pipeline (resolve an escalation, clear a breaker, raise a
 * budget, replay a dead letter, reopen a fingerprint), and every refused attempt, so "who did what, when"
 * never depends on logs.
 *
 * Who may decide: resolving an escalation, clearing a breaker and raising a budget accept only approvers on
 * the configured allowlist (BREAKWATER_APPROVERS); `authorize` records every attempt, accepted or refused.
 * With no allowlist configured (development), anyone named is accepted — and recorded.
 */
import type { BreakwaterConfig } from '../config';
import type { Db, Queryable } from './db';

export interface AuditEntry {
  actor: string;
  /** e.g. `resolve`, `breaker.clear`, `fingerprint.reopen`. */
  action: string;
  target: string;
  accepted: boolean;
  /** Stored as JSON. */
  detail: unknown;
}

/** Appends one entry; pass the transaction's client to record it atomically with the action. */
export async function appendAudit(q: Queryable, e: AuditEntry): Promise<void> {
  await q.query('INSERT INTO audit_log (actor, action, target, accepted, detail) VALUES ($1, $2, $3, $4, $5)', [
    e.actor,
    e.action,
    e.target,
    e.accepted,
    JSON.stringify(e.detail),
  ]);
}

export interface ApprovalRequest {
  by: string;
  /** e.g. `resolve:approve`, `breaker:clear`, `budget:raise`. */
  action: string;
  /** What it acts on: a workflow id, `pipeline/step`, ... */
  target: string;
  detail?: Record<string, unknown>;
}

export interface ApprovalVerdict {
  accepted: boolean;
  reason: string;
}

export function judgeApprover(approvers: readonly string[] | undefined, by: string): ApprovalVerdict {
  if (!approvers) return { accepted: true, reason: 'no allowlist configured (BREAKWATER_APPROVERS unset): anyone named may decide' };
  return approvers.includes(by.trim())
    ? { accepted: true, reason: 'on the approver allowlist' }
    : { accepted: false, reason: `'${by}' is not on the approver allowlist (BREAKWATER_APPROVERS)` };
}

/** Checks an approver and records the attempt. Usable from activities and from the CLI alike. */
export async function authorize(db: Db, config: BreakwaterConfig, request: ApprovalRequest): Promise<ApprovalVerdict> {
  const verdict = judgeApprover(config.approvers, request.by);
  await appendAudit(db, {
    actor: request.by.slice(0, 200),
    action: request.action,
    target: request.target,
    accepted: verdict.accepted,
    detail: { reason: verdict.reason, ...request.detail },
  });
  return verdict;
}

/** The audit entries about the given targets (workflow ids, `pipeline/step`), oldest first. */
export async function auditOf(q: Queryable, targets: string[]): Promise<(AuditEntry & { at: string })[]> {
  if (!targets.length) return [];
  const { rows } = await q.query('SELECT at, actor, action, target, accepted, detail FROM audit_log WHERE target = ANY($1::text[]) ORDER BY at, id', [targets]);
  return rows.map((r) => ({ at: (r.at as Date).toISOString(), actor: r.actor, action: r.action, target: r.target, accepted: r.accepted, detail: r.detail ?? {} }));
}
