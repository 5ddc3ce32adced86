/**
 * The runs a chaos run starts: M of every pipeline kind, with inputs sized to finish in seconds when
 * nothing goes wrong, what each is expected to end as (completed, or a designed escalation), and the LLM
 * budget each one (and each of its child workflows) was given.
 */
import { WorkflowExecutionAlreadyStartedError, type Client } from '@temporalio/client';
import { setTimeout as delay } from 'node:timers/promises';
import { startSubmitAndVerify } from '../pipelines/submitAndVerify/client';
import type { SimulatedRecord } from '../simulators/recordSource';
import { CHAOS_RECORDS, UNCERTAIN } from './llmScenario';

export const pipelineKinds = ['submitAndVerify', 'agentDecision', 'planExecuteReview', 'supervisor', 'parallelIngest', 'enrichCatalog', 'applySharedChange', 'requestApproval'] as const;
export type PipelineKind = (typeof pipelineKinds)[number];

export interface PlannedRun {
  kind: PipelineKind;
  index: number;
  workflowId: string;
  workflowType: string;
  input: Record<string, unknown>;
  /** The escalation kind this run must end in by design (a person is part of the pipeline); else it must complete. */
  designedEscalation?: string;
  /** LLM budget of this workflow, and of each child workflow (id prefix `<workflowId>/`). */
  budgetUsd?: number;
  childBudgetUsd?: number;
  /** Child workflow ids (supervisor). */
  children: string[];
}

export const SUBMIT_ENTITY = 'ENT-CHAOS';
export const SHARED_KEY = (seed: number) => `chaos-counter-${seed}`;
export const INGEST_SOURCES: Record<string, SimulatedRecord[]> = {
  erp: [{ id: 'p1', fields: { name: 'Kettle', price: 20 } }, { id: 'p2', fields: { name: 'Mixer', price: 99 } }],
  shop: [{ id: 'p2', fields: { name: 'Mixer' } }, { id: 'p3', fields: { name: 'Lamp' } }],
  pim: [{ id: 'p3', fields: { colour: 'red' } }, { id: 'p4', fields: { name: 'Desk' } }],
};
export const SKUS_PER_RUN = 4;
/**
 * Submissions come in pairs: one record on two business dates (issue 12: a lost response on the second
 * must never be reconciled to the first). Their payloads carry fields that look like secrets and a phrase
 * ("Basic maintenance") that a redactor would spoil: the portal must receive them exactly as given.
 */
export const SUBMIT_DATES = ['2025-03-04', '2025-03-05'] as const;
export const submitPayload = (seed: number, i: number) => ({ amount: i + 1, note: 'Basic maintenance', apiKey: `key-${seed}-${i}`, password: `hunter${i}`, memo: 'token=abc123' });
/** A tight LLM budget: the triage call fits, the decision's worst case does not — the run pauses, nothing overshoots. */
export const TIGHT_BUDGET_USD = 0.004;

export interface PlanOptions {
  seed: number;
  perKind: number;
  sourceUrl: (name: string) => string;
}

