/**
 * The research agent's test stack: the agent-layer stack with a `researcher` role on the given simulated
 * model, plus the search API's broker worker on its own connection — what `npm run demo` runs.
 */
import { NativeConnection } from '@temporalio/worker';
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
