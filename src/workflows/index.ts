/** Every workflow the Breakwater worker registers. Each is the story of one pipeline. */
export { doctor } from './doctor';
export { applySharedChange } from './applySharedChange';
export { requestApproval } from './requestApproval';
export { agentDecision } from './agentDecision';
