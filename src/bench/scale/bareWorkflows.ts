/**
 * BENCHMARK BASELINES ONLY — not pipelines. Bare Temporal workflows doing the same work as the reference
 * pipelines the scale benchmark runs, without Breakwater: no budget, no daily cap, no llm_calls recording,
 * no fingerprint or breaker, no human gate (a bare signal instead), no search attributes, no interceptors.
 * Bundled on their own (plain `bundleWorkflowCode`) and run by a plain `Worker.create` in the bench's
 * worker processes (./workerMain.ts).
 */
import { condition, defineSignal, executeChild, proxyActivities, setHandler, sleep, workflowInfo } from '@temporalio/workflow';
import { mergeByIdContract, type MergeResult } from '../../deterministic/merge';
import type { BareActivities } from './bareActivities';
import { fromSource, inferredBy, type OutputRecord } from '../../contracts/provenance';

export { bareSubmit } from '../bareSubmit';

const act = proxyActivities<BareActivities>({
  startToCloseTimeout: '2 minutes',
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumAttempts: 6 },
});

export const bareApproveSignal = defineSignal<[{ by: string }]>('bareApprove');

export interface BareDecisionInput {
  requestId: string;
  text: string;
  confidenceThreshold?: number;
}

/** agentDecision's work, bare: triage, decide, a person below the threshold, record the decision. */
export async function bareDecision(input: BareDecisionInput): Promise<{ status: 'completed'; decisionId: number; decidedBy: string }> {
  let approvedBy: string | undefined;
  setHandler(bareApproveSignal, ({ by }) => void (approvedBy = by));
  const triage = await act.bareChat({ role: 'router', schema: 'requestTriage', system: 'You are the triage agent. Classify the customer request and list the order and customer ids it names.', user: input.text });
  const decision = (await act.bareChat({ role: 'decider', schema: 'actionDecision', system: 'You are the decision agent. Choose one action for the request, with your confidence and the evidence for it.', user: `Request: ${input.text}\nTriage: ${JSON.stringify(triage)}` })) as { confidence: number; action: string; orderId: string | null; evidence: string[] };
  let decidedBy = 'confidence-gate';
  if (decision.confidence < (input.confidenceThreshold ?? 0.8)) {
    await condition(() => approvedBy !== undefined);
    decidedBy = approvedBy!;
  }
  const recorded = await act.bareRecordDecision({ requestId: input.requestId, decision, decidedBy });
  return { status: 'completed', decisionId: recorded.id, decidedBy };
}

/** submitAndVerify's work, bare, with its verify delay: POST, a timer, GETs until listed. */
export async function bareSubmitVerify(input: { recordId: string; entityId: string; payload: unknown; verifyDelayMs: number }): Promise<{ confirmation: string; looks: number }> {
  const { confirmation } = await act.barePortalPost(input);
  if (input.verifyDelayMs > 0) await sleep(input.verifyDelayMs);
  for (let looks = 1; looks <= 20; looks++) {
    const listed = await act.barePortalFind(input.recordId);
    if (listed.some((r) => r.confirmation === confirmation)) return { confirmation, looks };
    await sleep(100);
  }
  throw new Error(`baseline: ${confirmation} never became visible`);
}

/** parallelIngest's work, bare: read every source at once, merge by id with the same contract. */
export async function bareIngest(input: { sources: { name: string; url: string }[] }): Promise<MergeResult> {
  const batches = await Promise.all(input.sources.map((s) => act.bareFetchSource({ source: s.name, url: s.url })));
  return mergeByIdContract(batches);
}

/**
 * examples/shop's listProduct, bare: the catalog read (no broker), one classification (a person below 0.8,
 * by a bare signal), one POST, then the same verify schedule (look after 1 s, then every 500 ms).
 */
export async function bareShop(product: { sku: string; title: string; description: string }): Promise<{ sku: string; category: string; decidedBy: string; listingId: string }> {
  let approvedBy: string | undefined;
  setHandler(bareApproveSignal, ({ by }) => void (approvedBy = by));
  const facts = await act.bareCatalogLookup(product.sku);
  const out = (await act.bareChat({ role: 'classifier', schema: 'productCategory', system: 'You file products into shop categories. Answer with the category, how sure you are, and the facts you used.', user: JSON.stringify({ ...product, ...facts }) })) as { category: string; confidence: number };
  let decidedBy = 'confidence-gate';
  if (out.confidence < 0.8) {
    await condition(() => approvedBy !== undefined);
    decidedBy = approvedBy!;
  }
  const { listingId } = await act.bareShopPost({ sku: product.sku, title: product.title, category: out.category, brand: facts.brand, weightGrams: facts.weightGrams });
  await sleep(1000);
  for (let looks = 1; looks <= 240; looks++) {
    if ((await act.bareShopFind(product.sku)).some((l) => l.listingId === listingId)) return { sku: product.sku, category: out.category, decidedBy, listingId };
    await sleep(500);
  }
  throw new Error(`baseline: listing ${listingId} never became visible`);
}

/**
 * researchAgent's work, bare: the same conversation (system prompt, topic), one chat completion per turn
 * offering the same four tools, the calls a turn asks for run at once as plain activities, up to 8 turns.
 * No caps, budget, ledger, broker, repeated-call check or approval.
 */
