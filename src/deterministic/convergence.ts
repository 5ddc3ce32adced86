/**
 * Convergence guards: limits that make agent-to-agent delegation end. Pure and deterministic (time comes in
 * as an argument), state is plain JSON, so any workflow can keep it and a query can return it.
 *
 * - re-planning: a step re-planned `maxReplanDepth` times (its lineage) goes to a person, and a workflow
 *   re-plans at most `maxReplans` times in all;
 * - a cooldown of `replanCooldownMs` after a re-plan before the planner may re-plan again;
 * - a step budget of `stepBudgetFactor` × the original plan's size (every executed step counts, retries too);
 * - at most `maxIterations` agent turns in the whole run;
 * - the same agent asking for the same action `repeatLimit` times in a row;
 * - spend above `costFactor` × the plan's estimated cost.
 * Every trip carries a typed reason and the coordination log: which agent asked what, when.
 */
export interface ConvergenceLimits {
  maxReplanDepth: number;
  maxReplans: number;
  stepBudgetFactor: number;
  replanCooldownMs: number;
  maxIterations: number;
  repeatLimit: number;
  costFactor: number;
}

export const defaultConvergenceLimits: ConvergenceLimits = {
  maxReplanDepth: 2,
  maxReplans: 2,
  stepBudgetFactor: 3,
  replanCooldownMs: 10_000,
  maxIterations: 60,
  repeatLimit: 3,
  costFactor: 2,
};

export type TripKind = 'replan-depth' | 'replan-limit' | 'step-budget' | 'max-iterations' | 'repeated-action' | 'cost-ceiling';

export interface CoordinationEntry {
  seq: number;
  /** ISO time (workflow time inside a workflow). */
  at: string;
  agent: string;
  /** What the agent did or asked for, e.g. `plan`, `execute`, `need more context`, `reject`. */
  action: string;
  /** The agent asked, for a request. */
  to?: string;
  step?: string;
  detail?: string;
}

export interface Trip {
  kind: TripKind;
  reason: string;
  limit: number;
  observed: number;
  step?: string;
  log: CoordinationEntry[];
}

export interface ConvergenceState {
  limits: ConvergenceLimits;
  planSize: number;
  stepBudget: number;
  estimatedCostUsd: number;
  /** Spend above this pauses the run. Raised when a person lets it go on. */
  costCeilingUsd: number;
  executedSteps: number;
  iterations: number;
  replans: number;
  lastReplanAtMs: number | null;
  /** Per agent: the action it last asked for and how many times in a row. */
  repeats: Record<string, { key: string; count: number }>;
  log: CoordinationEntry[];
  /** Entries dropped from the head of `log` to keep it bounded. */
  logDropped: number;
}

const MAX_LOG = 500;

export function startConvergence(o: { planSize: number; estimatedCostUsd: number; limits?: Partial<ConvergenceLimits> }): ConvergenceState {
  const limits = { ...defaultConvergenceLimits, ...o.limits };
  for (const [k, v] of Object.entries(limits)) {
    if (!Number.isFinite(v) || v < 0) throw new RangeError(`convergence limit ${k} must be a non-negative number, got ${v}`);
  }
  if (!Number.isInteger(o.planSize) || o.planSize < 1) throw new RangeError(`planSize must be a positive integer, got ${o.planSize}`);
  return {
    limits,
    planSize: o.planSize,
    stepBudget: Math.floor(limits.stepBudgetFactor * o.planSize),
    estimatedCostUsd: o.estimatedCostUsd,
    costCeilingUsd: limits.costFactor * o.estimatedCostUsd,
    executedSteps: 0,
    iterations: 0,
    replans: 0,
    lastReplanAtMs: null,
    repeats: {},
    log: [],
    logDropped: 0,
  };
}

/** Appends to the coordination log (bounded: the oldest entries go first). */
export function logAction(s: ConvergenceState, e: Omit<CoordinationEntry, 'seq'>): CoordinationEntry {
  const entry = { seq: s.logDropped + s.log.length + 1, ...e };
  s.log.push(entry);
  if (s.log.length > MAX_LOG) {
    s.log.shift();
    s.logDropped += 1;
  }
  return entry;
}

const trip = (s: ConvergenceState, kind: TripKind, reason: string, limit: number, observed: number, step?: string): Trip => ({
  kind,
  reason,
  limit,
  observed,
  step,
  log: s.log.map((e) => ({ ...e })),
});

