/**
 * Who may decide. Resolving an escalation, clearing a breaker and raising a budget accept only approvers on
 * the configured allowlist (BREAKWATER_APPROVERS); every attempt, accepted or refused, is recorded in
 * `audit_log`. With no allowlist configured (development), anyone named is accepted — and recorded.
 */
import type { BreakwaterConfig } from '../config';
import type { Db } from '../store/db';

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
  await db.query('INSERT INTO audit_log (actor, action, target, accepted, detail) VALUES ($1, $2, $3, $4, $5)', [
    request.by.slice(0, 200),
    request.action,
    request.target,
    verdict.accepted,
    JSON.stringify({ reason: verdict.reason, ...request.detail }),
  ]);
  return verdict;
}

export function createApprovalActivities(deps: { db: Db; config: BreakwaterConfig }) {
  return {
    async authorizeApprover(request: ApprovalRequest): Promise<ApprovalVerdict> {
      return authorize(deps.db, deps.config, request);
    },
  };
}
