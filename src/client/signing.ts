/**
 * The CLI's side of signed decisions: the proof fields for a decision, signed with the approver's key
 * (`--key FILE`, else `<BREAKWATER_APPROVER_KEY_DIR>/<by>.key`). With no key the decision goes unsigned and
 * the worker decides: refused, unless it runs in development mode.
 */
import type { BreakwaterConfig } from '../config';
import { createDecisionSigner, type DecisionClaim, type DecisionProof } from '../identity/decisionSignature';
import { findSigningKey } from '../identity/keyFiles';

export function proofFor(config: BreakwaterConfig, claim: Omit<DecisionClaim, 'at' | 'signer'>, keyFile?: string): DecisionProof | Record<string, never> {
  const key = findSigningKey(config.identity.keyDir, claim.by, keyFile);
  return key ? createDecisionSigner(key)(claim) : {};
}

export const KEY_OPTION = ['--key <file>', "the approver's private key (default: <BREAKWATER_APPROVER_KEY_DIR>/<by>.key; none: unsigned, accepted only by a worker in development mode)"] as const;
