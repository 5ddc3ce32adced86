/**
 * Breakwater's public entry for use as a library: import guards, activities, workflow helpers' contracts
 * and typed client helpers into your own workers and code. Workflow-side helpers (the human gate, status
 * attributes) are imported from `breakwater/dist/workflows/...` inside workflow code, since workflow code
 * must not pull in this module's I/O.
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
