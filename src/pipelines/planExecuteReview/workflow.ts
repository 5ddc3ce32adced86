/**
 * planExecuteReview: a planner writes a plan with a manifest of every external resource it uses; a
 * deterministic gate checks each one exists before any step runs; an executor carries out each step
 * (asking helper agents when it must); a reviewer — rules first, then an agent — accepts or rejects it.
 *
 * It cannot diverge: convergence guards bound re-planning (depth 2, then a person), steps (3 × the plan),
 * agent turns, repeated requests and cost (2 × the estimate), and every trip escalates with the coordination
 * log. It cannot launder a guess into a fact: every value carries its provenance into the output table, and
 * inferred values face stricter rules and a drift check against the input's distribution.
 */
import { defineQuery, proxyActivities, setHandler, workflowInfo } from '@temporalio/workflow';
import { z } from 'zod';
import type { ReferenceActivities as Activities } from '../activities';
import { plan, planIssues, type PlanStep, type Resource } from './contract';
import { fromSource, inferredBy, type OutputRecord } from '../../contracts/provenance';
import { logAction, startConvergence, type ConvergenceState, type CoordinationEntry, type Trip } from '../../deterministic/convergence';
import { checkDrift, countValues, type DriftCheck } from '../../deterministic/drift';
import { Failure, raise } from '../../failures';
import { createAgentRunner } from '../../workflows/agents';
import { isHumanRejection } from '../../workflows/humanGate';
import { createHumanGate } from '../../workflows/humanGate';
import { alert, escalateWithAlert, gateResources, nowIso, rejectedBy, replanStep, runStep, TripStop, type AppliedValues, type QueuedStep, type RunContext } from './planRun';
import { markPipeline, markStatus } from '../../workflows/status';

const role = z.string().min(1).max(100);
const count = (max: number) => z.number().int().min(0).max(max);

export const planExecuteReviewInputSchema = z.strictObject({
  taskId: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9_.:-]{0,99}$/),
  goal: z.string().min(1).max(4000),
  records: z.array(z.strictObject({ id: z.string().min(1).max(200), fields: z.record(z.string().min(1).max(100), z.string().max(10_000).nullable()) })).max(1000).default([]),
  /** Provenance of the input values. */
  sourceSystem: z.string().min(1).max(200).default('input'),
  agents: z.strictObject({ planner: role.default('planner'), reviewer: role.default('reviewer'), executors: z.array(role).min(1).max(20).default(['executor']), helpers: z.array(role).max(20).default(['researcher']) }).prefault({}),
  /** The reviewer's stricter rule for inferred values: on these fields they need confidence ≥ minConfidence, or a person. */
  review: z.strictObject({ criticalFields: z.array(z.string()).max(100).default([]), minConfidence: z.number().min(0).max(1).default(0.8) }).prefault({}),
  drift: z.strictObject({
    fields: z.array(z.string()).max(50).default([]),
    measure: z.enum(['jsd', 'psi']).default('jsd'),
    threshold: z.number().min(0).max(100).default(0.1),
    /** `written`: the values the pipeline wrote vs the reference; `output`: every output value. */
    compare: z.enum(['written', 'output']).default('written'),
    /** `pause`: a person approves the batch; `flag`: alert and mark the result. */
    action: z.enum(['flag', 'pause']).default('pause'),
    /** Per field, category → weight. Default: the input's own values of the field. */
    reference: z.record(z.string(), z.record(z.string(), z.number().min(0))).optional(),
  }).prefault({}),
  limits: z.strictObject({
    maxReplanDepth: count(10).optional(), maxReplans: count(50).optional(), stepBudgetFactor: z.number().min(1).max(20).optional(),
    replanCooldownMs: count(86_400_000).optional(), maxIterations: count(10_000).optional(), repeatLimit: z.number().int().min(2).max(100).optional(), costFactor: z.number().min(1).max(100).optional(),
  }).prefault({}),
  /** Executor attempts per step before the step is re-planned. */
  maxStepAttempts: z.number().int().min(1).max(5).default(2),
  /** Estimated cost of one step (executor + reviewer): the plan's estimate is planning + steps × this. */
  costPerStepUsd: z.number().min(0).max(1000).default(0.01),
  budgetUsd: z.number().positive().max(10_000).default(5),
});
export type PlanExecuteReviewInput = z.input<typeof planExecuteReviewInputSchema>;

export type PlanExecuteReviewStatus = 'completed' | 'stopped' | 'rejected';

export interface PlanExecuteReviewResult {
  status: PlanExecuteReviewStatus;
  taskId: string;
  planSize: number;
  executedSteps: number;
  replans: number;
  costUsd: number;
  estimatedCostUsd: number;
  /** The guard that stopped the run (status `stopped`), or the step a person rejected at. */
  trip?: { kind: string; reason: string; by: string };
  rejected?: { step: string; by: string; reason?: string };
  drift: DriftCheck[];
  records: OutputRecord[];
  coordinationLog: CoordinationEntry[];
}

