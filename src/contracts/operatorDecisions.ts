/**
 * Decisions that act outside one run — clearing a circuit breaker, replaying a dead letter. They are started
 * as Breakwater workflows (`clearBreaker`, `replayDeadLetter`) so that the worker, not the caller's process,
 * verifies who decided. Pure: usable inside workflows.
 */
import { z } from 'zod';
import { decisionProofShape } from './resolution';
import type { BreakerState } from '../store/circuitBreakerState';

const name = z.string().trim().min(1).max(200);

export const clearBreakerRequestSchema = z.strictObject({
  pipeline: name,
  step: name,
  by: z.string().trim().min(1).max(100),
  reason: z.string().max(2000).optional(),
  ...decisionProofShape,
});
export type ClearBreakerRequest = z.infer<typeof clearBreakerRequestSchema>;

export const replayDeadLetterRequestSchema = z.strictObject({
  id: z.number().int().positive().max(Number.MAX_SAFE_INTEGER),
  by: z.string().trim().min(1).max(100),
  ...decisionProofShape,
});
export type ReplayDeadLetterRequest = z.infer<typeof replayDeadLetterRequestSchema>;

/** The claims these requests sign (src/identity/decisionSignature.ts). */
export const clearBreakerClaim = (r: { pipeline: string; step: string; by: string; reason?: string }) =>
  ({ action: 'breaker:clear', workflow: '-', subject: `${r.pipeline}/${r.step}`, decision: 'clear', by: r.by, ...(r.reason !== undefined ? { reason: r.reason } : {}) }) as const;
export const replayDeadLetterClaim = (r: { id: number; by: string }) => ({ action: 'dlq:replay', workflow: '-', subject: `dead-letter:${r.id}`, decision: 'replay', by: r.by }) as const;

export interface ClearBreakerResult {
  /** The breaker after the clearing (src/store/circuitBreakerState.ts's BreakerState). */
  breaker: BreakerState;
  wasOpen: boolean;
  /** Runs waiting on the breaker that were told to re-read it. */
  woken: string[];
}

export interface ReplayDeadLetterResult {
  workflowId: string;
  runId: string;
  reopened: boolean;
}
