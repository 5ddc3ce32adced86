/** Signatures already used for a decision: each is good for one (src/identity/verifier.ts). */
import type { Queryable } from './db';

/** Records the signature as used; false when it already was (a replay). */
export async function claimSignature(q: Queryable, signature: string, action: string, target: string): Promise<boolean> {
  const { rowCount } = await q.query('INSERT INTO used_decision_signatures (signature, action, target) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING', [signature, action, target]);
  return rowCount === 1;
}
