/**
 * Reference pipeline for tool-using agents: "research this topic". One agent with four tools (search on a
 * rate-limited API, fetch, save a note, publish) and every containment runAgent has: caps on turns, on tool
 * calls in all, per tool and per turn, a budget, a deadline, repeated-call detection, approval before the
 * irreversible publish. It ends with a report that validates, or escalates with the transcript. A long
 * conversation continues as new (every `historyEvents` events, or when Temporal suggests it), its state in
 * the input's `carry`: one workflow id, a chain of runs, one answer.
 */
import { continueAsNew, proxyActivities } from '@temporalio/workflow';
import type { Duration } from '@temporalio/common';
import { z } from 'zod';
import type { Activities } from '../../activities';
import { carriedBudgetSchema } from '../../contracts/agentCarry';
import { toolFromDescriptor } from '../../contracts/tool';
import type { Budget } from '../../deterministic/budget';
import { Failure, raise } from '../../failures';
import { createAgentRunner } from '../../workflows/agents';
import { createHumanGate, isHumanRejection } from '../../workflows/humanGate';
import { runAgent, type TranscriptEntry } from '../../workflows/runAgent';
import { markPipeline, markStatus } from '../../workflows/status';
import { researchReport, researchTools } from './contract';

export const researchAgentInputSchema = z.strictObject({
  topic: z.string().min(1).max(2000),
  budgetUsd: z.number().positive().max(1000).default(1),
  maxTurns: z.number().int().min(1).max(50).default(8),
  maxToolCalls: z.number().int().min(1).max(500).default(30),
  maxParallelToolCalls: z.number().int().min(1).max(100).default(5),
  perTool: z.record(z.string(), z.number().int().min(0)).default({ search: 10, publish: 1 }),
  agentBudgetUsd: z.number().positive().optional(),
  deadline: z.union([z.number(), z.string()]).optional(),
  /** Tools the worker lists besides researchAgent's own (e.g. from an MCP server), offered too. */
  extraTools: z.array(z.string()).max(50).default([]),
  /** Start-to-close timeout of one tool call attempt (after a crash, the retry comes this long later). Default 1 minute. */
  toolTimeout: z.string().default('1 minute'),
  /** Continue as new once a run's history has this many events (besides Temporal's own suggestion). */
  historyEvents: z.number().int().min(1).max(50_000).optional(),
  /** Set by the run this one continued from (runAgent checks it: BW_AGENT_CARRY_INVALID). */
  carry: z.unknown().optional(),
});
export type ResearchAgentInput = z.input<typeof researchAgentInputSchema>;

export type ResearchAgentResult =
  | { status: 'completed'; summary: string; sources: string[]; turns: number; toolCalls: number; refused: number; costUsd: number; rollovers: number; transcript: TranscriptEntry[] }
  | { status: 'rejected'; step: string; by: string; reason?: string };

const { describeTools } = proxyActivities<Activities>({ startToCloseTimeout: '30 seconds', retry: { maximumAttempts: 3 } });

export const RESEARCH_PROMPT = 'You are a research agent. Use the tools to research the topic, save notes of what you find, publish a summary, then answer with the report.';

export async function researchAgent(raw: ResearchAgentInput): Promise<ResearchAgentResult> {
  const gate = createHumanGate();
  markPipeline('researchAgent');
  const parsed = researchAgentInputSchema.safeParse(raw);
  if (!parsed.success) throw raise(Failure.InvalidInput, z.prettifyError(parsed.error));
  const input = parsed.data;
  // The carried budget given to the runner too, so the run's cost attribute never shows 0 in between.
  const resumeBudget = (input.carry as { budget?: Budget } | undefined)?.budget;
  const runner = createAgentRunner({ pipeline: 'researchAgent', budgetUsd: input.budgetUsd, gate, resume: carriedBudgetSchema.safeParse(resumeBudget).data });
  // Tools listed when the worker started (MCP): described once, recorded in history, so replays see the same.
  const extra = input.extraTools.length > 0 ? (await describeTools({ names: input.extraTools })).map(toolFromDescriptor) : [];
  try {
    const r = await runAgent('researcher', {
      runner,
      gate,
      tools: [...researchTools, ...extra],
      final: researchReport,
      messages: [{ role: 'system', content: RESEARCH_PROMPT }, { role: 'user', content: `Research this topic: ${input.topic}` }],
      maxTurns: input.maxTurns,
      maxToolCalls: input.maxToolCalls,
      maxParallelToolCalls: input.maxParallelToolCalls,
      perTool: input.perTool,
      budgetUsd: input.agentBudgetUsd,
      deadline: input.deadline,
      step: 'research',
      toolActivityOptions: { startToCloseTimeout: input.toolTimeout as Duration, retry: { initialInterval: '1 second', maximumAttempts: 3 } },
      historyLimit: { events: input.historyEvents },
      resume: input.carry,
      continueAsNew: (carry) => continueAsNew<typeof researchAgent>({ ...raw, carry }),
    });
    markStatus('Completed');
    return { status: 'completed', ...r.output, turns: r.turns, toolCalls: r.toolCalls, refused: r.refused, costUsd: r.costUsd, rollovers: r.rollovers, transcript: r.transcript };
  } catch (e) {
    if (!isHumanRejection(e)) throw e;
    const d = e.details?.[0] as { step: string; by: string; reason?: string };
    markStatus('Rejected');
    return { status: 'rejected', step: d.step, by: d.by, reason: d.reason };
  }
}
