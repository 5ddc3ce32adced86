/**
 * Who may decide, as an activity: workflows have every decision verified worker-side — the signature with
 * the approver's key, or development mode (src/identity/verifier.ts) — before they act on it, and every
 * attempt lands in `audit_log` (src/store/auditLog.ts) with whom the worker verified.
 */
import type { BreakwaterConfig } from '../config';
import type { Db } from '../store/db';
import { appendAudit, type ApprovalRequest, type ApprovalVerdict } from '../store/auditLog';
import { verifyDecision } from '../identity/verifier';

export type { ApprovalRequest, ApprovalVerdict };

export function createApprovalActivities(deps: { db: Db; config: BreakwaterConfig }) {
  return {
    /** A decision the workflow refused (stale, invalid, no escalation open): recorded, never applied. */
    async recordRefusedDecision(request: ApprovalRequest & { why: string }): Promise<void> {
      await appendAudit(deps.db, { actor: request.by.slice(0, 200), action: request.action, target: request.target, accepted: false, verification: 'none', detail: { reason: request.why, ...request.detail } });
    },
    /** Verifies the decision (signature, window, one use, allowlist) and records the attempt. */
    async authorizeApprover(request: ApprovalRequest): Promise<ApprovalVerdict> {
      return verifyDecision(deps.db, deps.config, request);
    },
  };
}
