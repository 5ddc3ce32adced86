/**
 * Tools, activity side: `implementTool(spec, run)` attaches the code that does a tool's work to its
 * declaration (`defineTool`, pure), and `createToolActivities` makes the one activity every tool call goes
 * through, `runTool`, plus `recordToolRefusals` for the calls the agent loop refused without running.
 *
 * One attempt of `runTool`: the tool named (unknown → BW_TOOL_UNKNOWN), its arguments validated again (the
 * workflow already did; this is the boundary), then by effect class:
 * - `read`: run it.
 * - `write` / `irreversible` (the latter only after approval in the workflow): the effect primitive's
 *   fingerprint store claims the fingerprint of (run, tool, canonical arguments) under a lease. Done → the
 *   result recorded by the attempt that ran it, nothing runs. An earlier attempt that died after running
 *   (fault point `tool.<name>.afterEffect`) left its result in `tool_calls`: found, marked done, returned.
 *   Died before recording: the outcome is unknown and the tool runs again *with the same idempotency key*
 *   (`ctx.idempotencyKey`), which a write tool passes to the system it writes to.
 * The output is validated against the tool's `output` schema before the model ever sees it. Each call is a
 * row in `tool_calls` (arguments and result redacted), an `execute_tool` span and a per-tool metric.
 */
import { createHash } from 'node:crypto';
import { Context } from '@temporalio/activity';
import { SpanKind, SpanStatusCode } from '@opentelemetry/api';
import { z } from 'zod';
import type { BreakwaterConfig } from '../config';
import { optionalSealerFor } from '../codec/dataConverter';
import { effectKey } from '../contracts/effect';
import { canonicalJson, recordToolRefusalsInputSchema, toolWire, type ToolDescriptor, runToolInputSchema, type RecordToolRefusalsInput, type RunToolResult, type ToolSpec } from '../contracts/tool';
import { Failure, raise } from '../failures';
import { faultPoint } from '../faults';
import { recordToolCall } from '../observability/metrics';
import { redactText } from '../redact';
import type { Db } from '../store/db';
import { createFingerprintStore } from '../store/fingerprints';
import { createToolCallStore } from '../store/toolCalls';
import { tracer } from './llm/tracing';

export interface ToolContext {
  /** Stable for this call in this run across retries and crashes: pass it to the system a write tool writes to. */
  idempotencyKey: string;
  /** The workflow id of the run. */
  run: string;
  attempt: number;
  /** Aborted when the attempt's time is up. */
  signal: AbortSignal;
}

/** Thrown by a tool to refuse a call for good (`retryable: false`): the model gets the message as the result. */
export class ToolError extends Error {
  constructor(message: string, readonly retryable = false) {
    super(message);
    this.name = 'ToolError';
  }
}

export interface ToolImplementation<I = unknown, O = unknown> {
  readonly spec: ToolSpec<I, O>;
  readonly run: (args: I, ctx: ToolContext) => Promise<O>;
}

export function implementTool<I, O>(spec: ToolSpec<I, O>, run: (args: I, ctx: ToolContext) => Promise<O>): ToolImplementation<I, O> {
  return Object.freeze({ spec, run });
}

/** The named fault points of a tool's call (tests and the chaos suite arm them). */
export const toolFaultPoints = (tool: string) => ({ afterRun: `tool.${tool}.afterRun`, afterEffect: `tool.${tool}.afterEffect` });

export interface ToolActivityDeps {
  db: Db;
  config?: BreakwaterConfig;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- tools of any argument type share one registry
  tools: readonly ToolImplementation<any, any>[];
}

const sha256 = (s: string) => createHash('sha256').update(s).digest('hex');

function attemptInfo() {
  try {
    const info = Context.current().info;
    return { workflowId: info.workflowExecution?.workflowId ?? null, runId: info.workflowExecution?.runId ?? null, activityId: info.activityId, attempt: info.attempt, timeoutMs: info.startToCloseTimeoutMs || 60_000 };
  } catch {
    return { workflowId: null, runId: null, activityId: null, attempt: 1, timeoutMs: 60_000 }; // outside an activity (the bench)
  }
}

