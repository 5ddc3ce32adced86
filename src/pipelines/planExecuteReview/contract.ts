/**
 * The plan–execute–review contracts: the plan with its resource manifest, a step, what each agent answers
 * (registered agent schemas), and what the resource gate reports. Pure: usable in workflows and activities.
 *
 * The manifest is the planner's list of every external resource its plan references. The workflow runs
 * no step until a deterministic gate has found each one (see src/activities/resourceGate.ts): a plan that
 * leans on a resource nobody has — "the reference taxonomy" — stops there.
 */
import { z } from 'zod';
import { confidenceField, defineAgentSchema } from '../../contracts/agentSchemas';
import { builtInResourceKinds, resourceSchema as toolkitResourceSchema, type MissingResource, type Resource, type ResourceGateResult } from '../../contracts/resources';

const id = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9_.:-]{0,99}$/, 'ids are 1-100 characters: letters, digits, _ . : -');

export const resourceKinds = builtInResourceKinds;
export type ResourceKind = (typeof resourceKinds)[number];

/** The planner may name only the gate's built-in kinds (the toolkit's schema, narrowed). */
export const resourceSchema = toolkitResourceSchema.extend({ kind: z.enum(resourceKinds) });
export type { Resource };

export const planStepSchema = z.strictObject({
  id,
  /** The agent role that executes the step (must be one the task allows). */
  agent: z.string().min(1).max(100),
  /** Short verb phrase, e.g. `infer-category`. */
  action: z.string().min(1).max(200),
  /** The record field the step writes, or null when it writes none. */
  field: z.string().min(1).max(100).nullable(),
  instructions: z.string().max(4000),
  /** Ids of manifest resources the step uses. */
  resources: z.array(id).max(20),
});
export type PlanStep = z.infer<typeof planStepSchema>;

/** The planner's answer. Every resource a step names must be in the manifest (checked by `planIssues`). */
export const plan = defineAgentSchema(
  'plan',
  z.strictObject({
    summary: z.string().max(2000),
    steps: z.array(planStepSchema).min(1).max(50),
    manifest: z.array(resourceSchema).max(50),
  }),
);
export type Plan = z.output<typeof plan.schema>;

/** The planner's answer when a step failed review: the steps that replace it, and any new resources. */
export const replan = defineAgentSchema(
  'replan',
  z.strictObject({
    reason: z.string().max(2000),
    steps: z.array(planStepSchema).min(1).max(20),
    manifest: z.array(resourceSchema).max(20),
  }),
);
export type Replan = z.output<typeof replan.schema>;

export const inferredValueSchema = z.strictObject({
  recordId: z.string().min(1).max(200),
  value: z.string().max(10_000),
  confidence: confidenceField,
});
export type InferredValue = z.infer<typeof inferredValueSchema>;

/**
 * The executor's answer for one step: the values it wrote (`done`), or a request to another agent
 * (`request`, e.g. the analyst asking the researcher for more context).
 */
export const stepResult = defineAgentSchema(
  'stepResult',
  z.strictObject({
    outcome: z.enum(['done', 'request']),
    values: z.array(inferredValueSchema).max(5000),
    request: z.strictObject({ to: z.string().min(1).max(100), action: z.string().min(1).max(200), detail: z.string().max(2000) }).nullable(),
  }),
);
export type StepResult = z.output<typeof stepResult.schema>;

/** A helper agent's answer to a request (e.g. the researcher's context). */
export const helperAnswer = defineAgentSchema(
  'helperAnswer',
  z.strictObject({ findings: z.array(z.string().max(2000)).max(20), confidence: confidenceField }),
);
export type HelperAnswer = z.output<typeof helperAnswer.schema>;

/** The reviewer's verdict on one step's values. */
export const stepReview = defineAgentSchema(
  'stepReview',
  z.strictObject({ verdict: z.enum(['approve', 'reject']), issues: z.array(z.string().max(1000)).max(20), confidence: confidenceField }),
);
export type StepReview = z.output<typeof stepReview.schema>;

export type { MissingResource, ResourceGateResult };

/** Structural problems of a plan that no agent should be trusted to notice. Empty = fine. */
export function planIssues(steps: readonly PlanStep[], manifest: readonly Resource[], allowedAgents: readonly string[], knownStepIds: readonly string[] = []): string[] {
  const issues: string[] = [];
  const resourceIds = new Set(manifest.map((r) => r.id));
  const seen = new Set(knownStepIds);
  for (const s of steps) {
    if (seen.has(s.id)) issues.push(`step '${s.id}' is defined twice`);
    seen.add(s.id);
    if (!allowedAgents.includes(s.agent)) issues.push(`step '${s.id}' names agent '${s.agent}', which this task does not allow (allowed: ${allowedAgents.join(', ')})`);
    for (const r of s.resources) if (!resourceIds.has(r)) issues.push(`step '${s.id}' uses resource '${r}', which is not in the manifest`);
  }
  return issues;
}
