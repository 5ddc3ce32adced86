/**
 * Tools an agent may call: `defineTool` declares one — its name, what it is for, its input and output as zod
 * schemas, and its effect class. Pure: the same declaration is imported by workflow code (to show the model
 * the tool, validate its arguments before anything runs, and decide how the call is contained) and by the
 * worker (`implementTool` in breakwater/activities attaches the code that does the work).
 *
 * Effect classes (what a call may do to the world, and so how Breakwater runs it):
 * - `read`: nothing; run as an ordinary activity, retried freely.
 * - `write`: changes something; idempotent by a fingerprint of (run, tool, canonical arguments) through the
 *   effect primitive's fingerprint store: the same call in the same run runs once, across retries and crashes.
 * - `irreversible`: cannot be undone; a person approves (the human gate) — or the confidence gate, with
 *   `approval: { minConfidence }` — before it runs, and then it runs once like a `write`.
 * `api`: the tool calls a rate-limited API: its activity runs on that API's broker queue (`createApiWorkers`).
 */
import { z } from 'zod';
import { agentJsonSchema } from './agentSchemas';

export const toolEffects = ['read', 'write', 'irreversible'] as const;
export type ToolEffect = (typeof toolEffects)[number];

/** How an irreversible tool is approved: a person (default), or the confidence gate on the arguments' `confidence`. */
export type ToolApproval = 'human' | { minConfidence: number };

export interface ToolSpec<I = unknown, O = unknown> {
  readonly name: string;
  readonly description: string;
  readonly input: z.ZodType<I>;
  readonly output: z.ZodType<O>;
  readonly effect: ToolEffect;
  readonly api?: string;
  readonly approval?: ToolApproval;
  /** The input's JSON Schema as the model sees it, when it came as JSON Schema (an MCP server's tool). */
  readonly parameters?: Record<string, unknown>;
}

export interface ToolDefinition<IS extends z.ZodType = z.ZodType, OS extends z.ZodType = z.ZodType> {
  name: string;
  description: string;
  input: IS;
  output: OS;
  effect: ToolEffect;
  api?: string;
  approval?: ToolApproval;
  parameters?: Record<string, unknown>;
}

/** OpenAI's rule for function names. */
const TOOL_NAME = /^[a-zA-Z0-9_-]{1,64}$/;

export function defineTool<IS extends z.ZodType, OS extends z.ZodType>(d: ToolDefinition<IS, OS>): ToolSpec<z.output<IS>, z.output<OS>> {
  if (!TOOL_NAME.test(d.name)) throw new Error(`tool name '${d.name}' must match [a-zA-Z0-9_-]{1,64} (OpenAI's rule for function names)`);
  if (!toolEffects.includes(d.effect)) throw new Error(`tool '${d.name}': effect must be one of ${toolEffects.join(', ')}, got '${String(d.effect)}'`);
  if (!d.description.trim()) throw new Error(`tool '${d.name}': a description is required (it is what the model reads to choose the tool)`);
  const js = agentJsonSchema(d.input);
  if (js.type !== 'object') throw new Error(`tool '${d.name}': its input must be a zod object (function arguments are a JSON object)`);
  if (d.approval !== undefined && d.approval !== 'human' && !(d.approval.minConfidence >= 0 && d.approval.minConfidence <= 1)) {
    throw new Error(`tool '${d.name}': approval.minConfidence must be in [0, 1]`);
  }
  return Object.freeze({ ...d }) as ToolSpec<z.output<IS>, z.output<OS>>;
}

/** What the model is shown of a tool (OpenAI `tools` wire format, minus the wrapper). */
export const toolWireSchema = z.strictObject({
  name: z.string().regex(TOOL_NAME),
  description: z.string().max(4000),
  parameters: z.record(z.string(), z.unknown()),
});
export type ToolWire = z.infer<typeof toolWireSchema>;

export const toolWire = (t: ToolSpec): ToolWire => ({ name: t.name, description: t.description, parameters: t.parameters ?? agentJsonSchema(t.input) });

