/**
 * The reference pipelines' workflows: what the reference worker passes as `workflowsPath`. Each loads on
 * first use (src/workflows/lazyWorkflows.ts), so a run builds only its own pipeline's contracts.
 */
/* eslint-disable @typescript-eslint/no-require-imports -- lazy loaders: a run evaluates only its workflow's module */
import { lazyWorkflows } from '../workflows/lazyWorkflows';

lazyWorkflows(exports, {
  submitAndVerify: () => (require('./submitAndVerify/workflow') as typeof import('./submitAndVerify/workflow')).submitAndVerify,
  enrichCatalog: () => (require('./enrichCatalog/workflow') as typeof import('./enrichCatalog/workflow')).enrichCatalog,
  agentDecision: () => (require('./agentDecision/workflow') as typeof import('./agentDecision/workflow')).agentDecision,
  planExecuteReview: () => (require('./planExecuteReview/workflow') as typeof import('./planExecuteReview/workflow')).planExecuteReview,
  supervisor: () => (require('./supervisor/workflow') as typeof import('./supervisor/workflow')).supervisor,
  subAgent: () => (require('./supervisor/subAgent') as typeof import('./supervisor/subAgent')).subAgent,
  parallelIngest: () => (require('./parallelIngest/workflow') as typeof import('./parallelIngest/workflow')).parallelIngest,
  researchAgent: () => (require('./researchAgent/workflow') as typeof import('./researchAgent/workflow')).researchAgent,
});
