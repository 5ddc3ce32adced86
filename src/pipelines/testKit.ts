/**
 * The test harness and the agent-layer kit with the reference pipelines on every worker: the same helpers
 * a user's tests get from `breakwater/testing`, given this folder's workflows, activities and effects.
 */
import { startAgentLayerStack as startToolkitAgentLayerStack, type AgentLayerOptions } from '../testing/agentLayerKit';
import { startTestStack as startToolkitTestStack, type TestStackOptions } from '../testing/harness';
import { loadReferenceConfig } from './config';
import { referenceWorkerOptions } from './worker';

export * from '../testing/harness';
export { llmCalls, searchAttribute, testModels, waitForEscalation, type AgentLayerStack } from '../testing/agentLayerKit';

const referenceWorker: TestStackOptions['worker'] = ({ db, config, settings }) => referenceWorkerOptions({ db, config, reference: loadReferenceConfig(settings) });

export const startTestStack = (o: TestStackOptions = {}) => startToolkitTestStack({ ...o, worker: o.worker ?? referenceWorker });
export const startAgentLayerStack = (o: AgentLayerOptions = {}) => startToolkitAgentLayerStack({ ...o, stack: { worker: referenceWorker, ...o.stack } });
