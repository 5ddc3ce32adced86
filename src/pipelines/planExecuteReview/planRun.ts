/**
 * The moving parts of a planExecuteReview run, kept apart from the story in planExecuteReview.ts: asking
 * agents under the convergence guards, the resource gate loop, one step (executor ↔ helpers, then the
 * deterministic and the agent review), a re-plan, and escalating a trip with the coordination log.
 */
import type { Duration } from '@temporalio/common';
import { proxyActivities, sleep, workflowInfo } from '@temporalio/workflow';
import type { ReferenceActivities as Activities } from '../activities';
import type { ChatMessage } from '../../contracts/agentCall';
import type { AgentSchema } from '../../contracts/agentSchemas';
import { helperAnswer, replan, stepResult, stepReview, type InferredValue, type PlanStep, type Resource } from './contract';
import type { EscalationRequest, Resolution } from '../../contracts/resolution';
import {
  beforeIteration, beforeStep, checkCost, checkReplan, commitReplan, logAction, onRequest, onResult, raiseCostCeiling,
  type ConvergenceState, type Trip,
} from '../../deterministic/convergence';
import { reviewValues, type InferredValuePolicy } from './reviewPolicy';
import type { AgentAnswer, AgentRunner } from '../../workflows/agents';
import { humanRejection } from '../../workflows/humanGate';
import type { HumanGate } from '../../workflows/humanGate';

export const EXECUTOR_PROMPT = 'You are an executor agent. Carry out exactly the step you are given on the records given. Answer outcome "done" with one value per record you change, or outcome "request" to ask another agent for something you need.';
export const HELPER_PROMPT = 'You are a helper agent. Answer the request of another agent with short findings.';
export const REVIEWER_PROMPT = 'You are the reviewer agent. Check the values a step produced against the step and the records; approve or reject with the issues you found.';
export const REPLANNER_PROMPT = 'You are the planner agent. A step of your plan failed review. Replace it with smaller steps that avoid the issues, listing any new resource they use in the manifest.';

const { sendAlert } = proxyActivities<Activities>({ startToCloseTimeout: '30 seconds', retry: { maximumAttempts: 5 } });
const { checkResources } = proxyActivities<Activities>({
  startToCloseTimeout: '1 minute',
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '30 seconds', maximumAttempts: 10 },
});

export interface RunContext {
  pipeline: string;
  taskId: string;
  gate: HumanGate;
  agents: AgentRunner;
  conv: ConvergenceState;
  helpers: readonly string[];
  reviewer: string;
  planner: string;
  policy: InferredValuePolicy;
  maxStepAttempts: number;
  records: readonly { id: string; fields: Record<string, string | null> }[];
  /** Every resource accepted by the gate so far, and the terms of each taxonomy among them. */
  manifest: Resource[];
  taxonomies: Record<string, string[]>;
}

export interface QueuedStep {
  step: PlanStep;
  /** How many re-plans led to this step (0 = from the original plan). */
  depth: number;
}

export interface AppliedValues {
  step: PlanStep;
  role: string;
  model: string;
  values: (InferredValue & { reviewedBy?: string })[];
}

/** Thrown to end the run at a convergence trip a person chose not to override: it keeps what was reviewed. */
export class TripStop extends Error {
  constructor(readonly trip: Trip, readonly by: string) {
    super(`stopped at ${trip.kind}: ${trip.reason}`);
  }
}

export const nowIso = (): string => new Date(Date.now()).toISOString();

export const rejectedBy = humanRejection;

/** Sends an alert (recorded, deduplicated per run and kind) without waiting for anyone. */
export async function alert(ctx: RunContext, e: EscalationRequest): Promise<void> {
  const { workflowId } = workflowInfo();
  await sendAlert({ title: `${ctx.pipeline}: ${e.kind}`, message: e.reason, priority: 4, tags: ['breakwater', e.kind], dedupeKey: `${e.kind}:${workflowId}`, workflowId, pipeline: ctx.pipeline, step: e.step, details: e.details });
}