/** A tool as a worker describes it to a workflow (`describeTools`): what a tool listed at worker start (MCP) is. */
export const toolDescriptorSchema = z.strictObject({
  name: z.string().regex(TOOL_NAME),
  description: z.string().max(4000),
  parameters: z.record(z.string(), z.unknown()),
  effect: z.enum(toolEffects),
  api: z.string().optional(),
});
export type ToolDescriptor = z.infer<typeof toolDescriptorSchema>;

/**
 * The spec of a tool known to the workflow only by its descriptor (an MCP tool): its input validated by the
 * zod schema rebuilt from the JSON Schema (`z.fromJSONSchema`, pure), its output by the worker.
 */
export function toolFromDescriptor(d: ToolDescriptor): ToolSpec<Record<string, unknown>, unknown> {
  const t = toolDescriptorSchema.parse(d);
  const input = z.fromJSONSchema(t.parameters as Parameters<typeof z.fromJSONSchema>[0]) as z.ZodType<Record<string, unknown>>;
  return Object.freeze({ name: t.name, description: t.description, input, output: z.unknown(), effect: t.effect, ...(t.api ? { api: t.api } : {}), parameters: t.parameters });
}

/** JSON with object keys sorted at every depth: equal arguments, equal text, whatever order the model wrote. */
export function canonicalJson(value: unknown): string {
  const walk = (v: unknown): unknown => {
    if (Array.isArray(v)) return v.map(walk);
    if (v && typeof v === 'object') return Object.fromEntries(Object.keys(v).sort().map((k) => [k, walk((v as Record<string, unknown>)[k])]));
    return v;
  };
  return JSON.stringify(walk(value));
}

/** One tool call the model asked for, as it crosses from callModel to the workflow. */
export const modelToolCallSchema = z.strictObject({
  id: z.string().min(1).max(200),
  name: z.string().min(1).max(200),
  /** The raw arguments text the model sent (maybe not JSON, maybe not fitting the tool). */
  arguments: z.string().max(100_000),
});
export type ModelToolCall = z.infer<typeof modelToolCallSchema>;

/** The `runTool` activity's input. */
export const runToolInputSchema = z.strictObject({
  tool: z.string().regex(TOOL_NAME),
  /** Arguments already validated by the workflow; validated again by the worker. */
  args: z.record(z.string(), z.unknown()),
  role: z.string().min(1).max(100),
  turn: z.number().int().min(0),
  callId: z.string().min(1).max(200),
  /** The run the write fingerprint belongs to (the workflow id: stable across continue-as-new). */
  run: z.string().min(1).max(1000),
  /** Who approved an irreversible call (recorded). */
  approvedBy: z.string().max(200).optional(),
});
export type RunToolInput = z.infer<typeof runToolInputSchema>;

export interface RunToolResult {
  /** The tool's output, validated against its `output` schema. */
  output: unknown;
  /** `cached`: a write whose fingerprint was already done: the stored result, nothing ran. */
  via: 'ran' | 'cached';
  latencyMs: number;
  resultBytes: number;
  /** tool_calls row id. */
  recordId: number;
}

/** Why a call was not run. */
export const toolRefusalReasons = ['unknown-tool', 'invalid-arguments', 'over-parallel-cap', 'over-total-cap', 'over-tool-cap', 'rejected-by-human', 'agent-stopped'] as const;
export type ToolRefusalReason = (typeof toolRefusalReasons)[number];

export const toolRefusalSchema = z.strictObject({
  tool: z.string().max(200),
  callId: z.string().max(200),
  turn: z.number().int().min(0),
  reason: z.enum(toolRefusalReasons),
  message: z.string().max(4000),
  /** The raw arguments text (redacted before it is stored). */
  arguments: z.string().max(100_000),
});
export type ToolRefusal = z.infer<typeof toolRefusalSchema>;

export const recordToolRefusalsInputSchema = z.strictObject({ role: z.string().min(1).max(100), refusals: z.array(toolRefusalSchema).max(1000) });
export type RecordToolRefusalsInput = z.infer<typeof recordToolRefusalsInputSchema>;
