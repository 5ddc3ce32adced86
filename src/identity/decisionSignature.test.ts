import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createPrivateKey } from 'node:crypto';
import { decodePublicKey, generateApproverKey, signDecision, verifyDecisionSignature, type DecisionClaim } from './decisionSignature';

const claim: DecisionClaim = { action: 'resolve', workflow: 'wf-1', escalation: 'approval-1', decision: 'approve', by: 'alice', reason: 'ok', at: '2026-12-01T10:00:00.000Z' };

test('a signature verifies with the signer\'s public key and with no other', () => {
  const alice = generateApproverKey();
  const bob = generateApproverKey();
  const sig = signDecision(createPrivateKey(alice.privateKeyPem), claim);
  assert.equal(verifyDecisionSignature(decodePublicKey(alice.publicKey), claim, sig), true);
  assert.equal(verifyDecisionSignature(decodePublicKey(bob.publicKey), claim, sig), false);
});

test('every bound field matters: changing any one breaks the signature', () => {
  const alice = generateApproverKey();
  const key = decodePublicKey(alice.publicKey);
  const sig = signDecision(createPrivateKey(alice.privateKeyPem), claim);
  const changes: Partial<DecisionClaim>[] = [
    { action: 'budget:raise' },
    { workflow: 'wf-2' },
    { escalation: 'approval-2' },
    { escalation: undefined },
    { subject: 'x' },
    { decision: 'reject' },
    { by: 'bob' },
    { reason: 'other' },
    { at: '2026-12-01T10:00:01.000Z' },
    { signer: 'inbox' },
  ];
  for (const c of changes) assert.equal(verifyDecisionSignature(key, { ...claim, ...c }, sig), false, JSON.stringify(c));
  assert.equal(verifyDecisionSignature(key, claim, 'not-a-signature'), false);
});

test('a public key must be ed25519:<43 base64url characters>', () => {
  assert.throws(() => decodePublicKey('rsa:abc'), /expected ed25519:/);
  assert.throws(() => decodePublicKey('ed25519:short'), /expected ed25519:/);
});
