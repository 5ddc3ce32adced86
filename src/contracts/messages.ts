/**
 * Every message a Breakwater workflow answers, defined once. Workflows install handlers for these objects;
 * client helpers, the CLI and the inbox send or query with the same objects — no name is re-typed.
 * Pure: usable inside workflows (definitions are plain data; the client SDK accepts them as they are).
 */
import { defineQuery, defineSignal, defineUpdate } from '@temporalio/workflow';
import type { BudgetStatus, RaiseBudget } from './budget';
import type { EscalationState, Resolution } from './resolution';

/** What the `resolve` Update returns when a person's decision is accepted. */
export interface ResolveAccepted {
  accepted: true;
  /** The kind of the escalation the decision answered. */
  escalation: string;
  /** Its id (`<kind>-<n>`). */
  escalationId: string;
}

/** A person answers the open escalation: the signal serves the stock `temporal` CLI and the Web UI. */
export const resolveSignal = defineSignal<[Resolution]>('resolve');
/** The same answer, validated and acknowledged: the CLI and the inbox use it. */
export const resolveUpdate = defineUpdate<ResolveAccepted, [Resolution]>('resolve');
/** The open escalation, every one resolved so far, and ignored signals. */
export const escalationQuery = defineQuery<EscalationState>('escalation');

/** A person raises a run's LLM budget. */
export const raiseBudgetUpdate = defineUpdate<BudgetStatus, [RaiseBudget]>('raiseBudget');
export const raiseBudgetSignal = defineSignal<[RaiseBudget]>('raiseBudget');

/**
 * Sent by `breakwater breaker clear` to the runs waiting on that breaker: they re-read it at once instead of
 * at their next re-check. Only a hint — the run believes the breaker's row, never the signal.
 */
export const breakerClearedSignal = defineSignal<[{ pipeline: string; step: string }]>('breakerCleared');
/** Where a run's LLM budget stands. */
export const budgetQuery = defineQuery<BudgetStatus>('budget');

/**
 * A pipeline's own view of where it stands (phase, observations, …). Optional: `breakwater status` shows
 * it when a workflow answers it. Define a typed one with the same name in your pipeline's contract.
 */
export const PROGRESS_QUERY = 'progress';
export const progressQuery = defineQuery<unknown>(PROGRESS_QUERY);
