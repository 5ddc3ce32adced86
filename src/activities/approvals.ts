/**
 * Who may decide, as an activity: workflows check an approver (against BREAKWATER_APPROVERS) before they act
 * on a person's decision, and every attempt lands in `audit_log` (src/store/auditLog.ts).
 */
import type { BreakwaterConfig } from '../config';
import type { Db } from '../store/db';
import { appendAudit, authorize, type ApprovalRequest, type ApprovalVerdict } from '../store/auditLog';

export type { ApprovalRequest, ApprovalVerdict };

export function createApprovalActivities(deps: { db: Db; config: BreakwaterConfig }) {
  return {
    /** A decision the workflow refused (stale, invalid, no escalation open): recorded, never applied. */
    async recordRefusedDecision(request: ApprovalRequest & { why: string }): Promise<void> {
      await appendAudit(deps.db, { actor: request.by.slice(0, 200), action: request.action, target: request.target, accepted: false, detail: { reason: request.why, ...request.detail } });
    },
    async authorizeApprover(request: ApprovalRequest): Promise<ApprovalVerdict> {
      return authorize(deps.db, deps.config, request);
    },
  };
}
