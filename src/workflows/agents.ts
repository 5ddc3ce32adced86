/**
 * The workflow side of the agent layer: a runner a workflow creates once, to call agents through the
 * `callModel` activity with a per-workflow budget tracked deterministically from activity results.
 *
 * - Every answer is re-validated with its zod schema here; an invalid one never reaches the next step.
 * - Budget: at 75 % an alert (once) and BreakwaterBudgetState=warning; at 100 % the run pauses
 *   (AwaitingHuman) until a person raises the budget (`raiseBudget` Update/signal) or rejects. Each call
 *   carries what is left of the budget, and callModel refuses a request whose worst case does not fit
 *   before it is sent (BW_LLM_RUN_BUDGET): the run pauses the same way, so spend never exceeds the budget.
 * - Global daily cap refused the call: pause (kind `daily-cap`), retry after a resolution or the next UTC day.
 * - Output still invalid after the activity's repair rounds, or a call that failed for good: escalate.
 * - `requireConfidence`: below the pipeline's threshold a person approves or rejects the decision.
 * A rejection ends the run with ApplicationFailure type `BW_REJECTED_BY_HUMAN` (see `isHumanRejection`).
 */
import { ActivityFailure, ApplicationFailure, type ActivityOptions } from '@temporalio/common';
import { log, patched, proxyActivities, setHandler, upsertSearchAttributes, workflowInfo } from '@temporalio/workflow';
import type { Activities } from '../activities';
import type { CallModelResult, ChatMessage, DailyCapDetails, InvalidOutputDetails, RunBudgetDetails } from '../contracts/agentCall';
import { agentJsonSchema, type AgentSchema } from '../contracts/agentSchemas';
import { raiseBudgetSchema, raiseClaim, type BudgetStatus, type RaiseBudget } from '../contracts/budget';
import { budgetQuery, raiseBudgetSignal, raiseBudgetUpdate } from '../contracts/messages';
import type { FailureContext, Resolution } from '../contracts/resolution';
import { BreakwaterBudgetState, BreakwaterCostUsd } from '../contracts/searchAttributes';
import { budgetLevel, budgetView, createBudget, msUntilNextUtcDay, nanoToUsd, raiseBudget, recordSpend, type Budget } from '../deterministic/budget';
import { Failure, failureDetails, failureSpecOf, isFailure, raise } from '../failures';
import { humanRejection, type HumanGate } from './humanGate';
import { markCost } from './status';
import type { ToolWire } from '../contracts/tool';

export interface AgentRunnerOptions {
  pipeline: string;
  budgetUsd: number;
  gate: HumanGate;
  /** Fraction of the budget that raises the warning. Default 0.75. */
  warnAt?: number;
  /** callModel activity options. Default: 2 min start-to-close, 6 attempts (429/5xx retried by the activity's own delays). */
  activityOptions?: ActivityOptions;
  /**
   * The budget of the run this one continued from (`carry.budget` of a tool-using agent's carry): what was
   * spent is not spent again. Optional even then — `runAgent({ resume })` restores it too — but given here
   * the run's cost search attribute is right from its first event (no upsert back and forth).
   */
  resume?: Budget;
}

export interface AgentCallOptions {
  /** Pipeline step, for escalations and alerts. Default: the role. */
  step?: string;
  cache?: boolean;
  temperature?: number;
  maxRepairs?: number;
}

export type AgentAnswer<T> = Omit<CallModelResult, 'output'> & { output: T };

export interface AgentRunner {
  call<T>(role: string, schema: AgentSchema<T>, messages: ChatMessage[], options?: AgentCallOptions): Promise<AgentAnswer<T>>;
  /**
   * One turn of a tool-using agent (`runAgent`): the same recorded, budgeted call, offering `tools`. The
   * answer is tool calls (`toolCalls`, `output` null) or the final answer validated against `schema`.
   */
  turn<T>(role: string, schema: AgentSchema<T>, messages: ChatMessage[], tools: ToolWire[], options?: AgentCallOptions): Promise<AgentAnswer<T | null>>;
  /** Lets a decision through when confident enough; otherwise a person approves (returns who) or rejects (throws). */
  requireConfidence(decision: { confidence: number }, o: { threshold: number; step: string; evidence?: unknown; summary?: string }): Promise<{ decidedBy: string }>;
  budget(): BudgetStatus;
  /** The budget as plain JSON, for a carry across continue-as-new. */
  budgetState(): Budget;
  /** Puts back the budget a carry brought (nothing happens when it is the one the runner already has). */
  restoreBudget(b: Budget): void;
}

