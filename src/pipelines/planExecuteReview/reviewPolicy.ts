/**
 * The deterministic half of the review: rules an agent reviewer cannot talk its way past. Pure.
 *
 * - Every value must name a record of the batch, once, and — when the step uses a taxonomy — be one of its
 *   terms. Breaking these is a rejection of the step, like the agent reviewer's.
 * - Inferred values are held to a stricter standard than source values: on a critical field an inferred value
 *   needs confidence ≥ θ, else a person reviews it (approve keeps it, marked reviewed; reject drops it).
 */
import type { InferredValue } from './contract';

export interface InferredValuePolicy {
  /** Fields where an inferred value needs `minConfidence` or a person. */
  criticalFields: readonly string[];
  minConfidence: number;
}

export interface ValueReview {
  /** Reasons to reject the step. Empty = the values are well-formed. */
  problems: string[];
  /** Inferred values on critical fields below the confidence threshold: a person decides. */
  needsHuman: InferredValue[];
}

export function reviewValues(o: {
  field: string | null;
  values: readonly InferredValue[];
  recordIds: ReadonlySet<string>;
  /** Allowed values (the taxonomy's terms) when the step uses a taxonomy. */
  allowed?: readonly string[];
  policy: InferredValuePolicy;
}): ValueReview {
  const problems: string[] = [];
  if (o.field === null && o.values.length > 0) problems.push('the step writes no field but returned values');
  const seen = new Set<string>();
  const allowed = o.allowed ? new Set(o.allowed) : undefined;
  for (const v of o.values) {
    if (!o.recordIds.has(v.recordId)) problems.push(`value for unknown record '${v.recordId}'`);
    if (seen.has(v.recordId)) problems.push(`two values for record '${v.recordId}'`);
    seen.add(v.recordId);
    if (allowed && !allowed.has(v.value)) problems.push(`record '${v.recordId}': '${v.value}' is not a term of the taxonomy`);
  }
  const critical = o.field !== null && o.policy.criticalFields.includes(o.field);
  const needsHuman = critical && problems.length === 0 ? o.values.filter((v) => v.confidence < o.policy.minConfidence) : [];
  return { problems, needsHuman };
}
