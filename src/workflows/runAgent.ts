/**
 * The tool-using agent loop, in workflow code: `runAgent(role, { tools, final, ... })`.
 *
 * Each model turn is the agent runner's recorded, budgeted `callModel` activity offering the tools; each tool
 * call that may run is one `runTool` activity (on the API's broker queue for a tool bound to an `api`), up
 * to `maxParallelToolCalls` of them at once. Before anything runs, every call is screened (toolScreen.ts):
 * an unknown tool, arguments that do not fit, a call over the total, per-tool or per-turn cap — none reaches
 * an activity; the model gets a tool error message instead, and the refusal is recorded (`tool_calls`). An
 * irreversible tool waits for a person's approval (the human gate) or passes the confidence gate.
 *
 * The loop ends only with a final answer that validates against `final`, or at a cap — `maxTurns`,
 * `budgetUsd` (what the turns cost), `deadline`, the same call repeated `repeatLimit` times (the convergence
 * guards), or (without `continueAsNew`) Temporal's suggestion to continue as new — and then it escalates with
 * the transcript: a person rejects (the run ends Rejected) or retries (one more round of the same caps).
 *
 * History bound: `maxTurns` ≤ 50 and `maxToolCalls` ≤ 500 per round, each tool result handed to the model cut
 * to `maxResultChars`. With `continueAsNew`, a run whose history passes `historyLimit.events` (or Temporal's
 * suggestion) continues as new between two turns — every tool call of the last turn answered and recorded,
 * no escalation open, every handler finished — carrying the conversation's state (contracts/agentCarry.ts);
 * the workflow passes it back as `resume`. Without it, the loop stops and escalates (kind `agent-stopped`,
 * cap `history`) rather than fail the run.
 */
import { ActivityFailure, ApplicationFailure, type ActivityOptions } from '@temporalio/common';
import { allHandlersFinished, condition, log, proxyActivities, workflowInfo } from '@temporalio/workflow';
import type { Activities } from '../activities';
import type { ChatMessage } from '../contracts/agentCall';
import { clipTurns, droppedTurnsNote, parseAgentCarry, TRANSCRIPT_TAIL, type AgentCarry } from '../contracts/agentCarry';
import type { AgentSchema } from '../contracts/agentSchemas';
import { durationMs } from '../contracts/effect';
import { toolWire, type RunToolResult, type ToolRefusal, type ToolSpec } from '../contracts/tool';
import { onRequest, startConvergence } from '../deterministic/convergence';
import { nanoToUsd } from '../deterministic/budget';
import type { AgentRunner } from './agents';
import { proxyApi } from './api';
import { trackAgent } from './agentProgress';
import { humanRejection, type HumanGate } from './humanGate';
import { screenToolCalls } from './toolScreen';

export interface RunAgentOptions<T> {
  runner: AgentRunner;
  gate: HumanGate;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- tools of any argument type
  tools: readonly ToolSpec<any, any>[];
  final: AgentSchema<T>;
  /** The task: system and user messages. */
  messages: ChatMessage[];
  /** Default 10, at most 50. */
  maxTurns?: number;
  /** Tool calls that may run in all (per round). Default 50, at most 500. */
  maxToolCalls?: number;
  /** Tool calls that may run in one turn; the rest of a turn's calls are refused. Default 5. */
  maxParallelToolCalls?: number;
  /** Per tool name: how many of its calls may run. */
  perTool?: Record<string, number>;
  /** What this agent's turns may cost (USD). Default: no cap of its own (the runner's run budget still holds). */
  budgetUsd?: number;
  /** How long the loop may take: ms or "10 minutes". Default: none. */
  deadline?: number | string;
  /** The same call (tool + canonical arguments) asked for this many times stops the loop. Default 3. */
  repeatLimit?: number;
  /** A tool result is cut to this many characters before the model sees it. Default 8000. */
  maxResultChars?: number;
  /** For escalations and the records. Default: the role. */
  step?: string;
  /** runTool activity options. Default 1 min start-to-close, 3 attempts. */
  toolActivityOptions?: ActivityOptions;
  /**
   * Continue the workflow as new with this carry: `(carry) => continueAsNew<typeof myWorkflow>({ ...input, carry })`.
   * Without it, a history near Temporal's limits stops the loop (cap `history`).
   */
  continueAsNew?: (carry: AgentCarry) => Promise<never>;
  /** The carry this run continued with (the workflow input's `carry`): checked, then the loop goes on from it. */
  resume?: unknown;
  /** Continue as new once the run's history has this many events or bytes (and always when Temporal suggests it). */
  historyLimit?: { events?: number; bytes?: number };
  /** Turns of the conversation a carry keeps (the task's messages are always kept). Default 4. */
  carryTurns?: number;
}

