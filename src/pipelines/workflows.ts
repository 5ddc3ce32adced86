/** The reference pipelines' workflows: what the reference worker passes as `workflowsPath`. */
export { submitAndVerify } from './submitAndVerify/workflow';
export { enrichCatalog } from './enrichCatalog/workflow';
export { agentDecision } from './agentDecision/workflow';
export { planExecuteReview } from './planExecuteReview/workflow';
export { supervisor } from './supervisor/workflow';
export { subAgent } from './supervisor/subAgent';
export { parallelIngest } from './parallelIngest/workflow';
export { researchAgent } from './researchAgent/workflow';
