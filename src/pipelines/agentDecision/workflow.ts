/**
 * Reference pipeline for the agent layer: a customer request is triaged by a cheap model, an action is
 * decided by a strong model — as structured data (action, order id, confidence, evidence), never prose —
 * and a consequential action goes ahead only above the confidence threshold or with a person's approval.
 * The decision is then recorded in Postgres: the agent proposed it, the database holds it.
 */
import { proxyActivities, workflowInfo } from '@temporalio/workflow';
import { z } from 'zod';
import type { ReferenceActivities as Activities } from '../activities';
import { actionDecision, consequentialActions, requestTriage, type ActionDecision, type RequestTriage } from './contract';
import { Failure, raise } from '../../failures';
import { createAgentRunner } from '../../workflows/agents';
import { isHumanRejection } from '../../workflows/humanGate';
import { createHumanGate } from '../../workflows/humanGate';
import { markPipeline, markStatus } from '../../workflows/status';

export const agentDecisionInputSchema = z.strictObject({
  requestId: z.string().min(1).max(200),
  text: z.string().min(1).max(20_000),
  budgetUsd: z.number().positive().max(10_000).default(1),
  confidenceThreshold: z.number().min(0).max(1).default(0.8),
  cache: z.boolean().default(false),
});
export type AgentDecisionInput = z.input<typeof agentDecisionInputSchema>;

export type AgentDecisionResult =
  | { status: 'completed'; requestId: string; triage: RequestTriage; decision: ActionDecision; decidedBy: string; decisionId: number; costUsd: number }
  | { status: 'rejected'; requestId: string; step: string; by: string; reason?: string; costUsd: number };

const { recordAgentDecision } = proxyActivities<Activities>({
  startToCloseTimeout: '30 seconds',
  retry: { initialInterval: '1 second', maximumAttempts: 5 },
});

export const TRIAGE_PROMPT = 'You are the triage agent. Classify the customer request and list the order and customer ids it names.';
export const DECIDE_PROMPT = 'You are the decision agent. Choose one action for the request, with your confidence and the evidence for it.';

export async function agentDecision(rawInput: AgentDecisionInput): Promise<AgentDecisionResult> {
  const gate = createHumanGate();
  markPipeline('agentDecision');
  const parsed = agentDecisionInputSchema.safeParse(rawInput);
  if (!parsed.success) throw raise(Failure.InvalidInput, z.prettifyError(parsed.error));
  const input = parsed.data;
  const agents = createAgentRunner({ pipeline: 'agentDecision', budgetUsd: input.budgetUsd, gate });

  try {
    // 1. Cheap model: what kind of request, and which records it names.
    const triage = await agents.call('router', requestTriage, [
      { role: 'system', content: TRIAGE_PROMPT },
      { role: 'user', content: input.text },
    ], { step: 'triage', cache: input.cache });

    // 2. Strong model: the action. It sees the triage as data, not as a summary in prose.
    const decided = await agents.call('decider', actionDecision, [
      { role: 'system', content: DECIDE_PROMPT },
      { role: 'user', content: `Request: ${input.text}\nTriage: ${JSON.stringify(triage.output)}` },
    ], { step: 'decide', cache: input.cache });
    const decision = decided.output;

    // 3. An agent is never the last gate: a consequential action needs confidence, or a person.
    const consequential = (consequentialActions as readonly string[]).includes(decision.action);
    const { decidedBy } = consequential
      ? await agents.requireConfidence(decision, { threshold: input.confidenceThreshold, step: 'decide', evidence: decision.evidence, summary: `${decision.action} ${decision.orderId ?? ''}`.trim() })
      : { decidedBy: 'not-consequential' };

    // 4. The database records the decision; the agent's output was only a candidate.
    const recorded = await recordAgentDecision({ workflowId: workflowInfo().workflowId, requestId: input.requestId, decision, decidedBy });
    markStatus('Completed');
    return { status: 'completed', requestId: input.requestId, triage: triage.output, decision, decidedBy, decisionId: recorded.id, costUsd: agents.budget().spentUsd };
  } catch (e) {
    if (isHumanRejection(e)) {
      markStatus('Rejected');
      const d = (e.details?.[0] ?? {}) as { step?: string; by?: string; reason?: string };
      return { status: 'rejected', requestId: input.requestId, step: d.step ?? 'unknown', by: d.by ?? 'unknown', reason: d.reason, costUsd: agents.budget().spentUsd };
    }
    markStatus('Failed');
    throw e;
  }
}
