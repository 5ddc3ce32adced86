/** A dead letter: work that exhausted its budgets, with its full context. Pure. */
import { z } from 'zod';
import { unverifiedEffectSchema } from './effect';
import { failureContextSchema } from './resolution';

export const deadLetterSchema = z.object({
  pipeline: z.string().min(1).max(100),
  workflowType: z.string().min(1).max(200),
  workflowId: z.string().min(1).max(1000),
  runId: z.string().min(1).max(100),
  taskQueue: z.string().min(1).max(200),
  step: z.string().max(200).optional(),
  /** The workflow input, so a replay starts the same work again. */
  input: z.unknown(),
  errors: z.array(failureContextSchema).min(1).max(100),
  costUsd: z.number().min(0).default(0),
  provenance: z.unknown().optional(),
  link: z.string().max(2000).optional(),
  /** An effect the work left with a confirmation no look saw (`unverifiedEffectOf`): a replay reopens its fingerprint. */
  unverifiedEffect: unverifiedEffectSchema.optional(),
});
export type DeadLetterInput = z.input<typeof deadLetterSchema>;
