/** Every workflow the Breakwater worker registers. Each is the story of one pipeline. */
export { doctor } from './doctor';
export { applySharedChange } from './applySharedChange';
export { requestApproval } from './requestApproval';
export { submitAndVerify } from './submitAndVerify';
export { bareSubmit } from './bareSubmit'; // benchmark baseline only
export { enrichCatalog } from './enrichCatalog';
export { agentDecision } from './agentDecision';
export { planExecuteReview } from './planExecuteReview';
export { supervisor } from './supervisor';
export { subAgent } from './subAgent';
export { parallelIngest } from './parallelIngest';