export const planRunQuery = defineQuery<{ executedSteps: number; replans: number; iterations: number; log: CoordinationEntry[] } | null>('planRun');

const { writePlanRun } = proxyActivities<Activities>({ startToCloseTimeout: '1 minute', retry: { initialInterval: '1 second', maximumAttempts: 10 } });

export const PLANNER_PROMPT = 'You are the planner agent. Write a plan of small steps for the task. List every external resource (http, table, taxonomy, file) any step uses in the manifest, with its locator.';

type Input = z.output<typeof planExecuteReviewInputSchema>;

/** Output records: source values first, then each applied step's values on top, each with its provenance. */
function buildRecords(input: Input, applied: AppliedValues[]): OutputRecord[] {
  const records = new Map<string, OutputRecord>();
  for (const r of input.records) {
    const fields: OutputRecord['fields'] = {};
    for (const [k, v] of Object.entries(r.fields)) fields[k] = { value: v, provenance: fromSource(input.sourceSystem) };
    records.set(r.id, { id: r.id, fields });
  }
  for (const a of applied) {
    if (a.step.field === null) continue;
    for (const v of a.values) {
      const rec = records.get(v.recordId);
      const p = inferredBy(a.role, a.model, v.confidence);
      if (rec) rec.fields[a.step.field] = { value: v.value, provenance: v.reviewedBy ? { ...p, reviewedBy: v.reviewedBy } : p };
    }
  }
  return [...records.values()];
}

function driftChecks(input: Input, applied: AppliedValues[], records: OutputRecord[]): DriftCheck[] {
  const checks: DriftCheck[] = [];
  for (const field of input.drift.fields) {
    const reference = input.drift.reference?.[field] ?? countValues(input.records.map((r) => r.fields[field]));
    const observed = input.drift.compare === 'output'
      ? countValues(records.map((r) => r.fields[field]?.value))
      : countValues(applied.filter((a) => a.step.field === field).flatMap((a) => a.values.map((v) => v.value)));
    if (Object.keys(reference).length === 0 || Object.keys(observed).length === 0) continue; // nothing to compare
    checks.push(checkDrift({ field, reference, observed, measure: input.drift.measure, threshold: input.drift.threshold }));
  }
  return checks;
}

