/**
 * Breakwater's own workflows, bundled into every Breakwater worker beside the user's. Each loads on first
 * use (lazyWorkflows.ts): a run of a user's workflow evaluates none of these modules.
 */
/* eslint-disable @typescript-eslint/no-require-imports -- lazy loaders: a run evaluates only its workflow's module */
import { lazyWorkflows } from './lazyWorkflows';

lazyWorkflows(exports, {
  doctor: () => (require('./doctor') as typeof import('./doctor')).doctor,
  applySharedChange: () => (require('./applySharedChange') as typeof import('./applySharedChange')).applySharedChange,
  requestApproval: () => (require('./requestApproval') as typeof import('./requestApproval')).requestApproval,
  clearBreaker: () => (require('./operatorDecisions') as typeof import('./operatorDecisions')).clearBreaker,
  replayDeadLetter: () => (require('./operatorDecisions') as typeof import('./operatorDecisions')).replayDeadLetter,
});
