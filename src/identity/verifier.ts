/**
 * The worker's check of a decision: whether the one named really decided. Runs in activities (the workflow
 * sandbox has no node:crypto), never in the caller's process, so a caller cannot switch it off with its own
 * environment. Every attempt, refused ones included, is one audit_log row with whom the worker verified.
 *
 * Fail-closed: an unsigned decision is refused unless the worker runs in development mode
 * (BREAKWATER_DEV_MODE=1), where it is accepted against BREAKWATER_APPROVERS and audited as `dev-mode`.
 */
import type { BreakwaterConfig } from '../config';
import { Failure } from '../failures';
import { appendAudit, judgeApprover, type ApprovalRequest, type ApprovalVerdict } from '../store/auditLog';
import { inTransaction, type Db } from '../store/db';
import { claimSignature } from '../store/decisionSignatures';
import { decodePublicKey, verifyDecisionSignature, type DecisionClaim } from './decisionSignature';

type Judged = ApprovalVerdict & { signature?: string };

const refuse = (code: string, reason: string): Judged => ({ accepted: false, code, reason, verification: 'none' });

/** The verdict alone, without the replay guard or the audit row (pure apart from the clock). */
export function judgeDecision(config: BreakwaterConfig, request: ApprovalRequest, now = Date.now()): Judged {
  const { identity } = config;
  const proof = request.proof ?? {};
  if (!proof.signature) {
    if (!identity.devMode) {
      return refuse(Failure.DecisionUnsigned.type, `unsigned decision by '${request.by}' refused: sign it with the approver's key (breakwater resolve/budget raise/breaker clear/dlq replay sign; breakwater sign for the temporal CLI and Web UI)`);
    }
    const v = judgeApprover(config.approvers, request.by);
    return v.accepted ? { ...v, reason: `development mode (BREAKWATER_DEV_MODE): unverified, ${v.reason}`, verification: 'dev-mode' } : { ...v, code: Failure.ApproverRejected.type, verification: 'dev-mode' };
  }
  const claim = request.claim;
  if (!claim || !proof.at) return refuse(Failure.DecisionForged.type, 'a signature without the claim it signs (at, and the decision fields) proves nothing');
  if (claim.action === 'resolve' && !claim.escalation) return refuse(Failure.DecisionForged.type, 'a signed resolution must name the escalation it answers');
  const signer = proof.signer ?? claim.by;
  const key = identity.approverKeys[signer];
  if (!key) return refuse(Failure.DecisionForged.type, `no key for '${signer}' in the worker's BREAKWATER_APPROVER_KEYS`);
  if (signer !== claim.by) {
    if (!identity.vouchers.includes(signer)) return refuse(Failure.DecisionForged.type, `'${signer}' may not sign for '${claim.by}' (not in BREAKWATER_DECISION_VOUCHERS)`);
    if (!identity.approverKeys[claim.by]) return refuse(Failure.DecisionForged.type, `'${signer}' vouches for '${claim.by}', who is no approver (no key in BREAKWATER_APPROVER_KEYS)`);
  }
  const full: DecisionClaim = { ...claim, at: proof.at, ...(proof.signer ? { signer: proof.signer } : {}) };
  if (!verifyDecisionSignature(decodePublicKey(key), full, proof.signature)) {
    return refuse(Failure.DecisionForged.type, `the signature does not verify with ${signer}'s key for this decision (wrong key, or a field changed after signing)`);
  }
  const at = Date.parse(proof.at);
  if (!Number.isFinite(at) || Math.abs(now - at) > identity.maxAgeMs) {
    return refuse(Failure.DecisionExpired.type, `signed at ${proof.at}: outside the worker's ${identity.maxAgeMs / 1000} s window; sign it again`);
  }
  const listed = judgeApprover(config.approvers, claim.by);
  if (!listed.accepted) return { ...refuse(Failure.ApproverRejected.type, listed.reason), verifiedBy: claim.by };
  const verification = signer === claim.by ? 'signature' : `vouched:${signer}`;
  return { accepted: true, reason: `signed by ${signer === claim.by ? `${claim.by}'s key` : `${signer}, vouching for ${claim.by}`}`, verifiedBy: claim.by, verification, signature: proof.signature };
}

/** Verifies a decision, refuses a signature used before, and records the attempt — atomically. */
export async function verifyDecision(db: Db, config: BreakwaterConfig, request: ApprovalRequest, now = Date.now()): Promise<ApprovalVerdict> {
  const judged = judgeDecision(config, request, now);
  return inTransaction(db, async (tx) => {
    let verdict: ApprovalVerdict = judged;
    if (judged.accepted && judged.signature && !(await claimSignature(tx, judged.signature, request.action, request.target))) {
      verdict = { accepted: false, code: Failure.DecisionReplayed.type, reason: 'this signed decision was already used: a signature is good for one decision', verification: 'none' };
    }
    await appendAudit(tx, {
      actor: request.by.slice(0, 200),
      action: request.action,
      target: request.target,
      accepted: verdict.accepted,
      verifiedBy: verdict.accepted || verdict.code === Failure.ApproverRejected.type ? (verdict.verifiedBy ?? null) : null,
      verification: verdict.verification ?? 'none',
      // `verdict` always says why; `reason` is the person's when they gave one (as before signatures).
      detail: { reason: verdict.reason, ...request.detail, verdict: verdict.reason, ...(verdict.code ? { code: verdict.code } : {}), ...(request.proof?.signer ? { signer: request.proof.signer } : {}) },
    });
    const { signature: _drop, ...rest } = verdict as Judged;
    return rest;
  });
}
