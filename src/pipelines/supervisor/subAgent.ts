/**
 * subAgent: one sub-task, one agent, as a child workflow of a supervisor. It answers, splits the sub-task
 * further through a supervisor of its own (only below the depth limit), or fails permanently — a failure the
 * parent sees with its type and reason, never a silent gap.
 */
import { executeChild, workflowInfo } from '@temporalio/workflow';
import { z } from 'zod';
import { DelegationFailure, subAgentAnswer, subtaskSchema } from './contract';
import { Failure, raise } from '../../failures';
import { createAgentRunner } from '../../workflows/agents';
import { createHumanGate } from '../../workflows/humanGate';
import { markPipeline, markStatus } from '../../workflows/status';
import type { SupervisorResult } from './workflow';

export const subAgentInputSchema = z.strictObject({
  taskId: z.string().min(1).max(100),
  subtask: subtaskSchema,
  depth: z.number().int().min(1).max(10),
  maxDepth: z.number().int().min(1).max(10),
  budgetUsd: z.number().positive().max(10_000).default(1),
});
export type SubAgentInput = z.input<typeof subAgentInputSchema>;

export interface SubAgentResult {
  id: string;
  role: string;
  answer: string;
  confidence: number;
  /** When the sub-agent split its sub-task: what its own supervisor gathered. */
  delegated?: SupervisorResult;
  costUsd: number;
}

export const SUBAGENT_PROMPT = 'You are a sub-agent working on one sub-task of a larger goal. Answer it, or split it into sub-tasks (outcome "delegate"), or say you cannot (outcome "cannot") with the reason.';

export async function subAgent(rawInput: SubAgentInput): Promise<SubAgentResult> {
  const gate = createHumanGate();
  markPipeline('subAgent');
  const parsed = subAgentInputSchema.safeParse(rawInput);
  if (!parsed.success) throw raise(Failure.InvalidInput, `subAgent: ${z.prettifyError(parsed.error)}`);
  const input = parsed.data;
  const { subtask } = input;
  const agents = createAgentRunner({ pipeline: 'subAgent', budgetUsd: input.budgetUsd, gate });

  const reply = await agents.call(subtask.role, subAgentAnswer, [
    { role: 'system', content: SUBAGENT_PROMPT },
    { role: 'user', content: `Task: ${input.taskId}\nSubtask: ${subtask.id}\nDepth: ${input.depth} of at most ${input.maxDepth}\nInstruction: ${subtask.instruction}` },
  ], { step: subtask.id });
  const out = reply.output;
  const costUsd = agents.budget().spentUsd;

  if (out.outcome === 'answer' && out.answer !== null) {
    markStatus('Completed');
    return { id: subtask.id, role: subtask.role, answer: out.answer, confidence: out.confidence, costUsd };
  }
  if (out.outcome === 'delegate' && out.subtasks.length > 0) {
    if (input.depth >= input.maxDepth) {
      markStatus('Failed');
      throw raise(DelegationFailure.DepthExceeded, `sub-task '${subtask.id}' asked to delegate at depth ${input.depth}; the limit is ${input.maxDepth}`, {
        details: [{ subtask: subtask.id, depth: input.depth, maxDepth: input.maxDepth, wanted: out.subtasks.map((s) => s.id) }],
      });
    }
    const delegated = await executeChild('supervisor', {
      workflowId: `${workflowInfo().workflowId}/split`,
      args: [{ taskId: input.taskId, goal: subtask.instruction, subtasks: out.subtasks, depth: input.depth, maxDepth: input.maxDepth, budgetUsdPerChild: input.budgetUsd }],
    }) as SupervisorResult;
    markStatus('Completed');
    return { id: subtask.id, role: subtask.role, answer: delegated.results.map((r) => r.answer).join('\n'), confidence: out.confidence, delegated, costUsd };
  }
  markStatus('Failed');
  throw raise(DelegationFailure.Cannot, `sub-agent '${subtask.role}' cannot do sub-task '${subtask.id}': ${out.reason ?? 'no reason given'}`, {
    details: [{ subtask: subtask.id, role: subtask.role, reason: out.reason }],
  });
}
