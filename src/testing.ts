/**
 * `breakwater/testing`: test your pipeline the way Breakwater tests its own — against a real Temporal dev
 * server and a real Postgres schema per test file, and simulators of the systems you do not own (a portal
 * with a processing lag, an OpenAI-compatible model with scripted faults, a rate-limited API), all on
 * loopback. Also named fault points, to crash an activity between "did the side effect" and "recorded it".
 * Needs `@temporalio/testing` (an optional peer dependency: add it to your devDependencies).
 */
export { startTestStack, type TestStack, type TestStackOptions, type TestWorkerOptions } from './testing/harness';
export { startAgentLayerStack, waitForEscalation, searchAttribute, llmCalls, testModels, type AgentLayerStack, type AgentLayerOptions, type LlmCallRow } from './testing/agentLayerKit';
export { waitFor } from './testing/waitFor';
export { createTestApprover, approverEnv, type TestApprover } from './testing/approvers';
export * from './simulators';
export { faultPoint, armFault, faultHits, InjectedFault, type FaultAction } from './faults';
// Types the harness's signatures use, so a test file needs no second import.
export type { BreakwaterConfig } from './config';
export type { Db } from './store/db';
export type { BreakwaterWorkerOptions } from './workers/worker';
export type { Escalation, EscalationState, Resolution } from './contracts/resolution';
export type { RaiseBudget } from './contracts/budget';
export type { ClearBreakerRequest, ReplayDeadLetterRequest } from './contracts/operatorDecisions';
export type { DecisionClaim, DecisionProof, DecisionAction } from './identity/decisionSignature';
export type { IdentityConfig, InboxConfig } from './identity/identityConfig';
