/**
 * The research agent's test stack: the agent-layer stack with a `researcher` role on the given simulated
 * model, plus the search API's broker worker on its own connection — what `npm run demo` runs.
 */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import path from 'node:path';
import { NativeConnection } from '@temporalio/worker';
import { stackEnv } from '../submitAndVerify/testKit';
import { temporalConnectionOptions } from '../../client/connection';
import { createApiWorkers } from '../../workers/apiWorkers';
import { startAgentLayerStack, testModels, type AgentLayerStack } from '../testKit';
import { searchApi } from './tools';

export interface ResearchStack {
  t: AgentLayerStack;
  stop(): Promise<void>;
}

export async function startResearchStack(researcherModel: string): Promise<ResearchStack> {
  const t = await startAgentLayerStack({ models: { ...testModels, roles: { ...testModels.roles, researcher: { model: researcherModel, maxOutputTokens: 512 } } } });
  const connection = await NativeConnection.connect(temporalConnectionOptions(t.stack.config));
  const [api] = await createApiWorkers({ config: t.stack.config, connection, taskQueue: t.stack.taskQueue, apis: [searchApi({ db: t.stack.db })] });
  t.stack.runUntilTeardown(api!);
  return {
    t,
    async stop() {
      await t.stop();
      await connection.close().catch(() => undefined);
    },
  };
}

/**
 * A reference worker in a process of its own, armed to die (SIGKILL) at a named fault point: `exited` says
 * how it ended, with what it wrote to stderr (where the fault point names itself).
 */
export function spawnDoomedWorker(t: AgentLayerStack, faultPoint: string): { exited: Promise<{ code: number | null; signal: NodeJS.Signals | null; stderr: string }> } {
  const env = { ...stackEnv(t.stack, 'http://127.0.0.1:9'), OPENAI_BASE_URL: `${t.sim.url}/v1`, BREAKWATER_MODELS_FILE: t.modelsFile, BREAKWATER_FAULTS: `${faultPoint}:crash` };
  const doomed = spawn(process.execPath, [path.resolve(__dirname, '..', 'main.js')], { env: { ...process.env, ...env }, stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  doomed.stderr.on('data', (b: Buffer) => (stderr += b.toString()));
  const exit = once(doomed, 'exit') as Promise<[number | null, NodeJS.Signals | null]>;
  return { exited: exit.then(([code, signal]) => ({ code, signal, stderr })) };
}
