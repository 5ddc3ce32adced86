/**
 * The in-memory tracker behind `agentProgressQuery` (src/contracts/agentProgress.ts): runAgent tells it what
 * the loop does, the query reads it. Nothing here reaches history — no signal, no search attribute, no
 * activity — so following a run costs its history nothing, however often it is queried.
 *
 * Module state is per run (the workflow sandbox gives each run its own module instances). A run may call
 * runAgent several times (several roles, or one role twice): progress is kept per role, and the query
 * without a role answers the one active last. Deterministic: times are workflow time.
 */
import { setHandler } from '@temporalio/workflow';
import { AGENT_PROGRESS_RECENT, agentProgressQuery, type AgentProgress, type AgentProgressEntry, type AgentStatus } from '../contracts/agentProgress';
import { redactPatterns } from '../deterministic/redactPatterns';

const byRole = new Map<string, AgentProgress>();
let active: string | undefined;
let seq = 0;
let served = false;

/**
 * Redacted first (a secret is masked whole), then clipped: what an operator's screen may show. The pattern
 * layer here (the workflow knows no secret values); followers redact again with the worker's known secrets.
 */
export const shortText = (s: string, n: number): string => {
  const r = redactPatterns(s).replace(/\s+/g, ' ');
  return r.length > n ? `${r.slice(0, n)}…` : r;
};

/** Installs the query handler (once per run; runAgent calls it). */
export function serveAgentProgress(): void {
  if (served) return;
  served = true;
  setHandler(agentProgressQuery, (role?: string) => {
    const p = byRole.get(role ?? active ?? '');
    return p ? { ...p, roles: [...byRole.keys()], recent: p.recent.map((e) => ({ ...e })) } : null;
  });
}

export interface AgentTracker {
  /** The loop's counts as they stand (runAgent's own variables). */
  counts(c: { turn: number; toolCalls: number; refused: number; costUsd: number }): void;
  status(s: AgentStatus, reason?: string): void;
  /** A model turn answered: with tool calls, or with the final answer. */
  answered(turn: number, costUsd: number, calls: readonly { name: string }[], output?: unknown): void;
  tool(turn: number, tool: string, callId: string, state: AgentProgressEntry['state'], detail?: { args?: string; result?: string; reason?: string }): void;
}

export function trackAgent(role: string, step: string): AgentTracker {
  serveAgentProgress();
  const p: AgentProgress = byRole.get(role) ?? { role, step, status: 'thinking', turn: 0, toolCalls: 0, refused: 0, costUsd: 0, updatedAt: '', seq: 0, roles: [], recent: [] };
  byRole.set(role, p);
  const changed = () => {
    active = role;
    seq += 1;
    p.seq = seq;
    p.updatedAt = new Date(Date.now()).toISOString();
    if (p.recent.length > AGENT_PROGRESS_RECENT) p.recent.splice(0, p.recent.length - AGENT_PROGRESS_RECENT);
  };
  changed();
  return {
    counts(c) {
      Object.assign(p, { turn: c.turn, toolCalls: c.toolCalls, refused: c.refused, costUsd: c.costUsd });
      changed();
    },
    status(s, reason) {
      p.status = s;
      if (reason === undefined) delete p.reason;
      else p.reason = shortText(reason, 300);
      changed();
    },
    answered(turn, costUsd, calls, output) {
      const final = calls.length === 0;
      const summary = final ? shortText(JSON.stringify(output) ?? 'null', 200) : shortText(`${calls.length} tool call(s): ${[...new Set(calls.map((c) => c.name))].join(', ')}`, 200);
      p.recent.push({ turn, kind: final ? 'final' : 'model', state: 'answered', summary, costUsd });
      changed();
    },
    tool(turn, tool, callId, state, detail = {}) {
      const args = detail.args === undefined ? '' : shortText(detail.args, 120);
      const summary = detail.reason ?? (detail.result === undefined ? args : `${args} → ${shortText(detail.result, 160)}`);
      const entry: AgentProgressEntry = { turn, kind: 'tool', tool: shortText(tool, 100), callId: shortText(callId, 100), state, ...(summary ? { summary } : {}) };
      const at = p.recent.findIndex((e) => e.kind === 'tool' && e.callId === entry.callId && e.turn === turn);
      if (at >= 0) p.recent[at] = { ...entry, summary: entry.summary ?? p.recent[at]!.summary };
      else p.recent.push(entry);
      changed();
    },
  };
}