export async function bareResearch(input: { topic: string }): Promise<{ summary: string; sources: string[]; turns: number; toolCalls: number }> {
  const run = workflowInfo().workflowId;
  const messages: unknown[] = [
    { role: 'system', content: 'You are a research agent. Use the tools to research the topic, save notes of what you find, publish a summary, then answer with the report.' },
    { role: 'user', content: `Research this topic: ${input.topic}` },
  ];
  let toolCalls = 0;
  for (let turn = 1; turn <= 8; turn++) {
    const r = await act.bareAgentTurn({ messages });
    if ('final' in r) return { ...(r.final as { summary: string; sources: string[] }), turns: turn, toolCalls };
    messages.push({ role: 'assistant', content: null, tool_calls: r.toolCalls.map((c) => ({ id: c.id, type: 'function', function: { name: c.name, arguments: c.arguments } })) });
    const results = await Promise.all(r.toolCalls.map((c) => act.bareTool({ name: c.name, arguments: c.arguments, key: `${run}:${c.id}`, run })));
    r.toolCalls.forEach((c, i) => messages.push({ role: 'tool', tool_call_id: c.id, content: JSON.stringify(results[i]) }));
    toolCalls += r.toolCalls.length;
  }
  throw new Error('baseline: no report in 8 turns');
}

interface BareSubtask {
  id: string;
  role: string;
  instruction: string;
}

/**
 * supervisor's work, bare: one model call splits the goal, each sub-task a child workflow in parallel (one
 * model call each), the answers gathered. No budget, escalation on a failed child, or depth limit.
 */
export async function bareSupervisor(input: { taskId: string; goal: string }): Promise<{ results: { id: string; answer: string | null }[] }> {
  const plan = (await act.bareChat({ role: 'supervisor', schema: 'delegationPlan', system: 'You are the supervisor agent. Split the goal into independent sub-tasks, each for one agent role.', user: `Task: ${input.taskId}\nGoal: ${input.goal}` })) as { subtasks: BareSubtask[] };
  const { workflowId } = workflowInfo();
  const results = await Promise.all(plan.subtasks.map((subtask) => executeChild(bareSubAgent, { workflowId: `${workflowId}/${subtask.id}`, args: [{ taskId: input.taskId, subtask }] })));
  return { results };
}

/** supervisor's child, bare: one model call answers the sub-task. */
export async function bareSubAgent(input: { taskId: string; subtask: BareSubtask }): Promise<{ id: string; answer: string | null }> {
  const out = (await act.bareChat({ role: input.subtask.role, schema: 'subAgentAnswer', system: 'You are a sub-agent working on one sub-task of a larger goal. Answer it, or split it into sub-tasks (outcome "delegate"), or say you cannot (outcome "cannot") with the reason.', user: `Task: ${input.taskId}\nSubtask: ${input.subtask.id}\nInstruction: ${input.subtask.instruction}` })) as { answer: string | null };
  return { id: input.subtask.id, answer: out.answer };
}

/** enrichCatalog's work, bare: every SKU's GET at once (up to 20 in flight, as enrichCatalog's default), in input order. */
export async function bareEnrich(input: { skus: string[] }): Promise<{ enriched: unknown[] }> {
  const out = new Map<string, unknown>();
  const pending = [...input.skus];
  const lane = async () => {
    for (let sku = pending.shift(); sku !== undefined; sku = pending.shift()) out.set(sku, await act.bareEnrichSku(sku));
  };
  await Promise.all(Array.from({ length: Math.min(20, pending.length) }, lane));
  return { enriched: input.skus.map((s) => out.get(s)) };
}

/**
 * planExecuteReview's work, bare: a planner call, then per step an executor call and a reviewer call, the
 * values applied with their provenance and written by the same store function. No resource gate,
 * convergence guards, cost ceiling, drift check or person.
 */
export async function barePlanExecuteReview(input: { taskId: string; goal: string; records: { id: string; fields: Record<string, string | null> }[] }): Promise<{ executedSteps: number; values: number }> {
  const task = `Task: ${input.taskId}`;
  const plan = (await act.bareChat({ role: 'planner', schema: 'plan', system: 'You are the planner agent. Write a plan of small steps for the task.', user: `${task}\nGoal: ${input.goal}\nRecords: ${input.records.length}` })) as { steps: { id: string; field: string | null; instructions: string }[] };
  const records = new Map<string, OutputRecord>(input.records.map((r) => [r.id, { id: r.id, fields: Object.fromEntries(Object.entries(r.fields).map(([k, v]) => [k, { value: v, provenance: fromSource('input') }])) }]));
  for (const step of plan.steps) {
    const done = (await act.bareChat({ role: 'executor', schema: 'stepResult', system: 'You are the executor agent. Carry out one step.', user: `${task}\nStep: ${step.id}\n${step.instructions}\nRecords: ${JSON.stringify(input.records)}` })) as { values: { recordId: string; value: string; confidence: number }[] };
    const review = (await act.bareChat({ role: 'reviewer', schema: 'stepReview', system: 'You are the reviewer agent. Approve or reject the step\'s values.', user: `${task}\nStep: ${step.id}\nValues: ${JSON.stringify(done.values)}` })) as { verdict: string };
    if (review.verdict !== 'approve') throw new Error(`baseline: step ${step.id} rejected`);
    for (const v of done.values) {
      const rec = records.get(v.recordId);
      if (rec && step.field) rec.fields[step.field] = { value: v.value, provenance: inferredBy('executor', 'sim-small', v.confidence) };
    }
  }
  const written = await act.bareWritePlanRun({ workflowId: workflowInfo().workflowId, taskId: input.taskId, status: 'completed', planSize: plan.steps.length, executedSteps: plan.steps.length, replans: 0, costUsd: 0, drift: [], coordinationLog: [], records: [...records.values()] });
  return { executedSteps: plan.steps.length, values: written.values };
}
