/**
 * Breakwater's public entry for use as a library: activities, the worker, stores and typed client helpers
 * for your own workers and code. Workflow code imports `breakwater/workflow` instead (the human gate, the
 * agent runner, guards): this module does I/O and must not be bundled into workflows.
 */
export { loadConfig, getConfig, type BreakwaterConfig } from './config';
export * from './errors';
export { redactText, redactValue, registerSecrets } from './redact';
export { faultPoint, armFault, InjectedFault } from './faults';
export * from './contracts/resolution';
export * from './contracts/alert';
export * from './contracts/searchAttributes';
export { createActivities, type Activities, type ActivityDeps } from './activities';
export { createBreakwaterWorker, type BreakwaterWorkerOptions } from './workers/worker';
export { createLogger, temporalLogger } from './workers/logger';
export { createPool, inTransaction, type Db } from './store/db';
export { migrate } from './store/migrate';
export { connectClient, webUiLink } from './client/connection';
export { startSubmitAndVerify, resolveEscalation, getEscalationState, validateSubmitInput } from './client/submitAndVerify';
export { temporalConnectionOptions } from './client/connection';
export { createFingerprintStore } from './activities/fingerprints';
export { createCircuitBreaker } from './activities/circuitBreaker';
export { createDeadLetterStore } from './activities/deadLetters';
export { createSharedStateActivities } from './activities/sharedState';
export { createApiWorkers, apiTaskQueue } from './workers/apiWorkers';
export { startMetricsServer } from './observability/metricsServer';
export { explainWorkflow } from './observability/explainData';
