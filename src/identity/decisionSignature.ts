/**
 * Signed decisions: what proves that a person — not someone typing their name — resolved an escalation,
 * raised a budget, cleared a breaker or replayed a dead letter.
 *
 * A decision is a claim `{action, workflow, escalation, subject, decision, by, reason, at, signer}`; its
 * canonical form (fixed key order, absent fields as null, behind a domain prefix so a signature over other
 * data can never pass) is signed with the approver's Ed25519 key (node:crypto, no dependency). The worker
 * verifies it against the public keys it was configured with (src/identity/verifier.ts). The claim binds
 * everything that gives the decision its effect — the run, the escalation it answers, the breaker or the
 * dead letter — so a signature cannot be moved to another target.
 */
import { createPrivateKey, createPublicKey, generateKeyPairSync, sign, verify, type KeyObject } from 'node:crypto';

export type DecisionAction = 'resolve' | 'budget:raise' | 'breaker:clear' | 'dlq:replay';

export interface DecisionClaim {
  action: DecisionAction;
  /** The workflow the decision acts on (resolve, budget raise); `-` when none (breaker clear, dlq replay). */
  workflow: string;
  /** The escalation answered (resolve). */
  escalation?: string;
  /** What else the decision binds: `pipeline/step` of a breaker, `dead-letter:<id>`, `to:<usd>` of a raise. */
  subject?: string;
  /** approve | reject | retry | raise | clear | replay. */
  decision: string;
  /** Who decides: an approver's name, as in the worker's keys. */
  by: string;
  reason?: string;
  /** ISO time of signing: the worker refuses signatures older (or further in the future) than its window. */
  at: string;
  /** Whose key signed, when not `by`'s own: a service the worker lets vouch for approvers (the inbox). */
  signer?: string;
}

/** What travels beside a decision's fields: when it was signed, the signature, and by which key. */
export interface DecisionProof {
  at: string;
  signature: string;
  signer?: string;
}

const DOMAIN = 'breakwater-decision-v1\n';

/** The bytes signed: a domain prefix, then the claim's fields in a fixed order (absent: null). */
export function canonicalDecision(c: DecisionClaim): Buffer {
  const ordered = [c.action, c.workflow, c.escalation ?? null, c.subject ?? null, c.decision, c.by.trim(), c.reason ?? null, c.at, c.signer ?? null];
  return Buffer.from(DOMAIN + JSON.stringify(ordered), 'utf8');
}

export interface ApproverKeyPair {
  /** `ed25519:<base64url of the 32-byte public key>`: the line for the worker's BREAKWATER_APPROVER_KEYS. */
  publicKey: string;
  /** PKCS#8 PEM: kept in a file only its owner reads. */
  privateKeyPem: string;
}

export function generateApproverKey(): ApproverKeyPair {
  const { publicKey, privateKey } = generateKeyPairSync('ed25519');
  return { publicKey: encodePublicKey(publicKey), privateKeyPem: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString() };
}

export function encodePublicKey(key: KeyObject): string {
  const jwk = key.export({ format: 'jwk' });
  return `ed25519:${jwk.x}`;
}

/** Parses `ed25519:<base64url>`; throws an Error saying what is wrong. */
export function decodePublicKey(text: string): KeyObject {
  const m = /^ed25519:([A-Za-z0-9_-]{43})$/.exec(text.trim());
  if (!m) throw new Error(`expected ed25519:<43 base64url characters>, got '${text.trim().slice(0, 60)}'`);
  return createPublicKey({ key: { kty: 'OKP', crv: 'Ed25519', x: m[1] }, format: 'jwk' });
}

export function privateKeyFromPem(pem: string): KeyObject {
  const key = createPrivateKey(pem);
  if (key.asymmetricKeyType !== 'ed25519') throw new Error(`expected an Ed25519 private key, got ${key.asymmetricKeyType ?? 'unknown'}`);
  return key;
}

export function signDecision(privateKey: KeyObject, claim: DecisionClaim): string {
  return sign(null, canonicalDecision(claim), privateKey).toString('base64url');
}

export function verifyDecisionSignature(publicKey: KeyObject, claim: DecisionClaim, signature: string): boolean {
  if (!/^[A-Za-z0-9_-]{86}$/.test(signature)) return false;
  return verify(null, canonicalDecision(claim), publicKey, Buffer.from(signature, 'base64url'));
}

/** A signer for one approver: the proof fields to add to a decision payload. */
export function createDecisionSigner(privateKey: KeyObject, signer?: string) {
  return (claim: Omit<DecisionClaim, 'at' | 'signer'>, at = new Date().toISOString()): DecisionProof => {
    const full: DecisionClaim = { ...claim, at, ...(signer ? { signer } : {}) };
    return { at, signature: signDecision(privateKey, full), ...(signer ? { signer } : {}) };
  };
}
