/** The research agent's demo part runs as `npm run demo` runs it (a reference worker, the search API's broker worker, the LLM simulator). */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { AgentLayerStack } from '../testKit';
import { runResearchAgentDemo } from './demo';
import { startResearchStack, type ResearchStack } from './testKit';

let t: AgentLayerStack;
let research: ResearchStack | undefined;
before(async () => {
  research = await startResearchStack('sim-small');
  t = research.t;
});
after(async () => {
  await research?.stop();
});

test('demo: 40 searches contained and a publish approved; a looping agent stopped and rejected', async () => {
  const lines: string[] = [];
  const rows = await runResearchAgentDemo({
    client: t.stack.env.client, db: t.stack.db, config: t.stack.config, taskQueue: t.stack.taskQueue, log: (l) => lines.push(l),
    cli: async () => ({ code: 0, stdout: '', stderr: '' }), simulators: { portalUrl: '', llmUrl: t.sim.url, enrichmentUrl: '' },
  });
  assert.deepEqual(rows.map((r) => [r.scenario, r.outcome]), [['agent tools: 40 searches, caps, approval', 'completed'], ['agent tools: repeated call stopped', 'rejected']]);
  assert.match(rows[0]!.detail, /^8 ran, 35 refused, 0 cached/);
  assert.match(rows[1]!.detail, /^2 ran, 1 refused/);
});