export function createToolActivities(deps: ToolActivityDeps) {
  const registry = new Map(deps.tools.map((t) => [t.spec.name, t] as const));
  if (registry.size !== deps.tools.length) throw new Error('two tools share a name');
  // The tool's arguments are stored sealed when keys are configured (a config-less deps is a bench or a unit test).
  const fingerprints = createFingerprintStore(deps.db, { sealer: deps.config && optionalSealerFor(deps.config) });
  const calls = createToolCallStore(deps.db);

  async function runTool(raw: unknown): Promise<RunToolResult> {
    const parsed = runToolInputSchema.safeParse(raw);
    if (!parsed.success) throw raise(Failure.InvalidInput, `invalid runTool input: ${z.prettifyError(parsed.error)}`);
    const input = parsed.data;
    const impl = registry.get(input.tool);
    if (!impl) throw raise(Failure.ToolUnknown, `no tool '${input.tool}' is implemented on this worker (createBreakwaterWorker({ tools }))`);
    const { spec } = impl;
    const checked = spec.input.safeParse(input.args);
    if (!checked.success) throw raise(Failure.InvalidInput, `tool '${spec.name}': invalid arguments: ${z.prettifyError(checked.error)}`);
    const args = checked.data;
    const info = attemptInfo();
    const base = { workflowId: info.workflowId, runId: info.runId, activityId: info.activityId, attempt: info.attempt, role: input.role, turn: input.turn, callId: input.callId, tool: spec.name, effect: spec.effect, args, approvedBy: input.approvedBy };
    const span = tracer().startSpan(`execute_tool ${spec.name}`, {
      kind: SpanKind.INTERNAL,
      attributes: { 'gen_ai.operation.name': 'execute_tool', 'gen_ai.tool.name': spec.name, 'gen_ai.tool.call.id': input.callId, 'gen_ai.tool.description': spec.description.slice(0, 200), 'gen_ai.tool.type': spec.api ? 'extension' : 'function', 'breakwater.tool.effect': spec.effect, 'breakwater.agent.role': input.role },
    });
    const started = Date.now();
    const ctx = (key: string): ToolContext => ({ idempotencyKey: key, run: input.run, attempt: info.attempt, signal: AbortSignal.timeout(Math.max(1000, Math.floor(info.timeoutMs * 0.9))) });

    const finish = (id: number, output: unknown, via: RunToolResult['via']): RunToolResult => {
      const resultBytes = Buffer.byteLength(JSON.stringify(output) ?? '');
      const latencyMs = Date.now() - started;
      span.setAttribute('breakwater.tool.via', via);
      span.setAttribute('breakwater.tool.result_bytes', resultBytes);
      span.end();
      recordToolCall(spec.name, via === 'ran' ? 'ran' : 'cached', latencyMs);
      return { output, via, latencyMs, resultBytes, recordId: id };
    };
    const failed = async (e: unknown, extra: { fingerprint?: string } = {}): Promise<never> => {
      const message = redactText((e as Error).message ?? String(e));
      span.setAttribute('error.type', e instanceof ToolError ? 'tool_error' : (e as Error).name ?? 'error');
      span.setStatus({ code: SpanStatusCode.ERROR, message });
      span.end();
      recordToolCall(spec.name, 'failed');
      await calls.record({ ...base, status: 'failed', error: message, latencyMs: Date.now() - started, ...extra });
      if (e instanceof ToolError) throw raise(e.retryable ? Failure.ToolFailed : Failure.ToolRefused, `tool '${spec.name}': ${message}`);
      if ((e as { type?: string }).type?.startsWith?.('BW_')) throw e;
      throw raise(Failure.ToolFailed, `tool '${spec.name}' failed: ${message}`);
    };
    const checkOutput = (out: unknown): unknown => {
      const ok = spec.output.safeParse(out);
      if (!ok.success) throw raise(Failure.ToolBadOutput, `tool '${spec.name}' returned output outside its schema: ${z.prettifyError(ok.error)}`);
      return ok.data;
    };

    if (spec.effect === 'read') {
      let output: unknown;
      try {
        output = checkOutput(await impl.run(args, ctx(`${input.run}:${spec.name}:${sha256(canonicalJson(args))}`)));
      } catch (e) {
        return failed(e);
      }
      const id = await calls.record({ ...base, status: 'ran', result: output, resultBytes: Buffer.byteLength(JSON.stringify(output) ?? ''), latencyMs: Date.now() - started });
      return finish(id, output, 'ran');
    }

    // write / irreversible: once per (run, tool, canonical arguments), through the effect primitive's fingerprints.
    const effect = `tool:${spec.name}`;
    const fields = { run: input.run, tool: spec.name, args: sha256(canonicalJson(args)) };
    const key = effectKey(effect, fields);
    const owner = `${info.workflowId}/${info.runId}/${info.activityId}#${info.attempt}`;
    const cachedResult = async (): Promise<RunToolResult | undefined> => {
      const prior = await calls.resultOf(key);
      if (!prior) return undefined;
      const id = await calls.record({ ...base, status: 'cached', fingerprint: key, resultBytes: Buffer.byteLength(JSON.stringify(prior.result) ?? '') });
      return finish(id, prior.result, 'cached');
    };
    const verdict = await fingerprints.claim({ effect, fields, payload: args, owner, leaseMs: info.timeoutMs, createdBy: info.workflowId ?? undefined, supersedes: `${info.workflowId}/${info.runId}/${info.activityId}#` });
    if (verdict.kind === 'done') {
      const hit = await cachedResult();
      if (hit) return hit;
      throw raise(Failure.ToolFailed, `tool '${spec.name}': fingerprint ${key} is done but its result is missing`);
    }
    if (verdict.kind === 'busy') {
      span.end();
      throw raise(Failure.FingerprintBusy, `fingerprint ${key} is being worked by another attempt`, { nextRetryDelay: Math.min(1000, Math.max(100, verdict.leaseRemainingMs)) });
    }
    if (verdict.kind === 'reconcile') {
      // An earlier attempt ran the tool and recorded its result, then died before marking the fingerprint done.
      const prior = await calls.resultOf(key);
      if (prior) {
        await fingerprints.markDone(key, { confirmation: String(prior.id), receivedAt: new Date().toISOString(), via: 'reconciled' });
        return (await cachedResult())!;
      }
      // It died before recording: unknown outcome. Run again under the same idempotency key.
      if (!(await fingerprints.markPosting(key, owner))) throw raise(Failure.FingerprintBusy, `lost the lease on ${key}`, { nextRetryDelay: 500 });
    }
    let output: unknown;
    try {
      output = checkOutput(await impl.run(args, ctx(key)));
    } catch (e) {
      // A refusal or bad output is a known outcome of nothing written; anything else may have written: released either way, same key next time.
      await fingerprints.release(key, owner, redactText((e as Error).message ?? String(e)));
      return failed(e, { fingerprint: key });
    }
    faultPoint(toolFaultPoints(spec.name).afterRun);
    const id = await calls.record({ ...base, status: 'ran', fingerprint: key, result: output, resultBytes: Buffer.byteLength(JSON.stringify(output) ?? ''), latencyMs: Date.now() - started });
    faultPoint(toolFaultPoints(spec.name).afterEffect);
    await fingerprints.markDone(key, { confirmation: String(id), receivedAt: new Date().toISOString(), via: 'posted' });
    return finish(id, output, 'ran');
  }

  async function recordToolRefusals(raw: RecordToolRefusalsInput): Promise<number> {
    const input = recordToolRefusalsInputSchema.parse(raw);
    const info = attemptInfo();
    await calls.recordMany(
      input.refusals.map((r) => {
        let args: unknown = r.arguments;
        try {
          args = JSON.parse(r.arguments);
        } catch {
          // kept as the raw text the model sent
        }
        recordToolCall(r.tool, 'refused');
        return { workflowId: info.workflowId, runId: info.runId, activityId: info.activityId, attempt: info.attempt, role: input.role, turn: r.turn, callId: r.callId, tool: r.tool, effect: registry.get(r.tool)?.spec.effect, status: 'refused' as const, reason: r.reason, args, error: r.message };
      }),
    );
    return input.refusals.length;
  }

  /** The tools this worker has, as descriptors: how a workflow learns tools listed at worker start (MCP). */
  async function describeTools(input: { names?: string[] } = {}): Promise<ToolDescriptor[]> {
    const wanted = input.names ? new Set(input.names) : undefined;
    const missing = input.names?.filter((n) => !registry.has(n)) ?? [];
    if (missing.length > 0) throw raise(Failure.ToolUnknown, `no tool ${missing.map((n) => `'${n}'`).join(', ')} on this worker (is its MCP server configured and listing it?)`);
    return [...registry.values()]
      .filter((t) => !wanted || wanted.has(t.spec.name))
      .map((t) => ({ ...toolWire(t.spec), effect: t.spec.effect, ...(t.spec.api ? { api: t.spec.api } : {}) }));
  }

  return { runTool, recordToolRefusals, describeTools };
}
export type ToolActivities = ReturnType<typeof createToolActivities>;