/** Alerts, then waits for a person. The coordination log rides along in `details`. */
export async function escalateWithAlert(ctx: RunContext, e: EscalationRequest, timeout?: Duration): Promise<Resolution | undefined> {
  await alert(ctx, e);
  return timeout === undefined ? ctx.gate.escalate(e) : ctx.gate.escalateUntil(e, () => false, timeout);
}

/** A trip escalates with the coordination log. Approve = stop here and keep what was reviewed; reject = end. */
export async function escalateTrip(ctx: RunContext, trip: Trip): Promise<never> {
  const c = ctx.conv;
  const r = await escalateWithAlert(ctx, {
    kind: trip.kind,
    reason: `${trip.reason}. approve = stop here and hold what was reviewed for a person (plan_held_values, never output); reject = end the run, write nothing`,
    step: trip.step,
    details: { trip: { kind: trip.kind, limit: trip.limit, observed: trip.observed }, executedSteps: c.executedSteps, stepBudget: c.stepBudget, replans: c.replans, iterations: c.iterations, costUsd: ctx.agents.budget().spentUsd, estimatedCostUsd: c.estimatedCostUsd, coordinationLog: trip.log },
    allowed: ['approve', 'reject'],
  });
  if (r?.decision === 'approve') throw new TripStop(trip, r.by);
  throw rejectedBy(trip.step ?? trip.kind, r ?? { decision: 'reject', by: 'unknown' });
}

/** Asks an agent: counts the turn, logs it, and pauses at the cost ceiling (approve raises it). */
export async function ask<T>(ctx: RunContext, role: string, schema: AgentSchema<T>, messages: ChatMessage[], step: string): Promise<AgentAnswer<T>> {
  const trip = beforeIteration(ctx.conv, step);
  if (trip) await escalateTrip(ctx, trip);
  const answer = await ctx.agents.call(role, schema, messages, { step });
  const spent = ctx.agents.budget().spentUsd;
  const over = checkCost(ctx.conv, spent, step);
  if (over) {
    const r = await escalateWithAlert(ctx, {
      kind: over.kind,
      reason: `${over.reason}. approve = go on (next pause at another ${ctx.conv.limits.costFactor} × the estimate); reject = end the run`,
      step,
      details: { spentUsd: spent, ceilingUsd: over.limit, estimatedCostUsd: ctx.conv.estimatedCostUsd, coordinationLog: over.log },
      allowed: ['approve', 'reject'],
    });
    if (r?.decision !== 'approve') throw rejectedBy(step, r ?? { decision: 'reject', by: 'unknown' });
    raiseCostCeiling(ctx.conv, spent);
  }
  return answer;
}

/** The resource gate: nothing missing, or AwaitingHuman listing what is (retry re-checks; reject ends). */
export async function gateResources(ctx: RunContext, resources: Resource[], step: string): Promise<void> {
  for (;;) {
    const result = await checkResources({ resources });
    logAction(ctx.conv, { at: nowIso(), agent: 'resource-gate', action: 'check-resources', step, detail: `${result.checked} checked, ${result.missing.length} missing` });
    if (result.missing.length === 0) {
      ctx.manifest.push(...resources.filter((r) => !ctx.manifest.some((m) => m.id === r.id)));
      Object.assign(ctx.taxonomies, result.taxonomies);
      return;
    }
    const list = result.missing.map((m) => `${m.kind} '${m.locator}' (${m.why})`).join('; ');
    const r = await escalateWithAlert(ctx, {
      kind: 'missing-resources',
      reason: `the plan references resources that do not exist or cannot be read: ${list}. No step has run. retry = check again; reject = end the run`,
      step,
      details: { missing: result.missing, manifest: resources, coordinationLog: ctx.conv.log },
      allowed: ['retry', 'reject'],
    });
    if (r?.decision !== 'retry') throw rejectedBy(step, r ?? { decision: 'reject', by: 'unknown' });
  }
}