const defaultActivityOptions: ActivityOptions = {
  startToCloseTimeout: '2 minutes',
  // callModel heartbeats every 5 s while it waits for the model; a dead worker is noticed in 20 s, not 2 min.
  heartbeatTimeout: '20 seconds',
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '1 minute', maximumAttempts: 6 },
};

const rejection = humanRejection;

export function createAgentRunner(o: AgentRunnerOptions): AgentRunner {
  const { callModel, sendAlert, authorizeApprover } = proxyActivities<Activities>(o.activityOptions ?? defaultActivityOptions);
  const { workflowId } = workflowInfo();
  const box: { budget: Budget } = { budget: o.resume ? copyBudget(o.resume) : createBudget(o.budgetUsd, o.warnAt) };
  // Runs started before calls carried their budget replay without it (and so without the refusal).
  const reserveBudget = patched('breakwater-run-budget-reservation');

  const status = (): BudgetStatus => ({
    ...budgetView(box.budget),
    raises: box.budget.raises.map((r) => ({ fromUsd: nanoToUsd(r.fromNano), toUsd: nanoToUsd(r.toNano), by: r.by })),
  });
  // Runs started before this patch upsert cost and budget state separately on every spend; newer runs
  // upsert once, and only what changed: each upsert is a history event and a visibility write (the scale
  // benchmark counts them).
  const oneUpsertPerSpend = patched('breakwater-one-upsert-per-spend');
  // What the run shows now: the SDK updates the run's search attributes as soon as they are upserted.
  const shown = () => workflowInfo().typedSearchAttributes;
  const markBudgetState = (level: string): void => {
    if (oneUpsertPerSpend && shown().get(BreakwaterBudgetState) === level) return;
    upsertSearchAttributes([{ key: BreakwaterBudgetState, value: level }]);
  };
  const markBudget = (): void => markBudgetState(budgetLevel(box.budget));
  /** Cost and budget state, after a spend: one upsert of what changed (two, always, before the patch). */
  const markSpend = (): void => {
    const costUsd = nanoToUsd(box.budget.spentNano);
    if (!oneUpsertPerSpend) {
      markCost(costUsd);
      markBudget();
      return;
    }
    const level = budgetLevel(box.budget);
    const changes = [
      ...(shown().get(BreakwaterCostUsd) !== costUsd ? [{ key: BreakwaterCostUsd, value: costUsd }] : []),
      ...(shown().get(BreakwaterBudgetState) !== level ? [{ key: BreakwaterBudgetState, value: level }] : []),
    ];
    if (changes.length) upsertSearchAttributes(changes);
  };
  const checkRaise = (payload: unknown): RaiseBudget => {
    const parsed = raiseBudgetSchema.safeParse(payload);
    if (!parsed.success) throw new Error(`Invalid raiseBudget payload: ${parsed.error.issues.map((i) => `${i.path.join('.') || 'payload'}: ${i.message}`).join('; ')}`);
    if (Math.round(parsed.data.toUsd * 1e9) <= box.budget.limitNano) throw new Error(`The new budget ${parsed.data.toUsd} USD must be above the current ${nanoToUsd(box.budget.limitNano)} USD`);
    return parsed.data;
  };
  const applyRaise = (r: RaiseBudget): BudgetStatus => {
    box.budget = raiseBudget(box.budget, r.toUsd, r.by);
    log.info('budget raised', { toUsd: r.toUsd, by: r.by });
    markBudget();
    return status();
  };
  // Who may raise a budget is verified worker-side (signature, or development mode) and every attempt recorded.
  const refusal = async (r: RaiseBudget): Promise<ApplicationFailure | undefined> => {
    const verdict = await authorizeApprover({
      by: r.by,
      action: 'budget:raise',
      target: workflowId,
      detail: { toUsd: r.toUsd },
      claim: raiseClaim(workflowId, r),
      proof: { at: r.at, signature: r.signature, signer: r.signer },
    });
    return verdict.accepted ? undefined : raise(failureSpecOf(verdict.code) ?? Failure.ApproverRejected, verdict.reason);
  };
  setHandler(
    raiseBudgetUpdate,
    async (payload) => {
      const r = checkRaise(payload);
      const refused = await refusal(r);
      if (refused) throw refused;
      return applyRaise(checkRaise(r));
    },
    { validator: (r) => void checkRaise(r) },
  );
  setHandler(raiseBudgetSignal, async (payload) => {
    try {
      const r = checkRaise(payload);
      const refused = await refusal(r);
      if (refused) throw refused;
      applyRaise(checkRaise(r));
    } catch (e) {
      log.warn('raiseBudget signal ignored', { why: (e as Error).message });
    }
  });
  setHandler(budgetQuery, status);
  markSpend();

  async function alert(kind: string, title: string, message: string, step: string, details?: Record<string, unknown>, latestFailure?: FailureContext): Promise<void> {
    await sendAlert({ title, message, priority: kind === 'budget-warning' ? 3 : 4, tags: ['breakwater', kind], dedupeKey: `${kind}:${workflowId}`, workflowId, pipeline: o.pipeline, step, details, latestFailure });
  }

  /** Adds what a call cost; raises the 75 % warning once; pauses while the budget is exhausted. */
  async function spend(costNano: number, step: string): Promise<void> {
    const r = recordSpend(box.budget, costNano);
    box.budget = r.budget;
    markSpend();
    if (r.warnNow) {
      const v = budgetView(box.budget);
      await alert('budget-warning', `${o.pipeline}: ${Math.floor(v.fraction * 100)} % of the LLM budget spent`, `Spent ${v.spentUsd} of ${v.limitUsd} USD.`, step, { ...v });
    }
    await holdWhileExhausted(step);
  }

  /** Pauses while the budget is spent, or (`needNano`) cannot cover the next request's worst case. */
  async function holdWhileExhausted(step: string, needNano = 0): Promise<void> {
    const short = (): boolean => budgetLevel(box.budget) === 'exhausted' || box.budget.spentNano + needNano > box.budget.limitNano;
    if (!short()) return;
    const v = budgetView(box.budget);
    const next = needNano > 0 ? ` The next request may cost up to ${nanoToUsd(needNano)} USD.` : '';
    const reason = `LLM budget exhausted: spent ${v.spentUsd} of ${v.limitUsd} USD.${next} Raise it (breakwater budget raise ${workflowId} --to USD --by NAME) or reject.`;
    const details = { ...v, ...(needNano > 0 ? { level: 'exhausted' as const, nextRequestUsd: nanoToUsd(needNano) } : {}) };
    if (needNano > 0) markBudgetState('exhausted');
    await alert('budget-exhausted', `${o.pipeline}: LLM budget exhausted`, reason, step, details);
    const resolution = await o.gate.escalateUntil({ kind: 'budget-exhausted', reason, step, details, allowed: ['reject'] }, () => !short());
    if (resolution) throw rejection(step, resolution);
  }

  async function escalate(kind: string, reason: string, step: string, details: Record<string, unknown>, error: string, until?: { ms: number }): Promise<void> {
    const failure = { error, at: new Date(Date.now()).toISOString() };
    await alert(kind, `${o.pipeline}: ${kind} at ${step}`, reason, step, details, failure);
    const e = { kind, reason, step, details, latestFailure: failure, allowed: ['retry', 'reject'] as Resolution['decision'][] };
    const resolution = until ? await o.gate.escalateUntil(e, () => false, until.ms) : await o.gate.escalate(e);
    if (resolution?.decision === 'reject') throw rejection(step, resolution);
  }

  function call<T>(role: string, schema: AgentSchema<T>, messages: ChatMessage[], options: AgentCallOptions = {}): Promise<AgentAnswer<T>> {
    return invoke(role, schema, messages, options, undefined) as Promise<AgentAnswer<T>>;
  }

  function turn<T>(role: string, schema: AgentSchema<T>, messages: ChatMessage[], tools: ToolWire[], options: AgentCallOptions = {}): Promise<AgentAnswer<T | null>> {
    return invoke(role, schema, messages, options, tools);
  }

  async function invoke<T>(role: string, schema: AgentSchema<T>, messages: ChatMessage[], options: AgentCallOptions, tools: ToolWire[] | undefined): Promise<AgentAnswer<T | null>> {
    const step = options.step ?? role;
    for (;;) {
      await holdWhileExhausted(step);
      let result: CallModelResult;
      try {
        const budgetNanoUsd = reserveBudget ? Math.max(0, box.budget.limitNano - box.budget.spentNano) : undefined;
        result = await callModel({ role, schema: schema.name, jsonSchema: agentJsonSchema(schema.schema), messages, cache: options.cache, temperature: options.temperature, maxRepairs: options.maxRepairs, budgetNanoUsd, ...(tools ? { tools } : {}) });
      } catch (err) {
        const failure = err instanceof ActivityFailure && err.cause instanceof ApplicationFailure ? err.cause : undefined;
        const message = (failure ?? (err as Error)).message;
        if (failure && isFailure(failure, Failure.LlmInvalidOutput)) {
          const d = failureDetails<InvalidOutputDetails>(failure, Failure.LlmInvalidOutput)!;
          await spend(d.costNanoUsd, step);
          await escalate('invalid-output', `agent '${role}' kept answering outside schema '${schema.name}'`, step, { role, schema: schema.name, issues: d.issues, callIds: d.callIds }, message);
        } else if (failure && isFailure(failure, Failure.LlmDailyCap)) {
          const d = failureDetails<DailyCapDetails & { costNanoUsd: number }>(failure, Failure.LlmDailyCap)!;
          await spend(d.costNanoUsd, step);
          // Retried after a person's go-ahead, or by itself when the UTC day (and the cap) turns over.
          await escalate('daily-cap', `global daily LLM spend cap reached (${d.spentUsd} of ${d.capUsd} USD on ${d.day})`, step, { ...d }, message, { ms: msUntilNextUtcDay(Date.now()) + 1000 });
        } else if (failure && isFailure(failure, Failure.LlmRunBudget)) {
          const d = failureDetails<RunBudgetDetails>(failure, Failure.LlmRunBudget)!;
          await spend(d.costNanoUsd, step);
          // Paused as at 100 %, until the budget covers the request's worst case (a person raises it) or a rejection.
          await holdWhileExhausted(step, d.estimateNanoUsd);
        } else {
          // A call of unknown outcome (timeout, lost response) reports what it may have cost: it counts.
          const cost = failure ? (failure.details?.[0] as { costNanoUsd?: unknown } | undefined)?.costNanoUsd : undefined;
          if (typeof cost === 'number' && Number.isSafeInteger(cost) && cost > 0) await spend(cost, step);
          await escalate('llm-call-failed', `agent '${role}' could not be called`, step, { role, schema: schema.name, type: failure?.type ?? 'unknown' }, message);
        }
        continue; // a person said retry, or the day turned: call again with the same input
      }
      await spend(result.costNanoUsd, step);
      if (tools && result.toolCalls?.length) return { ...result, output: null };
      // Defence in depth: the answer crossed a serialization boundary; it moves on only if it still fits.
      const checked = schema.schema.safeParse(result.output);
      if (checked.success) return { ...result, output: checked.data };
      const issues = checked.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`);
      await escalate('invalid-output', `agent '${role}' answer failed workflow-side validation`, step, { role, schema: schema.name, issues }, issues.join('; '));
    }
  }

  async function requireConfidence(decision: { confidence: number }, c: { threshold: number; step: string; evidence?: unknown; summary?: string }): Promise<{ decidedBy: string }> {
    if (decision.confidence >= c.threshold) return { decidedBy: 'confidence-gate' };
    const reason = `${c.summary ?? 'agent decision'}: confidence ${decision.confidence} is below the threshold ${c.threshold}`;
    const details = { decision, evidence: c.evidence, threshold: c.threshold };
    await alert('low-confidence', `${o.pipeline}: decision needs review`, reason, c.step, details);
    const resolution = await o.gate.escalate({ kind: 'low-confidence', reason, step: c.step, details, allowed: ['approve', 'reject'] });
    if (resolution.decision !== 'approve') throw rejection(c.step, resolution);
    return { decidedBy: resolution.by };
  }

  function restoreBudget(b: Budget): void {
    const same = (x: Budget, y: Budget) => x.limitNano === y.limitNano && x.spentNano === y.spentNano && x.warnAt === y.warnAt && x.warned === y.warned && x.raises.length === y.raises.length;
    if (same(b, box.budget)) return;
    box.budget = copyBudget(b);
    markSpend();
  }

  return { call, turn, requireConfidence, budget: status, budgetState: () => copyBudget(box.budget), restoreBudget };
}

const copyBudget = (b: Budget): Budget => ({ ...b, raises: b.raises.map((r) => ({ ...r })) });
