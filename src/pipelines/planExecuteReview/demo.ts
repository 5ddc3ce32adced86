/**
 * Demo part: the three incidents of the field reports, replayed on the LLM simulator through
 * planExecuteReview — and what the guards prevented.
 *  1. the planner invents a "reference taxonomy" → stopped at the resource gate, no step runs;
 *  2. the EU → US address transform that re-planned itself into 847 sub-steps → ends within the step budget;
 *  3. researcher ↔ analyst "I need more context", 47 times → stopped at the 3rd identical request.
 * Escalations are answered through the `breakwater resolve` CLI, as an on-call person would.
 */
import type { WorkflowHandle } from '@temporalio/client';
import type { EscalationState, Escalation } from '../../contracts/resolution';
import { addressLoopInput, inventedTaxonomyInput, planExecuteReviewScenario, researchLoopInput } from './scenarios';
import type { PlanExecuteReviewInput, PlanExecuteReviewResult } from './workflow';
import type { DemoContext, DemoRow } from '../../demo/context';

export { planExecuteReviewScenario };

async function openEscalation(handle: WorkflowHandle, timeoutMs = 60_000): Promise<Escalation> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const state = await handle.query<EscalationState>('escalation').catch(() => undefined);
    if (state?.open) return state.open;
    if (Date.now() > deadline) throw new Error(`${handle.workflowId}: no escalation within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

const usd = (n: number) => `$${n.toFixed(6)}`;

export async function runPlanExecuteReviewDemo(ctx: DemoContext): Promise<DemoRow[]> {
  // The simulator answers as the incidents' agents did (see src/testing/planExecuteReviewScenarios.ts).
  const loaded = await fetch(`${ctx.simulators.llmUrl}/_admin/scenario`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(planExecuteReviewScenario) });
  if (!loaded.ok) throw new Error(`loading the LLM scenario failed: HTTP ${loaded.status} ${await loaded.text()}`);
  const suffix = Date.now().toString(36);

  async function run(input: PlanExecuteReviewInput, decision: 'approve' | 'reject'): Promise<{ escalation: Escalation; result: PlanExecuteReviewResult; workflowId: string; seconds: number }> {
    const workflowId = `demo-per-${input.taskId}`;
    const t0 = Date.now();
    const handle = await ctx.client.workflow.start('planExecuteReview', { taskQueue: ctx.taskQueue, workflowId, args: [input] });
    const escalation = await openEscalation(handle);
    const seconds = (Date.now() - t0) / 1000;
    ctx.log(`${workflowId}: AwaitingHuman (${escalation.kind}) after ${seconds.toFixed(1)} s — ${escalation.reason.split('. ')[0]}`);
    const answered = await ctx.cli(['resolve', workflowId, '--decision', decision, '--by', 'demo-oncall', '--json']);
    if (answered.code !== 0) throw new Error(`breakwater resolve failed: ${answered.stderr || answered.stdout}`);
    const result = (await handle.result()) as PlanExecuteReviewResult;
    return { escalation, result, workflowId, seconds };
  }

  const rows: DemoRow[] = [];

  // 1. The cascading hallucination: the plan needs a taxonomy nobody has.
  const tax = await run(inventedTaxonomyInput(`invented-taxonomy-${suffix}`), 'reject');
  const missing = (tax.escalation.details?.missing as { kind: string; locator: string }[]).map((m) => `${m.kind} '${m.locator}'`).join(', ');
  const executorCalls = tax.result.coordinationLog.filter((e) => e.agent === 'executor').length;
  ctx.log(`  missing: ${missing}; executed steps: ${tax.result.executedSteps}; executor calls: ${executorCalls}; cost ${usd(tax.result.costUsd)} (the planner only)`);
  rows.push({ scenario: 'invented taxonomy', outcome: 'stopped at the resource gate', detail: `missing ${missing}; ${tax.result.executedSteps} steps ran, nothing written (incident: 30 % of categories guessed and approved)` });

  // 2. The delegation loop: a transform the reviewer keeps rejecting, and a planner that keeps splitting it.
  const addr = await run(addressLoopInput(`address-loop-${suffix}`, 1000), 'approve');
  const d = addr.escalation.details as { replans: number; executedSteps: number; stepBudget: number; costUsd: number };
  ctx.log(`  ${d.executedSteps}/${d.stepBudget} steps, ${d.replans} re-plans, cost ${usd(d.costUsd)}; the run ended '${addr.result.status}', keeping the reviewed values`);
  rows.push({ scenario: 'address loop (EU → US)', outcome: `escalated: ${addr.escalation.kind}`, detail: `${d.executedSteps} steps (budget ${d.stepBudget}), ${d.replans} re-plans, ${usd(d.costUsd)}, ${addr.seconds.toFixed(1)} s (incident: 847 sub-steps, > $100, 4 h)` });

  // 3. The infinite loop: the analyst keeps asking the researcher for more context.
  const loop = await run(researchLoopInput(`research-loop-${suffix}`), 'reject');
  const asks = loop.result.coordinationLog.filter((e) => e.agent === 'analyst' && e.to === 'researcher').length;
  ctx.log(`  the analyst asked ${asks} times; stopped with the coordination log attached; cost ${usd(loop.result.costUsd)}`);
  rows.push({ scenario: 'researcher ↔ analyst loop', outcome: `escalated: ${loop.escalation.kind}`, detail: `stopped at request ${asks} (incident: 47 round trips); ${usd(loop.result.costUsd)}` });

  return rows;
}
