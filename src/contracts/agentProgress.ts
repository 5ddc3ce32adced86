/**
 * Live progress of a running tool-using agent (`runAgent`), answered by a Workflow query: where the loop
 * stands, its counts and cost so far, and its last few steps. A query adds no history event and the loop
 * writes nothing per step for it: the state lives in the workflow's memory (src/workflows/agentProgress.ts).
 *
 * What it carries is what the run viewer may show an operator (docs/security.md): tool names, call ids,
 * states, costs, and short summaries — tool arguments and results, and the final answer, clipped and
 * redacted. Never the prompt (system or user messages). Pure: usable inside workflows.
 */
import { defineQuery } from '@temporalio/workflow';

export const AGENT_PROGRESS_QUERY = 'breakwater.agentProgress';

export const agentStatuses = ['thinking', 'running-tools', 'waiting-approval', 'stopped', 'done'] as const;
/** thinking: a model turn is in flight; running-tools: its tool calls run; waiting-approval: an irreversible call waits for a person; stopped: a cap was reached, a person decides; done: a final answer. */
export type AgentStatus = (typeof agentStatuses)[number];

/** One step of the loop, like a transcript entry but short and safe to show. */
export interface AgentProgressEntry {
  turn: number;
  kind: 'model' | 'tool' | 'final';
  tool?: string;
  callId?: string;
  /** model: answered; tool: running → ran | failed, or waiting-approval, or refused. */
  state: 'answered' | 'running' | 'ran' | 'failed' | 'waiting-approval' | 'refused';
  /** Clipped and redacted: `n tool call(s): a, b`, `args → result`, a refusal's reason, the final answer. */
  summary?: string;
  /** A model turn's cost (USD). */
  costUsd?: number;
}

export interface AgentProgress {
  role: string;
  step: string;
  status: AgentStatus;
  /** Model turns so far (all rounds). */
  turn: number;
  /** Tool calls that ran so far. */
  toolCalls: number;
  refused: number;
  /** What this agent's turns cost so far (USD). */
  costUsd: number;
  /** Why it is stopped (a cap), when status is `stopped`. */
  reason?: string;
  /** Workflow time of the last change (ISO). */
  updatedAt: string;
  /** Increases with every change: a follower compares it to know something changed. */
  seq: number;
  /** Every agent role this run has run so far, in order of first turn. */
  roles: string[];
  /** The last steps, oldest first (at most `AGENT_PROGRESS_RECENT`). */
  recent: AgentProgressEntry[];
}

export const AGENT_PROGRESS_RECENT = 20;

/**
 * The agent's progress: without an argument the agent active last (a workflow may run several), with a
 * role that role's. `null` before any agent of the run took its first turn, or for an unknown role.
 */
export const agentProgressQuery = defineQuery<AgentProgress | null, [role?: string]>(AGENT_PROGRESS_QUERY);
