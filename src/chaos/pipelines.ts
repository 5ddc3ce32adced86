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

export interface PlanOptions {
  seed: number;
  perKind: number;
  sourceUrl: (name: string) => string;
}

export function planRuns(o: PlanOptions): PlannedRun[] {
  const runs: PlannedRun[] = [];
  const id = (kind: string, i: number) => `chaos-${o.seed}-${kind}-${i}`;
  for (let i = 0; i < o.perKind; i++) {
    const uncertain = i % 4 === 3; // one agent decision in four needs a person by design
    runs.push(
      {
        kind: 'submitAndVerify', index: i, workflowId: id('submit', i), workflowType: 'submitAndVerify', children: [],
        input: {
          recordId: `CH-${o.seed}-${i}`, entityId: SUBMIT_ENTITY, businessDate: '2025-03-04', payload: { amount: i + 1 },
          options: { verifyDelay: '2s', verifyDeadline: '90s', pollBackoff: { initial: 500, factor: 2, max: 4000 }, submitTimeout: '5s', breakerPollInterval: '1s' },
        },
      },
      {
        kind: 'agentDecision', index: i, workflowId: id('decision', i), workflowType: 'agentDecision', children: [], budgetUsd: 0.5,
        designedEscalation: uncertain ? 'low-confidence' : undefined,
        input: { requestId: `chaos-${o.seed}-${i}`, text: `Order ORD-1001 arrived damaged, please refund${uncertain ? ` (${UNCERTAIN} case)` : ''} #${i}`, budgetUsd: 0.5 },
      },
      {
        kind: 'planExecuteReview', index: i, workflowId: id('plan', i), workflowType: 'planExecuteReview', children: [], budgetUsd: 0.5,
        input: { taskId: `chaos-pe-${o.seed}-${i}`, goal: 'Fill the missing categories.', records: CHAOS_RECORDS.map((rid) => ({ id: rid, fields: { name: `Product ${rid}`, category: null } })), sourceSystem: 'erp', budgetUsd: 0.5 },
      },
      {
        kind: 'supervisor', index: i, workflowId: id('supervisor', i), workflowType: 'supervisor', childBudgetUsd: 0.2,
        children: ['a', 'b'].map((s) => `${id('supervisor', i)}/${s}`),
        input: { taskId: `chaos-sv-${o.seed}-${i}`, goal: 'Two independent look-ups', subtasks: ['a', 'b'].map((s) => ({ id: s, role: 'worker', instruction: `look up ${s}` })), maxDepth: 1, budgetUsdPerChild: 0.2 },
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