export interface TranscriptEntry {
  turn: number;
  kind: 'model' | 'tool' | 'refused' | 'final';
  tool?: string;
  callId?: string;
  arguments?: string;
  result?: string;
  reason?: string;
  costUsd?: number;
}

export interface AgentResult<T> {
  output: T;
  turns: number;
  toolCalls: number;
  refused: number;
  costUsd: number;
  /** The transcript of this run, after the last `TRANSCRIPT_TAIL` entries of the runs it continued from. */
  transcript: TranscriptEntry[];
  /** How many times the conversation continued as new. */
  rollovers: number;
}

export type AgentCap = 'max-turns' | 'budget' | 'deadline' | 'repeated-call' | 'history';

const defaultToolOptions: ActivityOptions = { startToCloseTimeout: '1 minute', retry: { initialInterval: '1 second', maximumAttempts: 3 } };
const clip = (s: string, n: number) => (s.length > n ? `${s.slice(0, n)}… (${s.length - n} more characters)` : s);

export async function runAgent<T>(role: string, o: RunAgentOptions<T>): Promise<AgentResult<T>> {
  const step = o.step ?? role;
  const maxTurns = Math.min(o.maxTurns ?? 10, 50);
  const caps = { maxToolCalls: Math.min(o.maxToolCalls ?? 50, 500), maxParallelToolCalls: o.maxParallelToolCalls ?? 5, perTool: o.perTool ?? {} };
  const maxResultChars = o.maxResultChars ?? 8000;
  const deadlineMs = o.deadline === undefined ? undefined : durationMs.parse(o.deadline);
  const byName = new Map(o.tools.map((t) => [t.name, t as ToolSpec] as const));
  const wires = o.tools.map(toolWire);
  const { recordToolRefusals } = proxyActivities<Activities>({ startToCloseTimeout: '30 seconds', retry: { maximumAttempts: 5 } });
  const toolOptions = o.toolActivityOptions ?? defaultToolOptions;
  const local = proxyActivities<Activities>(toolOptions);
  const { workflowId } = workflowInfo();

  // A run that continued from another goes on from its carry: the same turn numbers, caps used, totals and budget.
  const carried: AgentCarry | undefined = o.resume === undefined ? undefined : parseAgentCarry(o.resume, role);
  if (carried) {
    o.runner.restoreBudget(carried.budget);
    o.gate.numberFrom(carried.escalations);
  }
  const prefix: ChatMessage[] = [...o.messages, ...(carried?.droppedTurns ? [droppedTurnsNote(carried.droppedTurns)] : [])];
  const messages: ChatMessage[] = [...prefix, ...(carried?.messages ?? [])];
  const transcript: TranscriptEntry[] = [...(carried?.transcript ?? [])];
  const fresh = () => ({ turns: 0, spentNano: 0, startedAt: Date.now(), usage: { total: 0, perTool: {} as Record<string, number> } });
  let round = carried ? { ...carried.round, usage: { total: carried.round.usage.total, perTool: { ...carried.round.usage.perTool } } } : fresh();
  let turnNo = carried?.turn ?? 0;
  let totalCalls = carried?.totals.toolCalls ?? 0;
  let refusedCount = carried?.totals.refused ?? 0;
  let totalSpentNano = carried?.totals.spentNano ?? 0;
  let turnsThisRun = 0;
  const conv = startConvergence({ planSize: 1, estimatedCostUsd: 1, limits: { repeatLimit: o.repeatLimit ?? 3 } });
  if (carried) conv.repeats = Object.fromEntries(Object.entries(carried.repeats).map(([k, v]) => [k, { ...v }]));
  const limit = o.historyLimit ?? {};
  const historyFull = (): boolean => {
    const info = workflowInfo();
    return info.continueAsNewSuggested || (limit.events !== undefined && info.historyLength >= limit.events) || (limit.bytes !== undefined && info.historySize >= limit.bytes);
  };

  /** Between two turns (every call answered and recorded, no escalation open): the next run goes on from here. */
  async function rollOver(continueAsNew: (carry: AgentCarry) => Promise<never>): Promise<never> {
    await condition(allHandlersFinished); // a budget raise or a late decision being handled is not cut off
    const { kept, dropped } = clipTurns(messages.slice(prefix.length), o.carryTurns ?? 4);
    const tail = transcript.slice(-TRANSCRIPT_TAIL);
    const carry: AgentCarry = {
      v: 1,
      role,
      rollovers: (carried?.rollovers ?? 0) + 1,
      messages: kept,
      droppedTurns: (carried?.droppedTurns ?? 0) + dropped,
      transcript: tail,
      transcriptDropped: (carried?.transcriptDropped ?? 0) + transcript.length - tail.length,
      turn: turnNo,
      round,
      totals: { spentNano: totalSpentNano, toolCalls: totalCalls, refused: refusedCount },
      repeats: conv.repeats,
      budget: o.runner.budgetState(),
      escalations: o.gate.opened,
    };
    log.info('agent continues as new', { role, turn: turnNo, rollovers: carry.rollovers, historyLength: workflowInfo().historyLength, carryBytes: JSON.stringify(carry).length });
    return continueAsNew(carry);
  }
  // Live progress for agentProgressQuery: in memory only, nothing written to history (agentProgress.ts).
  const progress = trackAgent(role, step);
  const counted = () => progress.counts({ turn: turnNo, toolCalls: totalCalls, refused: refusedCount, costUsd: nanoToUsd(totalSpentNano) });

  /** A cap was reached: a person sees the transcript and rejects, or grants another round. */
  async function stopped(cap: AgentCap, reason: string): Promise<void> {
    progress.status('stopped', `${cap}: ${reason}`);
    const details = { cap, role, turns: turnNo, toolCalls: totalCalls, refused: refusedCount, costUsd: nanoToUsd(totalSpentNano), transcript: transcript.slice(-60) };
    const resolution = await o.gate.escalate({ kind: 'agent-stopped', reason: `agent '${role}' stopped: ${reason}`, step, details, allowed: ['retry', 'reject'] });
    if (resolution.decision === 'reject') throw humanRejection(step, resolution);
    round = fresh();
    conv.repeats = {};
  }

  function capReached(): [AgentCap, string] | undefined {
    if (round.turns >= maxTurns) return ['max-turns', `no final answer within ${maxTurns} turns`];
    if (o.budgetUsd !== undefined && round.spentNano >= Math.round(o.budgetUsd * 1e9)) return ['budget', `its turns cost ${nanoToUsd(round.spentNano)} USD, the budget is ${o.budgetUsd} USD`];
    if (deadlineMs !== undefined && Date.now() - round.startedAt >= deadlineMs) return ['deadline', `no final answer within ${deadlineMs} ms`];
    if (!o.continueAsNew && workflowInfo().continueAsNewSuggested) return ['history', 'the run history is near Temporal\'s limits'];
    return undefined;
  }

  async function execute(call: { id: string; name: string }, spec: ToolSpec, args: Record<string, unknown>, turn: number, approvedBy?: string): Promise<string> {
    const input = { tool: spec.name, args, role, turn, callId: call.id, run: workflowId, ...(approvedBy ? { approvedBy } : {}) };
    const shown = JSON.stringify(args);
    progress.tool(turn, spec.name, call.id, 'running', { args: shown });
    try {
      const acts = spec.api ? proxyApi<Activities>(spec.api, toolOptions) : local;
      const r: RunToolResult = await acts.runTool(input);
      totalCalls += 1;
      const result = clip(JSON.stringify(r.output) ?? 'null', maxResultChars);
      progress.tool(turn, spec.name, call.id, 'ran', { args: shown, result });
      counted();
      return result;
    } catch (e) {
      const failure = e instanceof ActivityFailure && e.cause instanceof ApplicationFailure ? e.cause : undefined;
      totalCalls += 1;
      const result = JSON.stringify({ error: `the tool failed: ${clip((failure ?? (e as Error)).message, 1000)}` });
      progress.tool(turn, spec.name, call.id, 'failed', { args: shown, result });
      counted();
      return result;
    }
  }

  /** Irreversible: the confidence gate when configured and passed, else a person. Who approved, or undefined. */
  async function approve(spec: ToolSpec, args: Record<string, unknown>, call: { id: string }, turn: number): Promise<string | undefined> {
    const a = spec.approval ?? 'human';
    if (a !== 'human' && typeof args.confidence === 'number' && args.confidence >= a.minConfidence) return 'confidence-gate';
    progress.tool(turn, spec.name, call.id, 'waiting-approval', { args: JSON.stringify(args) });
    progress.status('waiting-approval');
    const resolution = await o.gate.escalate({ kind: 'tool-approval', reason: `agent '${role}' asks to call irreversible tool '${spec.name}'`, step, details: { tool: spec.name, arguments: args }, allowed: ['approve', 'reject'] });
    progress.status('running-tools');
    return resolution.decision === 'approve' ? resolution.by : undefined;
  }

  for (;;) {
    // At least one turn per run, so that a limit below a fresh run's own events cannot loop.
    if (o.continueAsNew && turnsThisRun > 0 && historyFull()) await rollOver(o.continueAsNew);
    const cap = capReached();
    if (cap) {
      await stopped(...cap);
      continue;
    }
    round.turns += 1;
    turnNo += 1;
    turnsThisRun += 1;
    progress.status('thinking');
    const answer = await o.runner.turn(role, o.final, messages, wires, { step });
    round.spentNano += answer.costNanoUsd;
    totalSpentNano += answer.costNanoUsd;
    const calls = answer.toolCalls ?? [];
    counted();
    progress.answered(turnNo, answer.costUsd, calls, answer.output);
    if (calls.length === 0) {
      progress.status('done');
      transcript.push({ turn: turnNo, kind: 'final', costUsd: answer.costUsd });
      return { output: answer.output as T, turns: turnNo, toolCalls: totalCalls, refused: refusedCount, costUsd: nanoToUsd(totalSpentNano), transcript, rollovers: carried?.rollovers ?? 0 };
    }
    transcript.push({ turn: turnNo, kind: 'model', costUsd: answer.costUsd, result: `${calls.length} tool call(s)` });
    messages.push({ role: 'assistant', content: '', tool_calls: calls.map((c) => ({ id: c.id, type: 'function' as const, function: { name: c.name, arguments: c.arguments } })) });

    const screened = screenToolCalls(calls, byName, caps, round.usage);
    // The convergence guard: the same call (tool + canonical arguments) asked for `repeatLimit` times.
    let repeated: string | undefined;
    for (const s of screened) {
      if (s.kind !== 'run') continue;
      const trip = onRequest(conv, { at: new Date(Date.now()).toISOString(), agent: `${role}|${s.spec.name}|${s.canonical}`, to: s.spec.name, action: s.canonical, step });
      if (trip && !repeated) repeated = `it asked for ${s.spec.name}(${clip(s.canonical, 200)}) ${trip.observed} times`;
    }
    const answers = new Map<string, string>();
    const refusals: ToolRefusal[] = [];
    const refuse = (c: { id: string; name: string; arguments: string }, reason: ToolRefusal['reason'], message: string) => {
      refusals.push({ tool: c.name.slice(0, 200), callId: c.id, turn: turnNo, reason, message, arguments: c.arguments });
      answers.set(c.id, JSON.stringify({ error: message }));
      transcript.push({ turn: turnNo, kind: 'refused', tool: c.name, callId: c.id, arguments: clip(c.arguments, 300), reason });
      refusedCount += 1;
      progress.tool(turnNo, c.name, c.id, 'refused', { reason });
      counted();
    };
    for (const s of screened) if (s.kind === 'refuse') refuse(s.call, s.reason, s.message);
    if (repeated) {
      for (const s of screened) if (s.kind === 'run') refuse(s.call, 'agent-stopped', 'Not run: the agent was stopped for repeating a call.');
      await recordToolRefusals({ role, refusals });
      await stopped('repeated-call', repeated);
      for (const c of calls) messages.push({ role: 'tool', tool_call_id: c.id, content: answers.get(c.id) ?? '' });
      continue;
    }
    if (refusals.length > 0) await recordToolRefusals({ role, refusals });

    const runnable = screened.filter((s): s is Extract<typeof s, { kind: 'run' }> => s.kind === 'run');
    const turn = turnNo;
    if (runnable.length > 0) progress.status('running-tools');
    // Reads and writes in parallel (at most maxParallelToolCalls passed the screen); irreversible ones one at a time, each behind its approval.
    await Promise.all(runnable.filter((s) => s.spec.effect !== 'irreversible').map(async (s) => answers.set(s.call.id, await execute(s.call, s.spec, s.args, turn))));
    for (const s of runnable.filter((x) => x.spec.effect === 'irreversible')) {
      const by = await approve(s.spec, s.args, s.call, turn);
      if (by === undefined) {
        refuse(s.call, 'rejected-by-human', `Not run: a person refused this call of '${s.spec.name}'.`);
        await recordToolRefusals({ role, refusals: refusals.slice(-1) });
        continue;
      }
      answers.set(s.call.id, await execute(s.call, s.spec, s.args, turn, by));
    }
    for (const s of runnable) {
      if (answers.has(s.call.id) && !transcript.some((t) => t.callId === s.call.id)) transcript.push({ turn, kind: 'tool', tool: s.spec.name, callId: s.call.id, arguments: clip(s.canonical, 300), result: clip(answers.get(s.call.id)!, 300) });
    }
    // Every call the model made gets exactly one answer, in its order (the wire format requires it).
    for (const c of calls) messages.push({ role: 'tool', tool_call_id: c.id, content: answers.get(c.id) ?? '{"error":"not run"}' });
  }
}