function stepMessage(ctx: RunContext, q: QueuedStep, extra: string): string {
  const used = ctx.manifest.filter((m) => q.step.resources.includes(m.id)).map((m) => ({ ...m, terms: ctx.taxonomies[m.id] }));
  return [
    `Task: ${ctx.taskId}`,
    `Step: ${q.step.id}`,
    `Action: ${q.step.action}`,
    `Field: ${q.step.field ?? '(none)'}`,
    `Instructions: ${q.step.instructions}`,
    `Resources: ${JSON.stringify(used)}`,
    `Records: ${JSON.stringify(ctx.records)}`,
    extra,
  ].join('\n');
}

/** The executor's turns on one step: answers `request`s through the helper agents until it is `done`. */
async function execute(ctx: RunContext, q: QueuedStep, feedback: string[]): Promise<{ values: InferredValue[]; role: string; model: string } | { problems: string[] }> {
  const { step } = q;
  const findings: string[] = [];
  for (;;) {
    const extra = [findings.length ? `Context from helpers: ${JSON.stringify(findings)}` : '', feedback.length ? `Reviewer feedback on the last attempt: ${JSON.stringify(feedback)}` : ''].filter(Boolean).join('\n');
    const answer = await ask(ctx, step.agent, stepResult, [{ role: 'system', content: EXECUTOR_PROMPT }, { role: 'user', content: stepMessage(ctx, q, extra) }], step.id);
    const out = answer.output;
    if (out.outcome === 'done') {
      onResult(ctx.conv, step.agent);
      logAction(ctx.conv, { at: nowIso(), agent: step.agent, action: step.action, step: step.id, detail: `${out.values.length} value(s)` });
      return { values: out.values, role: answer.role, model: answer.model };
    }
    if (!out.request) return { problems: [`agent '${step.agent}' answered "request" without a request`] };
    const trip = onRequest(ctx.conv, { at: nowIso(), agent: step.agent, to: out.request.to, action: out.request.action, step: step.id, detail: out.request.detail });
    if (trip) await escalateTrip(ctx, trip);
    if (!ctx.helpers.includes(out.request.to)) return { problems: [`agent '${step.agent}' asked '${out.request.to}', which is not a helper of this task`] };
    const help = await ask(ctx, out.request.to, helperAnswer, [
      { role: 'system', content: HELPER_PROMPT },
      { role: 'user', content: `Task: ${ctx.taskId}\nStep: ${step.id}\nRequest from ${step.agent}: ${out.request.action}\nDetail: ${out.request.detail}` },
    ], step.id);
    logAction(ctx.conv, { at: nowIso(), agent: out.request.to, action: 'answer-request', to: step.agent, step: step.id, detail: `${help.output.findings.length} finding(s)` });
    findings.push(...help.output.findings);
  }
}

