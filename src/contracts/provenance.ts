/**
 * Provenance: where every value a pipeline writes came from. It travels with the value (in workflow state,
 * in the output records, in the database row) — never in logs only — so the next gate can hold an
 * agent's guess to a stricter standard than a fact from the system of record. Pure: usable in workflows.
 */
import { z } from 'zod';

export const provenanceSchema = z.discriminatedUnion('kind', [
  /** Read from a system of record (ERP export, database, API). */
  z.strictObject({ kind: z.literal('source-system'), system: z.string().min(1).max(200) }),
  /** Produced by an agent: a candidate, never a fact. `reviewedBy` names the person who let it through, if one did. */
  z.strictObject({
    kind: z.literal('agent-inferred'),
    role: z.string().min(1).max(100),
    model: z.string().min(1).max(200),
    confidence: z.number().min(0).max(1),
    reviewedBy: z.string().min(1).max(100).optional(),
  }),
  /** Entered or corrected by a person. */
  z.strictObject({ kind: z.literal('human'), by: z.string().min(1).max(100) }),
]);
export type Provenance = z.infer<typeof provenanceSchema>;
export type ProvenanceKind = Provenance['kind'];

/** A written value and where it came from. `value: null` = the field is empty (and says who left it so). */
export const provenancedValueSchema = z.strictObject({
  value: z.string().max(10_000).nullable(),
  provenance: provenanceSchema,
});
export type ProvenancedValue = z.infer<typeof provenancedValueSchema>;

/** One output record: every field carries its provenance. */
export const outputRecordSchema = z.strictObject({
  id: z.string().min(1).max(200),
  fields: z.record(z.string().min(1).max(100), provenancedValueSchema),
});
export type OutputRecord = z.infer<typeof outputRecordSchema>;

export const fromSource = (system: string): Provenance => ({ kind: 'source-system', system });
export type InferredProvenance = Extract<Provenance, { kind: 'agent-inferred' }>;
export const inferredBy = (role: string, model: string, confidence: number): InferredProvenance => ({ kind: 'agent-inferred', role, model, confidence });
export const byHuman = (by: string): Provenance => ({ kind: 'human', by });
export const isInferred = (p: Provenance): p is InferredProvenance => p.kind === 'agent-inferred';
