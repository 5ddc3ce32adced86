/**
 * Test kit for the agent layer: a real Temporal dev server + Postgres schema (the harness), the LLM
 * simulator over HTTP, a models file of known prices, and a running Breakwater worker — plus helpers to
 * wait for an escalation and read `llm_calls`.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { WorkflowHandle } from '@temporalio/client';
import type { Worker } from '@temporalio/worker';
import type { Escalation } from '../contracts/resolution';
import { startLlmSimulator, type LlmScenario, type LlmSimulator } from '../simulators/llm';
import { llmCallRows, type LlmCallRow } from '../store/llmCalls';
import { startTestStack, type TestStack, type TestStackOptions, type TestWorkerOptions } from './harness';
import { escalationQuery } from '../contracts/messages';

export const testModels = {
  provider: 'openai',
  roles: { router: { model: 'sim-small', maxOutputTokens: 256 }, decider: { model: 'sim-large', maxOutputTokens: 512 } },
  models: { 'sim-small': { inputUsdPerMillion: 0.15, outputUsdPerMillion: 0.6 }, 'sim-large': { inputUsdPerMillion: 2.5, outputUsdPerMillion: 10 } },
};

export interface AgentLayerStack {
  stack: TestStack;
  sim: LlmSimulator;
  /** Undefined with `startWorker: false`. */
  worker: Worker | undefined;
  modelsFile: string;
  stop(): Promise<void>;
}

export interface AgentLayerOptions {
  models?: object;
  env?: Record<string, string>;
  scenario?: LlmScenario;
  /** Options of the stack's worker for this kit (your workflows, activities). */
  worker?: TestWorkerOptions;
  startWorker?: boolean;
  /** Passed to startTestStack (e.g. `worker` defaults, `migrations`). */
  stack?: Omit<TestStackOptions, 'env'>;
}

export async function startAgentLayerStack(o: AgentLayerOptions = {}): Promise<AgentLayerStack> {
  const sim = await startLlmSimulator({ scenario: o.scenario });
  const modelsFile = path.join(mkdtempSync(path.join(tmpdir(), 'bw-models-')), 'models.json');
  writeFileSync(modelsFile, JSON.stringify(o.models ?? testModels));
  const stack = await startTestStack({ ...o.stack, env: { OPENAI_BASE_URL: `${sim.url}/v1`, BREAKWATER_MODELS_FILE: modelsFile, ...o.env } });
  const worker = o.startWorker === false ? undefined : await stack.startWorker(o.worker);
  return {
    stack,
    sim,
    worker,
    modelsFile,
    async stop() {
      await stack.teardown(); // stops the worker first
      await sim.close();
    },
  };
}

/** Polls the `escalation` query until an escalation (of `kind`, if given) is open. */
export async function waitForEscalation(handle: WorkflowHandle, kind?: string, timeoutMs = 30_000): Promise<Escalation> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const state = await handle.query(escalationQuery).catch(() => undefined);
    if (state?.open && (!kind || state.open.kind === kind)) return state.open;
    if (Date.now() > deadline) throw new Error(`no ${kind ?? ''} escalation opened within ${timeoutMs} ms (open: ${JSON.stringify(state?.open)})`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

export async function searchAttribute(handle: WorkflowHandle, name: string): Promise<unknown> {
  const d = await handle.describe();
  return (d.searchAttributes as Record<string, unknown[] | undefined>)[name]?.[0];
}

export type { LlmCallRow };

export async function llmCalls(stack: TestStack, workflowId: string): Promise<LlmCallRow[]> {
  return llmCallRows(stack.db, workflowId);
}