/** One step with its retries: execute, review (rules first, then the agent), a person for doubtful values. */
export async function runStep(ctx: RunContext, q: QueuedStep): Promise<{ applied: AppliedValues } | { failed: string[] }> {
  let feedback: string[] = [];
  for (let attempt = 1; attempt <= ctx.maxStepAttempts; attempt++) {
    const trip = beforeStep(ctx.conv, q.step.id);
    if (trip) await escalateTrip(ctx, trip);
    const done = await execute(ctx, q, feedback);
    if ('problems' in done) {
      feedback = done.problems;
      continue;
    }
    const allowed = q.step.resources.flatMap((id) => ctx.taxonomies[id] ?? []);
    const rules = reviewValues({ field: q.step.field, values: done.values, recordIds: new Set(ctx.records.map((r) => r.id)), allowed: allowed.length ? allowed : undefined, policy: ctx.policy });
    const review = await ask(ctx, ctx.reviewer, stepReview, [
      { role: 'system', content: REVIEWER_PROMPT },
      { role: 'user', content: `Task: ${ctx.taskId}\nStep: ${q.step.id}\nAction: ${q.step.action}\nField: ${q.step.field ?? '(none)'}\nValues: ${JSON.stringify(done.values)}` },
    ], q.step.id);
    logAction(ctx.conv, { at: nowIso(), agent: ctx.reviewer, action: review.output.verdict, step: q.step.id, detail: review.output.issues.join('; ').slice(0, 500) });
    feedback = [...rules.problems, ...(review.output.verdict === 'reject' ? review.output.issues : [])];
    if (rules.problems.length > 0 || review.output.verdict === 'reject') continue;

    let values: AppliedValues['values'] = done.values;
    if (rules.needsHuman.length > 0) {
      const r = await escalateWithAlert(ctx, {
        kind: 'inferred-values-review',
        reason: `${rules.needsHuman.length} inferred value(s) on critical field '${q.step.field}' are below confidence ${ctx.policy.minConfidence}. approve = keep them (marked reviewed by you); reject = leave those fields empty`,
        step: q.step.id,
        details: { values: rules.needsHuman, threshold: ctx.policy.minConfidence, role: done.role, model: done.model },
        allowed: ['approve', 'reject'],
      });
      const doubtful = new Set(rules.needsHuman.map((v) => v.recordId));
      values = r?.decision === 'approve'
        ? done.values.map((v) => (doubtful.has(v.recordId) ? { ...v, reviewedBy: r.by } : v))
        : done.values.filter((v) => !doubtful.has(v.recordId));
    }
    return { applied: { step: q.step, role: done.role, model: done.model, values } };
  }
  return { failed: feedback };
}

/** The planner replaces a failed step, within the re-plan guards and after the cooldown. New resources are gated. */
export async function replanStep(ctx: RunContext, q: QueuedStep, issues: string[], knownStepIds: string[], allowedAgents: readonly string[], planIssuesOf: (steps: PlanStep[], manifest: Resource[]) => string[]): Promise<QueuedStep[]> {
  const check = checkReplan(ctx.conv, q.depth, Date.now(), q.step.id);
  if ('trip' in check) return escalateTrip(ctx, check.trip);
  if (check.waitMs > 0) {
    logAction(ctx.conv, { at: nowIso(), agent: 'convergence', action: 'replan-cooldown', step: q.step.id, detail: `${check.waitMs} ms` });
    await sleep(check.waitMs);
  }
  const answer = await ask(ctx, ctx.planner, replan, [
    { role: 'system', content: REPLANNER_PROMPT },
    { role: 'user', content: `Task: ${ctx.taskId}\nFailed step: ${q.step.id}\nStep: ${JSON.stringify(q.step)}\nIssues: ${JSON.stringify(issues)}\nAllowed agents: ${allowedAgents.join(', ')}\nKnown resources: ${JSON.stringify(ctx.manifest)}` },
  ], q.step.id);
  commitReplan(ctx.conv, Date.now());
  logAction(ctx.conv, { at: nowIso(), agent: ctx.planner, action: 'replan', step: q.step.id, detail: `${answer.output.steps.map((s) => s.id).join(', ')} (depth ${q.depth + 1})` });
  const problems = planIssuesOf(answer.output.steps, [...ctx.manifest, ...answer.output.manifest]);
  const dupes = answer.output.steps.filter((s) => knownStepIds.includes(s.id)).map((s) => `step id '${s.id}' was already used`);
  if (problems.length + dupes.length > 0) {
    const r = await escalateWithAlert(ctx, { kind: 'invalid-plan', reason: `the re-plan of '${q.step.id}' is not usable: ${[...problems, ...dupes].join('; ')}`, step: q.step.id, details: { replan: answer.output, coordinationLog: ctx.conv.log }, allowed: ['reject'] });
    throw rejectedBy(q.step.id, r ?? { decision: 'reject', by: 'unknown' });
  }
  const fresh = answer.output.manifest.filter((r) => !ctx.manifest.some((m) => m.id === r.id));
  if (fresh.length > 0) await gateResources(ctx, fresh, q.step.id);
  return answer.output.steps.map((step) => ({ step, depth: q.depth + 1 }));
}
