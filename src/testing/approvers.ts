/**
 * Test approvers for `breakwater/testing`: a key pair per name, a keys entry for the worker's config, and
 * signing helpers that produce what `breakwater resolve` / `budget raise` / `breaker clear` / `dlq replay`
 * send. Pass them to `startTestStack({ approvers })`: its worker then verifies signatures (development
 * mode off); without approvers the stack's worker runs in development mode (unsigned decisions accepted,
 * audited as `dev-mode`).
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createPrivateKey } from 'node:crypto';
import { raiseClaim, type RaiseBudget } from '../contracts/budget';
import { clearBreakerClaim, replayDeadLetterClaim, type ClearBreakerRequest, type ReplayDeadLetterRequest } from '../contracts/operatorDecisions';
import { resolveClaim, type Resolution } from '../contracts/resolution';
import { createDecisionSigner, generateApproverKey, type DecisionClaim, type DecisionProof } from '../identity/decisionSignature';

export interface TestApprover {
  name: string;
  /** `name=ed25519:<key>`: an entry of BREAKWATER_APPROVER_KEYS. */
  keysEntry: string;
  /** The private key's file (0600), for the CLI's `--key`. */
  keyFile: string;
  /** The proof fields for any claim (`at` defaults to now). */
  sign(claim: Omit<DecisionClaim, 'at' | 'signer'>, at?: string): DecisionProof;
  /** A resolution signed by this approver; `escalation` is required (a signature binds the escalation). */
  resolution(workflowId: string, r: Omit<Resolution, 'by' | 'at' | 'signature' | 'signer'> & { escalation: string }): Resolution;
  raise(workflowId: string, r: { toUsd: number; reason?: string }): RaiseBudget;
  clearBreaker(r: Omit<ClearBreakerRequest, 'by' | 'at' | 'signature' | 'signer'>): ClearBreakerRequest;
  replay(id: number): ReplayDeadLetterRequest;
}

/** A fresh key pair for `name`, with signing helpers. `signer`: sign as a service vouching for `name` (the inbox). */
export function createTestApprover(name: string, o: { signer?: string; signerKeyPem?: string } = {}): TestApprover {
  const pair = generateApproverKey();
  const dir = mkdtempSync(path.join(os.tmpdir(), 'bw-approver-'));
  const keyFile = path.join(dir, `${name}.key`);
  writeFileSync(keyFile, pair.privateKeyPem, { mode: 0o600 });
  const sign = createDecisionSigner(createPrivateKey(o.signerKeyPem ?? pair.privateKeyPem), o.signer);
  return {
    name,
    keysEntry: `${name}=${pair.publicKey}`,
    keyFile,
    sign: (claim, at) => sign(claim, at),
    resolution: (workflowId, r) => ({ ...r, by: name, ...sign(resolveClaim(workflowId, { ...r, by: name })) }),
    raise: (workflowId, r) => ({ ...r, by: name, ...sign(raiseClaim(workflowId, { ...r, by: name })) }),
    clearBreaker: (r) => ({ ...r, by: name, ...sign(clearBreakerClaim({ ...r, by: name })) }),
    replay: (id) => ({ id, by: name, ...sign(replayDeadLetterClaim({ id, by: name })) }),
  };
}

/** The config entries that make a worker verify these approvers' signatures (development mode off). */
export function approverEnv(approvers: readonly TestApprover[]): Record<string, string> {
  return { BREAKWATER_DEV_MODE: '0', BREAKWATER_APPROVER_KEYS: approvers.map((a) => a.keysEntry).join(',') };
}