export async function planExecuteReview(rawInput: PlanExecuteReviewInput): Promise<PlanExecuteReviewResult> {
  const gate = createHumanGate();
  markPipeline('planExecuteReview');
  const parsed = planExecuteReviewInputSchema.safeParse(rawInput);
  if (!parsed.success) throw raise(Failure.InvalidInput, `planExecuteReview: ${z.prettifyError(parsed.error)}`);
  const input = parsed.data;
  const pipeline = 'planExecuteReview';
  const agents = createAgentRunner({ pipeline, budgetUsd: input.budgetUsd, gate });
  const box: { conv?: ConvergenceState } = {};
  setHandler(planRunQuery, () => (box.conv ? { executedSteps: box.conv.executedSteps, replans: box.conv.replans, iterations: box.conv.iterations, log: box.conv.log } : null));

  const applied: AppliedValues[] = [];
  let planSize = 0;
  const finish = async (status: PlanExecuteReviewStatus, extra: { trip?: Trip & { by: string }; rejected?: PlanExecuteReviewResult['rejected']; drift?: DriftCheck[]; records?: OutputRecord[] }): Promise<PlanExecuteReviewResult> => {
    const conv = box.conv;
    const records = extra.records ?? [];
    const result: PlanExecuteReviewResult = {
      status, taskId: input.taskId, planSize, executedSteps: conv?.executedSteps ?? 0, replans: conv?.replans ?? 0,
      costUsd: agents.budget().spentUsd, estimatedCostUsd: conv?.estimatedCostUsd ?? 0,
      trip: extra.trip ? { kind: extra.trip.kind, reason: extra.trip.reason, by: extra.trip.by } : undefined,
      rejected: extra.rejected, drift: extra.drift ?? [], records, coordinationLog: conv?.log ?? [],
    };
    await writePlanRun({ workflowId: workflowInfo().workflowId, taskId: input.taskId, status, planSize, executedSteps: result.executedSteps, replans: result.replans, costUsd: result.costUsd, trip: result.trip ?? result.rejected, drift: result.drift, coordinationLog: result.coordinationLog, records });
    markStatus(status === 'rejected' ? 'Rejected' : 'Completed');
    return result;
  };

  try {
    // 1. Plan. The planner's cost is known once it answered: the estimate is that plus the steps'.
    const planned = await agents.call(input.agents.planner, plan, [
      { role: 'system', content: PLANNER_PROMPT },
      { role: 'user', content: `Task: ${input.taskId}\nGoal: ${input.goal}\nAgents that can execute steps: ${input.agents.executors.join(', ')}\nRecord fields: ${JSON.stringify([...new Set(input.records.flatMap((r) => Object.keys(r.fields)))])}\nRecords: ${input.records.length}` },
    ], { step: 'plan' });
    const thePlan = planned.output;
    planSize = thePlan.steps.length;
    const conv = startConvergence({ planSize, estimatedCostUsd: planned.costUsd + planSize * input.costPerStepUsd, limits: input.limits });
    box.conv = conv;
    conv.iterations = 1;
    logAction(conv, { at: nowIso(), agent: input.agents.planner, action: 'plan', step: 'plan', detail: `${planSize} step(s), ${thePlan.manifest.length} resource(s)` });
    const ctx: RunContext = {
      pipeline, taskId: input.taskId, gate, agents, conv, helpers: input.agents.helpers, reviewer: input.agents.reviewer, planner: input.agents.planner,
      policy: input.review, maxStepAttempts: input.maxStepAttempts, records: input.records, manifest: [], taxonomies: {},
    };
    const planIssuesOf = (steps: PlanStep[], manifest: Resource[]) => planIssues(steps, manifest, input.agents.executors);

    // 2. A plan that does not hold together structurally never runs.
    const issues = planIssuesOf(thePlan.steps, thePlan.manifest);
    if (issues.length > 0) {
      const r = await escalateWithAlert(ctx, { kind: 'invalid-plan', reason: `the plan is not usable: ${issues.join('; ')}`, step: 'plan', details: { plan: thePlan, issues }, allowed: ['reject'] });
      throw rejectedBy('plan', r ?? { decision: 'reject', by: 'unknown' });
    }

    // 3. The resource gate: every resource in the manifest exists and is readable, or no step runs.
    await gateResources(ctx, thePlan.manifest, 'resource-gate');

    // 4. Execute and review each step; a step that keeps failing review is re-planned, within the guards.
    const queue: QueuedStep[] = thePlan.steps.map((step) => ({ step, depth: 0 }));
    const knownStepIds = thePlan.steps.map((s) => s.id);
    let stopped: (Trip & { by: string }) | undefined;
    try {
      while (queue.length > 0) {
        const q = queue.shift()!;
        const outcome = await runStep(ctx, q);
        if ('applied' in outcome) {
          applied.push(outcome.applied);
          continue;
        }
        const steps = await replanStep(ctx, q, outcome.failed, knownStepIds, input.agents.executors, planIssuesOf);
        knownStepIds.push(...steps.map((s) => s.step.id));
        queue.unshift(...steps);
      }
    } catch (e) {
      if (!(e instanceof TripStop)) throw e;
      stopped = { ...e.trip, by: e.by };
    }

    // 5. Drift: did the values the pipeline wrote move away from the input's distribution?
    const records = buildRecords(input, applied);
    const drift = driftChecks(input, applied, records);
    const drifted = drift.filter((d) => d.drifted);
    if (drifted.length > 0) {
      const reason = drifted.map((d) => `'${d.field}' ${d.measure} ${d.value} > ${d.threshold}${d.newCategories.length ? ` (new: ${d.newCategories.join(', ')})` : ''}`).join('; ');
      logAction(conv, { at: nowIso(), agent: 'drift-check', action: 'drift-detected', detail: reason });
      const e = { kind: 'semantic-drift', reason: `the written values drifted from the input: ${reason}`, step: 'drift', details: { drift: drifted, inferredValues: applied.reduce((n, a) => n + a.values.length, 0) } };
      if (input.drift.action === 'pause') {
        const r = await escalateWithAlert(ctx, { ...e, reason: `${e.reason}. approve = write the batch (flagged); reject = write nothing`, allowed: ['approve', 'reject'] });
        if (r?.decision !== 'approve') throw rejectedBy('drift', r ?? { decision: 'reject', by: 'unknown' });
      } else {
        await alert(ctx, e); // flag only: the result and the run row carry the flagged check
      }
    }

    // 6. The database keeps every value with its provenance; the agents' output was only a candidate.
    return await finish(stopped ? 'stopped' : 'completed', { trip: stopped, drift, records });
  } catch (e) {
    if (isHumanRejection(e)) {
      const d = (e.details?.[0] ?? {}) as { step?: string; by?: string; reason?: string };
      return finish('rejected', { rejected: { step: d.step ?? 'unknown', by: d.by ?? 'unknown', reason: d.reason } });
    }
    markStatus('Failed');
    throw e;
  }
}
