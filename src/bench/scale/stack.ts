/**
 * The scale benchmark's servers: one Temporal dev server and Postgres schema (the harness), the LLM
 * simulator and the portal simulator on loopback, and the bare baselines' workflow bundle (plain Temporal
 * bundler, no Breakwater interceptors) — shared by every part of the run.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { bundleWorkflowCode, DefaultLogger } from '@temporalio/worker';
import type { LlmScenario } from '../../simulators/llm';
import { startPortalSimulator, type PortalSimulator } from '../../simulators/portal';
import { startAgentLayerStack, type AgentLayerStack } from '../../pipelines/testKit';

export const triageAnswer = { category: 'order', orderIds: ['ORD-1001'], customerId: 'CUS-7' };
export const decisionAnswer = (confidence: number) => ({ action: 'refund', orderId: 'ORD-1001', confidence, evidence: ['arrived damaged'] });

/** Every LLM answer after `delayMs` (the fixed model latency); the decision at `confidence`. */
export const scenario = (delayMs: number, confidence = 0.95): LlmScenario => ({
  rules: [
    { match: { schemaName: 'requestTriage' }, responses: [{ json: triageAnswer, delayMs }] },
    { match: {}, responses: [{ json: decisionAnswer(confidence), delayMs }] },
  ],
});

export interface ScaleStack {
  t: AgentLayerStack;
  portal: PortalSimulator;
  bareBundle: string;
  stop(): Promise<void>;
}

let bareBundlePath: string | undefined;
/** The bare baselines bundled once per benchmark process (webpack, a few seconds). */
export async function bareBundle(): Promise<string> {
  if (bareBundlePath) return bareBundlePath;
  const { code } = await bundleWorkflowCode({ workflowsPath: path.resolve(__dirname, 'bareWorkflows.js'), logger: new DefaultLogger('WARN') });
  bareBundlePath = path.join(mkdtempSync(path.join(tmpdir(), 'bw-scale-')), 'bare-bundle.js');
  writeFileSync(bareBundlePath, code);
  return bareBundlePath;
}

export async function startScaleStack(o: { llmDelayMs: number; confidence?: number; portalLatencyMs?: number; env?: Record<string, string>; models?: object }): Promise<ScaleStack> {
  const portal = await startPortalSimulator({ lagMs: 0, latencyMs: o.portalLatencyMs ?? 50 });
  // High daily cap: the throughput runs must never be refused (the contention part tests the cap itself).
  const t = await startAgentLayerStack({ scenario: scenario(o.llmDelayMs, o.confidence), startWorker: false, ...(o.models ? { models: o.models } : {}), env: { PORTAL_URL: portal.url, DAILY_SPEND_CAP_USD: '1000000', ...o.env } });
  const bundle = await bareBundle();
  return {
    t,
    portal,
    bareBundle: bundle,
    async stop() {
      await t.stop();
      await portal.close();
    },
  };
}
