/**
 * Breakwater's public entry for worker and client code: activities, the worker, stores and client helpers
 * for your own pipelines. Workflow code imports `breakwater/workflow` instead (deterministic only); test
 * code imports `breakwater/testing` (harness, simulators, fault injection). Explicit exports only: this
 * file is the API (etc/api/breakwater.api.md records it).
 */
// Configuration, errors and the failure catalog
export { loadConfig, getConfig, apiLimitFor, configSecrets, requireSetting, type BreakwaterConfig, type TemporalTls, type LogLevel } from './config';
export * from './errors';
export { Failure, defineFailures, raise, isFailure, failureTypeOf, failureDetails, type FailureSpec, type FailureName, type FailureType, type RaiseOptions } from './failures';
export { redactText, redactValue, registerSecrets } from './redact';

// Contracts (pure; also in breakwater/workflow)
export * from './contracts/resolution';
export * from './contracts/alert';
export * from './contracts/searchAttributes';
export * from './contracts/messages';
export { agentProgressQuery, AGENT_PROGRESS_QUERY, AGENT_PROGRESS_RECENT, agentStatuses, type AgentProgress, type AgentProgressEntry, type AgentStatus } from './contracts/agentProgress';
export * from './contracts/effect';
export * from './contracts/resources';
export { apiTaskQueue, API_RATE_LIMITED } from './contracts/api';
export { defineAgentSchema, withConfidence, confidenceField, type AgentSchema } from './contracts/agentSchemas';
export { chatMessageSchema, type ChatMessage, type CallModelResult } from './contracts/agentCall';
export { raiseClaim, type BudgetStatus, type RaiseBudget } from './contracts/budget';
export * from './contracts/operatorDecisions';
// Signed decisions (docs/security.md): sign in your own tools, verify as the worker does.
export {
  canonicalDecision,
  createDecisionSigner,
  decodePublicKey,
  generateApproverKey,
  privateKeyFromPem,
  signDecision,
  verifyDecisionSignature,
  type ApproverKeyPair,
  type DecisionAction,
  type DecisionClaim,
  type DecisionProof,
} from './identity/decisionSignature';
export type { IdentityConfig, InboxConfig } from './identity/identityConfig';
export type { DeadLetterInput } from './contracts/deadLetter';
export type { Json } from './deterministic/jsonDiff';

// Activities: Breakwater's, and the building blocks for yours
export { createActivities, type Activities, type ActivityDeps } from './activities';
export { defineEffect, EffectError, isEffectError, effectFailure, type EffectDefinition, type EffectCall, type EffectReceipt, type EffectBreakerPolicy } from './activities/effects';
export { connectMcpTools, mcpServerConfigSchema, mcpToolEffect, type McpServerConfig, type McpTools } from './activities/mcp';
export { implementTool, createToolActivities, toolFaultPoints, ToolError, type ToolImplementation, type ToolContext, type ToolActivities, type ToolActivityDeps } from './activities/tools';
export { defineTool, toolWire, canonicalJson, toolEffects, toolWireSchema, modelToolCallSchema, type ToolSpec, type ToolDefinition, type ToolEffect, type ToolApproval, type ToolWire, type ModelToolCall } from './contracts/tool';
export {
  createCircuitBreakerStore as createCircuitBreaker,
  BreakerOpenError,
  BreakerNotFoundError,
  isBreakerOpenError,
  isBreakerNotFoundError,
  DEFAULT_BREAKER_THRESHOLD,
  HALF_OPEN_PROBE_ACTOR,
  type BreakerState,
  type BreakerProbe,
  type BreakerPolicy,
  type ProbeClaim,
  type CircuitBreakerStore,
  type ClearRequest,
  type ClearResult,
} from './store/circuitBreakers';
export { createApiBroker, apiRateLimited, type ApiBroker, type ApiBrokerOptions, type BrokeredCall } from './activities/broker/apiBroker';
export type { ApiLimit, Limiter, Ticket } from './store/brokerBucket';
export type { ResourceCheck, ResourceResolver } from './activities/resourceGate';
export type { ResourceAllowlist } from './activities/resourceAllowlist';
export { createSharedStateActivities, type SharedUpdate } from './activities/sharedState';
export type { SharedObject } from './store/sharedObjects';
export type { LlmDeps } from './activities/llm';
export type { ModelsConfig } from './activities/llm/models';
export type { BackoffOptions } from './activities/llm/failures';
export type { AlertResult } from './activities/alerts';
export type { ApprovalRequest, ApprovalVerdict } from './activities/approvals';
export type { DoctorReport } from './store/doctor';

// Workers: the Temporal plugin for your own Worker.create / Client / Connection, and a one-call worker over it
export { breakwater, BreakwaterPlugin, BREAKWATER_PLUGIN_NAME, type BreakwaterPluginOptions } from './workers/plugin';
export { createBreakwaterWorker, type BreakwaterWorkerOptions } from './workers/worker';
export { bundleWorkflows, writeWorkflowBundle, type BundleWorkflowsOptions } from './workers/bundle';
export { createApiWorkers, type ApiWorkerSpec, type ApiWorkersOptions } from './workers/apiWorkers';
export { createLogger, temporalLogger, type AppLogger } from './workers/logger';

// Postgres: the source of truth
export { createPool, inTransaction, type Db } from './store/db';
export { migrate, type MigrateOptions, type MigrationFolder } from './store/migrate';
export { createFingerprintStore, type FingerprintRecord, type FingerprintStore, type FingerprintStoreOptions, type ClaimVerdict, type ClaimRequest } from './store/fingerprints';
export { createDeadLetterStore, type DeadLetter, type DeadLetterStoreOptions, type ReplayInput } from './store/deadLetters';

// Payload encryption: every client and worker of yours that talks to Breakwater's runs needs the codec
export { breakwaterDataConverter, payloadCodecFor, sealerFor } from './codec/dataConverter';
export { createEncryptionCodec, isEncrypted, ENCRYPTED_ENCODING, KEY_ID_METADATA } from './codec/payloadCodec';
export { parseKeyRing, generateKeySpec, type CodecKey } from './codec/keys';
export { createSealer, isSealed, type Sealer, type SealedValue } from './codec/sealed';
export { startCodecServer, type CodecServer, type CodecServerOptions } from './codec/codecServer';

// Client
export { connectClient, temporalConnectionOptions, webUiLink } from './client/connection';
export { resolveEscalation, getEscalationState, validateResolution, describeIssues } from './client/escalations';
export { ensureSearchAttributes, SearchAttributeSetupError, type SetupReport } from './client/setup';
export { main as runCli, buildProgram, EXIT_OK, EXIT_FAILURE, EXIT_USAGE, type CliOptions } from './client/cli';
export type { CommandContext, RegisterCommand } from './client/commands';
export type { Output } from './client/output';

// Observability
export { assertMetricsBindable, metricsServerOptions, startMetricsServer, type MetricsServer, type MetricsServerOptions } from './observability/metricsServer';
export { explainWorkflow, type ExplainSources } from './observability/explainData';
export type { Explanation, AgentTurn } from './observability/explain';
export type { StatementEstimate } from './observability/statementEstimate';
export type { RelatedRuns, RelatedChild } from './observability/explainRelated';
export type { Incident } from './observability/viewer/incidents';
export type { RunRef } from './observability/explainHistory';
