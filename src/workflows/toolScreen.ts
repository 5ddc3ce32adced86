/**
 * Screening the tool calls a model asked for in one turn, before anything runs: which may run, and why
 * each of the others may not (unknown tool, arguments that are not JSON or do not fit the tool's input
 * schema, over the run's total, over the tool's own cap, over the per-turn parallel cap). Pure and
 * deterministic: the agent loop (runAgent) calls it in workflow code, the unit test calls it directly.
 */
import { canonicalJson, type ModelToolCall, type ToolRefusalReason, type ToolSpec } from '../contracts/tool';

export interface ToolCaps {
  maxToolCalls: number;
  maxParallelToolCalls: number;
  perTool: Record<string, number>;
}

export interface ToolUsage {
  total: number;
  perTool: Record<string, number>;
}

export type Screened =
  | { kind: 'run'; call: ModelToolCall; spec: ToolSpec; args: Record<string, unknown>; canonical: string }
  | { kind: 'refuse'; call: ModelToolCall; reason: ToolRefusalReason; message: string };

/** Screens `calls` in the model's order; counts the ones allowed to run into `usage`. */
export function screenToolCalls(calls: readonly ModelToolCall[], tools: ReadonlyMap<string, ToolSpec>, caps: ToolCaps, usage: ToolUsage): Screened[] {
  let thisTurn = 0;
  return calls.map((call): Screened => {
    const spec = tools.get(call.name);
    if (!spec) return { kind: 'refuse', call, reason: 'unknown-tool', message: `There is no tool named '${call.name}'. Available tools: ${[...tools.keys()].join(', ') || '(none)'}.` };
    let json: unknown;
    try {
      json = JSON.parse(call.arguments || '{}');
    } catch (e) {
      return { kind: 'refuse', call, reason: 'invalid-arguments', message: `The arguments of '${call.name}' are not valid JSON (${(e as Error).message}). Call it again with a JSON object that matches its parameters.` };
    }
    const parsed = spec.input.safeParse(json);
    if (!parsed.success) {
      const issues = parsed.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ');
      return { kind: 'refuse', call, reason: 'invalid-arguments', message: `The arguments of '${call.name}' do not match its parameters: ${issues}. Nothing was run.` };
    }
    if (usage.total >= caps.maxToolCalls) {
      return { kind: 'refuse', call, reason: 'over-total-cap', message: `Not run: this task may make at most ${caps.maxToolCalls} tool calls and all are used. Answer with what you have.` };
    }
    const toolMax = caps.perTool[call.name];
    const used = usage.perTool[call.name] ?? 0;
    if (toolMax !== undefined && used >= toolMax) {
      return { kind: 'refuse', call, reason: 'over-tool-cap', message: `Not run: '${call.name}' may be called at most ${toolMax} times in this task and all are used.` };
    }
    if (thisTurn >= caps.maxParallelToolCalls) {
      return { kind: 'refuse', call, reason: 'over-parallel-cap', message: `Not run: at most ${caps.maxParallelToolCalls} tool calls run per turn. Ask for this one again in a later turn if you still need it.` };
    }
    thisTurn += 1;
    usage.total += 1;
    usage.perTool[call.name] = used + 1;
    const args = parsed.data as Record<string, unknown>;
    return { kind: 'run', call, spec, args, canonical: canonicalJson(args) };
  });
}