export function planRuns(o: PlanOptions): PlannedRun[] {
  const runs: PlannedRun[] = [];
  const id = (kind: string, i: number) => `chaos-${o.seed}-${kind}-${i}`;
  for (let i = 0; i < o.perKind; i++) {
    const uncertain = i % 4 === 1; // one agent decision in four needs a person by design
    const tight = i % 4 === 0; // and one in four runs out of its (tight) budget by design
    runs.push(
      {
        kind: 'submitAndVerify', index: i, workflowId: id('submit', i), workflowType: 'submitAndVerify', children: [],
        input: {
          recordId: `CH-${o.seed}-${Math.floor(i / 2)}`, entityId: SUBMIT_ENTITY, businessDate: SUBMIT_DATES[i % 2], payload: submitPayload(o.seed, i),
          options: { verifyDelay: '2s', visibilityWindow: '8s', verifyDeadline: '90s', pollBackoff: { initial: 500, factor: 2, max: 4000 }, submitTimeout: '5s', breakerPollInterval: '1s' },
        },
      },
      {
        kind: 'agentDecision', index: i, workflowId: id('decision', i), workflowType: 'agentDecision', children: [], budgetUsd: tight ? TIGHT_BUDGET_USD : 0.05,
        designedEscalation: uncertain ? 'low-confidence' : tight ? 'budget-exhausted' : undefined,
        input: { requestId: `chaos-${o.seed}-${i}`, text: `Order ORD-1001 arrived damaged, please refund${uncertain ? ` (${UNCERTAIN} case)` : ''} #${i}`, budgetUsd: tight ? TIGHT_BUDGET_USD : 0.05 },
      },
      {
        kind: 'planExecuteReview', index: i, workflowId: id('plan', i), workflowType: 'planExecuteReview', children: [], budgetUsd: 0.05,
        input: { taskId: `chaos-pe-${o.seed}-${i}`, goal: 'Fill the missing categories.', records: CHAOS_RECORDS.map((rid) => ({ id: rid, fields: { name: `Product ${rid}`, category: null } })), sourceSystem: 'erp', budgetUsd: 0.05 },
      },
      {
        kind: 'supervisor', index: i, workflowId: id('supervisor', i), workflowType: 'supervisor', childBudgetUsd: 0.02,
        children: ['a', 'b'].map((s) => `${id('supervisor', i)}/${s}`),
        input: { taskId: `chaos-sv-${o.seed}-${i}`, goal: 'Two independent look-ups', subtasks: ['a', 'b'].map((s) => ({ id: s, role: 'worker', instruction: `look up ${s}` })), maxDepth: 1, budgetUsdPerChild: 0.02 },
      },
      {
        kind: 'parallelIngest', index: i, workflowId: id('ingest', i), workflowType: 'parallelIngest', children: [],
        input: { ingestId: `chaos-${o.seed}-${i}`, sources: Object.keys(INGEST_SOURCES).map((name) => ({ name, url: o.sourceUrl(name) })) },
      },
      {
        kind: 'enrichCatalog', index: i, workflowId: id('enrich', i), workflowType: 'enrichCatalog', children: [],
        input: { skus: Array.from({ length: SKUS_PER_RUN }, (_, k) => `CH${o.seed}-${i}-SKU-${k}`), concurrency: SKUS_PER_RUN, retryBudget: 10 },
      },
      {
        kind: 'applySharedChange', index: i, workflowId: id('shared', i), workflowType: 'applySharedChange', children: [],
        input: { key: SHARED_KEY(o.seed), actor: `chaos-agent-${i}`, add: { count: 1 }, set: { [`seen-${i}`]: true }, maxAttempts: 50 },
      },
      {
        kind: 'requestApproval', index: i, workflowId: id('approval', i), workflowType: 'requestApproval', children: [], designedEscalation: 'approval',
        input: { subject: `chaos approval ${i}`, details: { seed: o.seed } },
      },
    );
  }
  return runs;
}

/**
 * Starts a run, retrying while the server is away (a restart may be under way). A start whose answer was
 * lost and which the server did record counts as started.
 */
export async function startRun(client: Client, taskQueue: string, run: PlannedRun, timeoutMs = 90_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    try {
      if (run.kind === 'submitAndVerify') {
        await startSubmitAndVerify(client, run.input as Parameters<typeof startSubmitAndVerify>[1], { taskQueue, workflowId: run.workflowId });
      } else {
        await client.workflow.start(run.workflowType, { taskQueue, workflowId: run.workflowId, args: [run.input] });
      }
      return;
    } catch (e) {
      if (e instanceof WorkflowExecutionAlreadyStartedError) return;
      if (Date.now() > until) throw new Error(`could not start ${run.workflowId}: ${(e as Error).message}`);
      await delay(500);
    }
  }
}

/**
 * A run started on purpose to reach named fault points no planned run reached yet (the fleet stays armed
 * at them): a submission for the portal's crash windows, a shared change for `sharedState.afterCommit`, an
 * agent decision on a tight budget (its pause raises an alert) for `alerts.afterRecord`. Probes are runs
 * like any other: every invariant is checked on them too.
 */
export function probeRun(seed: number, point: string, n: number): PlannedRun {
  const id = `chaos-${seed}-probe-${n}`;
  if (point.startsWith('portal.submit.')) {
    return {
      kind: 'submitAndVerify', index: 1000 + n, workflowId: id, workflowType: 'submitAndVerify', children: [],
      input: {
        recordId: `CH-${seed}-P${n}`, entityId: SUBMIT_ENTITY, businessDate: SUBMIT_DATES[0], payload: submitPayload(seed, 1000 + n),
        options: { verifyDelay: '2s', visibilityWindow: '8s', verifyDeadline: '90s', pollBackoff: { initial: 500, factor: 2, max: 4000 }, submitTimeout: '5s', breakerPollInterval: '1s' },
      },
    };
  }
  if (point.startsWith('sharedState.')) {
    return { kind: 'applySharedChange', index: 1000 + n, workflowId: id, workflowType: 'applySharedChange', children: [], input: { key: SHARED_KEY(seed), actor: `chaos-probe-${n}`, add: { count: 1 }, set: {}, maxAttempts: 50 } };
  }
  return {
    kind: 'agentDecision', index: 1000 + n, workflowId: id, workflowType: 'agentDecision', children: [], budgetUsd: TIGHT_BUDGET_USD, designedEscalation: 'budget-exhausted',
    input: { requestId: `chaos-${seed}-probe-${n}`, text: `Order ORD-1001 arrived damaged, please refund #probe-${n}`, budgetUsd: TIGHT_BUDGET_USD },
  };
}

/** Which probe reaches a point: the portal's three windows share one, reached one after the other. */
export const probeGroup = (point: string): string => point.split('.')[0]!;
