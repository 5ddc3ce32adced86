/** Breakwater's own workflows, bundled into every Breakwater worker beside the user's. */
export { doctor } from './doctor';
export { applySharedChange } from './applySharedChange';
export { requestApproval } from './requestApproval';
export { clearBreaker, replayDeadLetter } from './operatorDecisions';
