/**
 * Demo part for tool-using agents: researchAgent against the LLM simulator. A model that asks for 40
 * searches at once (5 run, 35 are refused to it), saves a note, asks to publish (a person approves) and
 * answers; and a model that keeps asking for the same page (stopped, escalated with the transcript, rejected).
 */
import type { LlmScenario } from '../../simulators/llm';
import { proofFor } from '../../client/signing';
import { resolveClaim, type Resolution } from '../../contracts/resolution';
import { toolCallRows } from '../../store/toolCalls';
import { waitForEscalation } from '../testKit';
import type { DemoContext, DemoRow } from '../../demo/context';
import { researchAgent } from './workflow';

const searches = Array.from({ length: 40 }, (_, i) => ({ name: 'search', arguments: { query: `tidal forces ${i}` } }));

export const researchDemoScenario: LlmScenario = {
  name: 'research-agent-demo',
  rules: [
    { id: 'research-fanout', match: { schemaName: 'researchReport', user: '[demo-fanout]' }, responses: [
      { toolCalls: searches },
      { toolCalls: [{ name: 'fetchPage', arguments: { url: 'https://docs.example/tidal-forces-0/1' } }, { name: 'saveNote', arguments: { title: 'Tides', body: 'The moon drives them.', source: 'https://docs.example/tidal-forces-0/1' } }] },
      { toolCalls: [{ name: 'publish', arguments: { title: 'Tides', summary: 'The moon drives the tides.' } }] },
      { json: { summary: 'The moon drives the tides.', sources: ['https://docs.example/tidal-forces-0/1'] } },
    ] },
    { id: 'research-loop', match: { schemaName: 'researchReport', user: '[demo-loop]' }, responses: [{ toolCalls: [{ name: 'fetchPage', arguments: { url: 'https://docs.example/same/1' } }] }] },
  ],
};

export async function runResearchAgentDemo(ctx: DemoContext): Promise<DemoRow[]> {
  const res = await fetch(`${ctx.simulators.llmUrl}/_admin/scenario`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(researchDemoScenario) });
  if (!res.ok) throw new Error(`could not load the research agent demo scenario: HTTP ${res.status}`);
  const run = Date.now().toString(36);
  const start = (marker: string) => ctx.client.workflow.start(researchAgent, { taskQueue: ctx.taskQueue, workflowId: `demo-research-${marker}-${run}`, args: [{ topic: `tides [demo-${marker}] ${run}` }] });
  const tally = async (workflowId: string) => {
    const rows = await toolCallRows(ctx.db, workflowId);
    const by = (s: string) => rows.filter((r) => r.status === s).length;
    return `${by('ran')} ran, ${by('refused')} refused, ${by('cached')} cached`;
  };
  // Signed with the approver's key from the demo's key folder, as `breakwater resolve` does; without a key
  // (a test stack in development mode) the decision goes unsigned.
  const resolution = (workflowId: string, r: Pick<Resolution, 'decision' | 'by' | 'reason'> & { escalation: string }): Resolution => ({
    ...r,
    ...proofFor(ctx.config, resolveClaim(workflowId, r)),
  });
  const rows: DemoRow[] = [];

  ctx.log('research agent: 40 parallel searches asked → 5 run (the per-turn cap), 35 refused to the model; a note saved; publish waits for a person');
  let h = await start('fanout');
  const e = await waitForEscalation(h, 'tool-approval', 60_000);
  ctx.log(`  escalated: ${e.reason}; approving as demo-editor`);
  await h.executeUpdate('resolve', { args: [resolution(h.workflowId, { decision: 'approve', by: 'demo-editor', escalation: e.id })] });
  const done = await h.result();
  rows.push({ scenario: 'agent tools: 40 searches, caps, approval', outcome: done.status, detail: `${await tally(h.workflowId)}; see breakwater explain ${h.workflowId}` });

  ctx.log('research agent asking for the same page again and again → stopped at the 3rd identical call, escalated with the transcript');
  h = await start('loop');
  const stopped = await waitForEscalation(h, 'agent-stopped', 60_000);
  ctx.log(`  escalated: ${stopped.reason}; rejecting`);
  await h.executeUpdate('resolve', { args: [resolution(h.workflowId, { decision: 'reject', by: 'demo-reviewer', reason: 'looping', escalation: stopped.id })] });
  const rejected = await h.result();
  rows.push({ scenario: 'agent tools: repeated call stopped', outcome: rejected.status, detail: await tally(h.workflowId) });
  return rows;
}
