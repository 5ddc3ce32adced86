/**
 * Who may decide, as an activity: workflows check an approver (against BREAKWATER_APPROVERS) before they act
 * on a person's decision, and every attempt lands in `audit_log` (src/store/auditLog.ts).
 */
import type { BreakwaterConfig } from '../config';
import type { Db } from '../store/db';
import { authorize, type ApprovalRequest, type ApprovalVerdict } from '../store/auditLog';

export type { ApprovalRequest, ApprovalVerdict };

export function createApprovalActivities(deps: { db: Db; config: BreakwaterConfig }) {
  return {
    async authorizeApprover(request: ApprovalRequest): Promise<ApprovalVerdict> {
      return authorize(deps.db, deps.config, request);
    },
  };
}