/** Before an agent turn: counts it, or trips at `maxIterations`. */
export function beforeIteration(s: ConvergenceState, step?: string): Trip | undefined {
  if (s.iterations >= s.limits.maxIterations) {
    return trip(s, 'max-iterations', `${s.iterations} agent turns reached the limit of ${s.limits.maxIterations}`, s.limits.maxIterations, s.iterations, step);
  }
  s.iterations += 1;
  return undefined;
}

/** Before a step runs (a retry is a step too): counts it, or trips at the step budget. */
export function beforeStep(s: ConvergenceState, step: string): Trip | undefined {
  if (s.executedSteps >= s.stepBudget) {
    return trip(s, 'step-budget', `${s.executedSteps} executed steps reached the budget of ${s.limits.stepBudgetFactor} × ${s.planSize} (the original plan's size)`, s.stepBudget, s.executedSteps, step);
  }
  s.executedSteps += 1;
  return undefined;
}

const actionKey = (to: string | undefined, action: string): string => `${(to ?? '').trim().toLowerCase()}|${action.trim().toLowerCase().replace(/[\s.!?]+/g, ' ').trim()}`;

/**
 * An agent asks another for something. Logged; trips when it is the `repeatLimit`-th identical request in a
 * row from that agent (identical = same target and same action, ignoring case and punctuation).
 */
export function onRequest(s: ConvergenceState, r: { at: string; agent: string; to: string; action: string; step?: string; detail?: string }): Trip | undefined {
  logAction(s, r);
  const key = actionKey(r.to, r.action);
  const prev = s.repeats[r.agent];
  const count = prev && prev.key === key ? prev.count + 1 : 1;
  s.repeats[r.agent] = { key, count };
  if (count >= s.limits.repeatLimit) {
    return trip(s, 'repeated-action', `agent '${r.agent}' asked '${r.to}' for '${r.action}' ${count} times in a row`, s.limits.repeatLimit, count, r.step);
  }
  return undefined;
}

/** An agent produced a result: its run of identical requests ends. */
export function onResult(s: ConvergenceState, agent: string): void {
  delete s.repeats[agent];
}

/**
 * May the planner re-plan a step of re-plan depth `depth` (0 = from the original plan) at `nowMs`?
 * A trip, or how long to wait for the cooldown (0 = now).
 */
export function checkReplan(s: ConvergenceState, depth: number, nowMs: number, step?: string): { trip: Trip } | { waitMs: number } {
  if (depth >= s.limits.maxReplanDepth) {
    return { trip: trip(s, 'replan-depth', `step '${step ?? '?'}' failed after being re-planned ${depth} time(s); the limit is ${s.limits.maxReplanDepth}: a person decides`, s.limits.maxReplanDepth, depth, step) };
  }
  if (s.replans >= s.limits.maxReplans) {
    return { trip: trip(s, 'replan-limit', `this run already re-planned ${s.replans} time(s); the limit is ${s.limits.maxReplans}`, s.limits.maxReplans, s.replans, step) };
  }
  const waitMs = s.lastReplanAtMs === null ? 0 : Math.max(0, s.lastReplanAtMs + s.limits.replanCooldownMs - nowMs);
  return { waitMs };
}

export function commitReplan(s: ConvergenceState, nowMs: number): void {
  s.replans += 1;
  s.lastReplanAtMs = nowMs;
}

/** Trips when spend goes above the ceiling (`costFactor` × the plan's estimate, unless a person raised it). */
export function checkCost(s: ConvergenceState, spentUsd: number, step?: string): Trip | undefined {
  if (spentUsd <= s.costCeilingUsd) return undefined;
  return trip(s, 'cost-ceiling', `spent ${spentUsd} USD, above ${s.limits.costFactor} × the plan's estimated ${s.estimatedCostUsd} USD (ceiling ${s.costCeilingUsd} USD)`, s.costCeilingUsd, spentUsd, step);
}

/** A person let an over-budget run go on: the next pause comes after another `costFactor` × estimate. */
export function raiseCostCeiling(s: ConvergenceState, spentUsd: number): void {
  s.costCeilingUsd = spentUsd + s.limits.costFactor * s.estimatedCostUsd;
}
