/**
 * Demo part for the agent layer: the agentDecision pipeline against the LLM simulator, one run per
 * behaviour — a confident decision, an answer repaired once, a low-confidence decision a person approves,
 * a budget that pauses the run until `breakwater budget raise`, a cache hit, and a 429 with Retry-After.
 * `agentDemoScenario` is the simulator script (the demo also POSTs it to /_admin/scenario itself).
 */
import type { WorkflowHandle } from '@temporalio/client';
import type { LlmScenario } from '../../simulators/llm';
import { llmCallRows } from '../../store/llmCalls';
import { waitForEscalation } from '../testKit';
import { agentDecision, type AgentDecisionInput, type AgentDecisionResult } from './workflow';
import type { DemoContext, DemoRow } from '../../demo/context';

const triage = { category: 'order', orderIds: ['ORD-1001'], customerId: 'CUS-7' };
const refund = (confidence: number) => ({ action: 'refund', orderId: 'ORD-1001', confidence, evidence: ['ORD-1001 arrived damaged', 'photo attached'] });
const decide = (marker: string) => ({ schemaName: 'actionDecision', user: `[demo-${marker}]` });

export const agentDemoScenario: LlmScenario = {
  name: 'agent-layer-demo',
  rules: [
    // The repair round's last message is the validation feedback: answer it correctly.
    { id: 'repair-feedback', match: { schemaName: 'actionDecision', user: 'does not match the required JSON schema' }, responses: [{ json: refund(0.92) }] },
    { id: 'triage-ratelimit', match: { schemaName: 'requestTriage', user: '[demo-ratelimit]' }, responses: [{ status: 429, retryAfterSeconds: 1, message: 'Rate limit reached' }, { json: triage }] },
    { id: 'triage-budget', match: { schemaName: 'requestTriage', user: '[demo-budget]' }, responses: [{ json: triage, usage: { prompt_tokens: 1000, completion_tokens: 200 } }] },
    { id: 'triage', match: { schemaName: 'requestTriage' }, responses: [{ json: triage }] },
    { id: 'decide-repair', match: decide('repair'), responses: [{ json: refund(1.7) }] },
    { id: 'decide-lowconf', match: decide('lowconf'), responses: [{ json: refund(0.41) }] },
    { id: 'decide-budget', match: decide('budget'), responses: [{ json: refund(0.95), usage: { prompt_tokens: 2000, completion_tokens: 500 } }] },
    { id: 'decide', match: { schemaName: 'actionDecision' }, responses: [{ json: refund(0.95) }] },
  ],
};

export async function runAgentLayerDemo(ctx: DemoContext): Promise<DemoRow[]> {
  const res = await fetch(`${ctx.simulators.llmUrl}/_admin/scenario`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(agentDemoScenario) });
  if (!res.ok) throw new Error(`could not load the agent demo scenario: HTTP ${res.status}`);
  const run = `${Date.now().toString(36)}`;
  const start = (marker: string, input: Partial<AgentDecisionInput> = {}): Promise<WorkflowHandle<typeof agentDecision>> =>
    ctx.client.workflow.start(agentDecision, {
      taskQueue: ctx.taskQueue,
      workflowId: `demo-agent-${marker}-${run}`,
      args: [{ requestId: `req-${marker}`, text: `Order ORD-1001 arrived damaged, please refund. [demo-${marker}] ${run}`, ...input }],
    });
  const summary = (r: AgentDecisionResult): string =>
    r.status === 'completed' ? `${r.decision.action} ${r.decision.orderId ?? ''} (confidence ${r.decision.confidence}, by ${r.decidedBy}), ${r.costUsd} USD` : `rejected by ${r.by} at ${r.step}`;
  const calls = async (workflowId: string): Promise<string> =>
    (await llmCallRows(ctx.db, workflowId)).map((r) => `${r.agent_role}:${r.outcome}`).join(', ');
  const rows: DemoRow[] = [];

  ctx.log('confident decision: triage (cheap model) → decide (strong model) → recorded');
  let h = await start('confident');
  rows.push({ scenario: 'agent: confident decision', outcome: (await h.result()).status, detail: summary(await h.result()) });

  ctx.log('schema-violating answer (confidence 1.7) → repaired once with the validation error fed back');
  h = await start('repair');
  const repaired = await h.result();
  rows.push({ scenario: 'agent: invalid output repaired', outcome: repaired.status, detail: `${await calls(h.workflowId)}` });

  ctx.log('low confidence (0.41 < 0.8) → AwaitingHuman; a person approves');
  h = await start('lowconf');
  const e = await waitForEscalation(h, 'low-confidence');
  ctx.log(`  escalated: ${e.reason}`);
  const approved = await ctx.cli(['resolve', h.workflowId, '--decision', 'approve', '--by', 'demo-reviewer', '--escalation', e.id]);
  ctx.log(`  $ breakwater resolve ${h.workflowId} --decision approve --by demo-reviewer → exit ${approved.code} (signed with demo-reviewer's key, verified by the worker)`);
  rows.push({ scenario: 'agent: low confidence → human', outcome: (await h.result()).status, detail: summary(await h.result()) });

  ctx.log('budget 0.0003 USD: 75 % alert after triage, paused at 100 % after decide; `breakwater budget raise` resumes');
  h = await start('budget', { budgetUsd: 0.0003 });
  await waitForEscalation(h, 'budget-exhausted');
  const raised = await ctx.cli(['budget', 'raise', h.workflowId, '--to', '0.05', '--by', 'demo-finance']);
  ctx.log(`  $ breakwater budget raise ${h.workflowId} --to 0.05 --by demo-finance → exit ${raised.code}: ${raised.stdout.trim()}`);
  rows.push({ scenario: 'agent: budget pause → raise', outcome: (await h.result()).status, detail: summary(await h.result()) });

  ctx.log('cache (temperature 0): the same request twice; the second is served from Postgres at no cost');
  const sameText = { text: `Please refund ORD-1001 (cached request) ${run}`, cache: true };
  await (await start('cache1', sameText)).result();
  h = await start('cache2', sameText);
  const cached = await h.result();
  rows.push({ scenario: 'agent: cache hit', outcome: cached.status, detail: `${await calls(h.workflowId)}; cost ${cached.costUsd} USD` });

  ctx.log('429 with Retry-After 1 s → retried by Temporal after ≥ 1 s');
  h = await start('ratelimit');
  const limited = await h.result();
  rows.push({ scenario: 'agent: 429 Retry-After', outcome: limited.status, detail: await calls(h.workflowId) });
  return rows;
}
