/**
 * supervisor: delegates sub-tasks to sub-agents, each a child workflow (its own history, retries, budget,
 * escalations), in parallel, to a limited depth. A child that fails for good does not take the others with
 * it: their results are kept, and the parent escalates with the child's failure (type, message, run)
 * attached — approve = finish with what succeeded, retry = run the failed children again, reject = end.
 */
import { ApplicationFailure, ChildWorkflowFailure } from '@temporalio/common';
import { executeChild, proxyActivities, workflowInfo } from '@temporalio/workflow';
import type { ReferenceActivities as Activities } from '../activities';
import { z } from 'zod';
import { DelegationFailure, delegationPlan, subtaskSchema, type Subtask } from './contract';
import { Failure, raise } from '../../failures';
import { createAgentRunner } from '../../workflows/agents';
import { createHumanGate } from '../../workflows/humanGate';
import { markPipeline, markStatus } from '../../workflows/status';
import { subAgent, type SubAgentResult } from './subAgent';

export const supervisorInputSchema = z.strictObject({
  taskId: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9_.:-]{0,63}$/),
  goal: z.string().min(1).max(4000),
  /** The split, when the caller knows it; else the supervisor agent makes it. */
  subtasks: z.array(subtaskSchema).min(1).max(20).optional(),
  /** This supervisor's depth: 0 at the top; its children run at depth + 1. */
  depth: z.number().int().min(0).max(10).default(0),
  maxDepth: z.number().int().min(1).max(10).default(2),
  budgetUsdPerChild: z.number().positive().max(10_000).default(1),
  /** Role of the supervisor agent (used only without `subtasks`). */
  supervisorRole: z.string().min(1).max(100).default('supervisor'),
});
export type SupervisorInput = z.input<typeof supervisorInputSchema>;

export interface ChildFailure {
  id: string;
  workflowId: string;
  type: string;
  message: string;
}

export interface SupervisorResult {
  status: 'completed' | 'partial' | 'rejected';
  results: SubAgentResult[];
  failures: ChildFailure[];
  /** Who let a partial result through, or rejected it. */
  decidedBy?: string;
}

const { sendAlert } = proxyActivities<Activities>({ startToCloseTimeout: '30 seconds', retry: { maximumAttempts: 5 } });

export const SUPERVISOR_PROMPT = 'You are the supervisor agent. Split the goal into independent sub-tasks, each for one agent role.';

function describeFailure(s: Subtask, workflowId: string, e: unknown): ChildFailure {
  const cause = e instanceof ChildWorkflowFailure ? e.cause : e;
  const type = cause instanceof ApplicationFailure ? (cause.type ?? 'ApplicationFailure') : ((cause as Error)?.name ?? 'Error');
  return { id: s.id, workflowId, type, message: (cause as Error)?.message ?? String(cause) };
}

export async function supervisor(rawInput: SupervisorInput): Promise<SupervisorResult> {
  const gate = createHumanGate();
  markPipeline('supervisor');
  const parsed = supervisorInputSchema.safeParse(rawInput);
  if (!parsed.success) throw raise(Failure.InvalidInput, `supervisor: ${z.prettifyError(parsed.error)}`);
  const input = parsed.data;
  if (input.depth >= input.maxDepth) throw raise(DelegationFailure.DepthExceeded, `a supervisor at depth ${input.depth} cannot delegate (limit ${input.maxDepth})`);
  const { workflowId } = workflowInfo();

  let subtasks = input.subtasks;
  if (!subtasks) {
    const agents = createAgentRunner({ pipeline: 'supervisor', budgetUsd: input.budgetUsdPerChild, gate });
    subtasks = (await agents.call(input.supervisorRole, delegationPlan, [
      { role: 'system', content: SUPERVISOR_PROMPT },
      { role: 'user', content: `Task: ${input.taskId}\nGoal: ${input.goal}` },
    ], { step: 'delegate' })).output.subtasks;
  }
  const ids = subtasks.map((s) => s.id);
  if (new Set(ids).size !== ids.length) throw raise(Failure.InvalidInput, `sub-task ids must be unique: ${ids.join(', ')}`);

  const results = new Map<string, SubAgentResult>();
  let pending = subtasks;
  let round = 0;
  for (;;) {
    round += 1;
    // Children in parallel; each settles on its own, so one failure never discards another's result.
    const settled = await Promise.all(pending.map(async (s) => {
      const childId = `${workflowId}/${s.id}${round > 1 ? `-r${round}` : ''}`;
      try {
        const r = await executeChild(subAgent, { workflowId: childId, args: [{ taskId: input.taskId, subtask: s, depth: input.depth + 1, maxDepth: input.maxDepth, budgetUsd: input.budgetUsdPerChild }] });
        results.set(s.id, r);
        return undefined;
      } catch (e) {
        return describeFailure(s, childId, e);
      }
    }));
    const failures = settled.filter((f): f is ChildFailure => f !== undefined);
    const kept = subtasks.filter((s) => results.has(s.id)).map((s) => results.get(s.id)!);
    if (failures.length === 0) {
      markStatus('Completed');
      return { status: 'completed', results: kept, failures: [] };
    }

    const escalation = {
      kind: 'child-failed',
      reason: `${failures.length} of ${subtasks.length} sub-agent(s) failed: ${failures.map((f) => `${f.id} (${f.type}: ${f.message})`).join('; ')}. approve = finish with the ${kept.length} result(s) kept; retry = run the failed ones again; reject = end`,
      step: failures.map((f) => f.id).join(','),
      latestFailure: { error: failures[0]!.message, at: new Date(Date.now()).toISOString() },
      details: { failures, results: kept },
    };
    await sendAlert({ title: `supervisor ${input.taskId}: ${failures.length} sub-agent(s) failed`, message: escalation.reason, priority: 4, tags: ['breakwater', 'child-failed'], dedupeKey: `child-failed:${workflowId}`, workflowId, pipeline: 'supervisor', step: escalation.step, latestFailure: escalation.latestFailure, details: escalation.details });
    const resolution = await gate.escalate(escalation);
    if (resolution.decision === 'retry') {
      pending = subtasks.filter((s) => failures.some((f) => f.id === s.id));
      continue;
    }
    markStatus(resolution.decision === 'approve' ? 'Completed' : 'Rejected');
    return { status: resolution.decision === 'approve' ? 'partial' : 'rejected', results: kept, failures, decidedBy: resolution.by };
  }
}
