/**
 * What a tool-using agent (`runAgent`) hands to the next run of its workflow when it continues as new: the
 * conversation so far (clipped), the transcript's tail, the turn counters, what this round of caps has used,
 * the totals, the convergence guard's repeat counts and the agent runner's budget — everything the loop
 * needs to go on as if the run had not restarted, so that no tool call is lost or repeated and no cost is
 * counted twice. Plain JSON (it travels as the workflow's input) and checked on the way in: a carry that
 * does not fit is refused with `BW_AGENT_CARRY_INVALID`, never half-applied. Pure: usable in workflows.
 *
 * Small on purpose: the task's own messages are not copied (the workflow passes them again), only the last
 * `keepTurns` turns are (a turn = the assistant's tool calls and one answer per call), and the transcript's
 * last `TRANSCRIPT_TAIL` entries.
 */
import { z } from 'zod';
import { Failure, raise } from '../failures';
import { chatMessageSchema, type ChatMessage } from './agentCall';

/** Transcript entries a carry keeps (what an escalation shows is the last 60). */
export const TRANSCRIPT_TAIL = 100;

const count = z.number().int().min(0).max(Number.MAX_SAFE_INTEGER);

export const transcriptEntrySchema = z.strictObject({
  turn: count,
  kind: z.enum(['model', 'tool', 'refused', 'final']),
  tool: z.string().max(200).optional(),
  callId: z.string().max(200).optional(),
  arguments: z.string().max(2000).optional(),
  result: z.string().max(2000).optional(),
  reason: z.string().max(200).optional(),
  costUsd: z.number().min(0).optional(),
});

/** The agent runner's budget (`Budget` in deterministic/budget.ts): the spend so far is not reset by a rollover. */
export const carriedBudgetSchema = z.strictObject({
  limitNano: count,
  spentNano: count,
  warnAt: z.number().gt(0).lt(1),
  warned: z.boolean(),
  raises: z.array(z.strictObject({ fromNano: count, toNano: count, by: z.string().max(200) })).max(1000),
});

export const agentCarrySchema = z.strictObject({
  v: z.literal(1),
  /** The agent it belongs to: a carry for another role is refused. */
  role: z.string().min(1).max(100),
  /** How many times this agent's conversation continued as new so far (this carry included). */
  rollovers: count.min(1),
  /** The conversation after the task's own messages, clipped to whole turns. */
  messages: z.array(chatMessageSchema).max(2000),
  /** Turns left out of `messages` (in all, across the chain). */
  droppedTurns: count,
  transcript: z.array(transcriptEntrySchema).max(TRANSCRIPT_TAIL),
  transcriptDropped: count,
  /** The last turn number used: the next run's first turn is `turn + 1` (tool_calls and llm_calls rows go on numbering). */
  turn: count,
  /** This round of caps (reset when a person grants another round). `startedAt` is the deadline's start, workflow time in ms. */
  round: z.strictObject({ turns: count, spentNano: count, startedAt: count, usage: z.strictObject({ total: count, perTool: z.record(z.string(), count) }) }),
  totals: z.strictObject({ spentNano: count, toolCalls: count, refused: count }),
  /** The convergence guard: per agent|tool|arguments, the action last asked for and how many times in a row. */
  repeats: z.record(z.string(), z.strictObject({ key: z.string().max(100_000), count })),
  budget: carriedBudgetSchema,
  /** Escalations the human gate opened so far: the next run's ids go on from here (a late click stays stale). */
  escalations: count,
});
export type AgentCarry = z.infer<typeof agentCarrySchema>;

/** Checks a carry that came in with the workflow's input; anything else is `BW_AGENT_CARRY_INVALID`. */
export function parseAgentCarry(raw: unknown, role?: string): AgentCarry {
  const parsed = agentCarrySchema.safeParse(raw);
  if (!parsed.success) throw raise(Failure.AgentCarryInvalid, `invalid agent carry: ${z.prettifyError(parsed.error)}`);
  if (role !== undefined && parsed.data.role !== role) throw raise(Failure.AgentCarryInvalid, `invalid agent carry: it is agent '${parsed.data.role}''s, not '${role}''s`);
  const spent = parsed.data.budget.spentNano;
  if (parsed.data.totals.spentNano > spent) throw raise(Failure.AgentCarryInvalid, `invalid agent carry: the agent's turns cost ${parsed.data.totals.spentNano} nano-USD, more than the budget's spent ${spent}`);
  if (!wholeTurns(parsed.data.messages)) throw raise(Failure.AgentCarryInvalid, 'invalid agent carry: messages must be whole turns (an assistant message with tool calls, then one tool answer per call)');
  return parsed.data;
}

/** Every assistant tool call answered, in order, and no answer without its call. */
export function wholeTurns(messages: readonly ChatMessage[]): boolean {
  let open: string[] = [];
  for (const m of messages) {
    if (m.role === 'tool') {
      if (open[0] !== m.tool_call_id) return false;
      open = open.slice(1);
    } else {
      if (open.length > 0) return false;
      if (m.role === 'assistant') open = (m.tool_calls ?? []).map((c) => c.id);
    }
  }
  return open.length === 0;
}

/**
 * The last `keep` turns of a conversation (the messages after the task): a turn starts at an assistant
 * message and ends before the next one, so a tool call is never separated from its answer.
 */
export function clipTurns(messages: readonly ChatMessage[], keep: number): { kept: ChatMessage[]; dropped: number } {
  const starts = messages.flatMap((m, i) => (m.role === 'assistant' ? [i] : []));
  if (starts.length <= keep) return { kept: [...messages], dropped: 0 };
  const from = keep <= 0 ? messages.length : starts[starts.length - keep]!;
  return { kept: messages.slice(from), dropped: starts.length - keep };
}

/** What the model sees in place of the turns a carry left out. */
export const droppedTurnsNote = (n: number): ChatMessage => ({
  role: 'user',
  content: `(${n} earlier turn(s) of this conversation were left out to keep it bounded; what those tools wrote is still there. Go on with the task.)`,
});
