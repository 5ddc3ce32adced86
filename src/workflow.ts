/**
 * Breakwater for workflow code: `import { createHumanGate, performAndVerify } from 'breakwater/workflow'`.
 * Everything here is deterministic and safe to bundle into workflows: the human gate, the effect primitive,
 * the breaker wait, the broker proxy, the agent runner with its budget, status search attributes,
 * convergence guards, drift and merge. Activities, the client and the worker live in `breakwater`.
 */
export { Failure, defineFailures, raise, isFailure, failureTypeOf, failureDetails, type FailureSpec, type FailureName, type FailureType, type RaiseOptions } from './failures';
export { createHumanGate, humanRejection, isHumanRejection, HUMAN_REJECTION, APPROVER_REJECTED, type HumanGate } from './workflows/humanGate';
export { createAgentRunner, type AgentRunner, type AgentRunnerOptions, type AgentCallOptions, type AgentAnswer } from './workflows/agents';
export { runAgent, type RunAgentOptions, type AgentResult, type TranscriptEntry, type AgentCap } from './workflows/runAgent';
export { agentCarrySchema, parseAgentCarry, clipTurns, TRANSCRIPT_TAIL, type AgentCarry } from './contracts/agentCarry';
export type { Budget } from './deterministic/budget';
export { agentProgressQuery, AGENT_PROGRESS_QUERY, AGENT_PROGRESS_RECENT, agentStatuses, type AgentProgress, type AgentProgressEntry, type AgentStatus } from './contracts/agentProgress';
export { screenToolCalls, type ToolCaps, type ToolUsage, type Screened } from './workflows/toolScreen';
export { defineTool, toolWire, toolFromDescriptor, canonicalJson, toolEffects, toolWireSchema, toolDescriptorSchema, modelToolCallSchema, toolRefusalSchema, toolRefusalReasons, type ToolDescriptor, type ToolSpec, type ToolDefinition, type ToolEffect, type ToolApproval, type ToolWire, type ModelToolCall, type RunToolResult, type ToolRefusal, type ToolRefusalReason } from './contracts/tool';
export { performAndVerify, type PerformAndVerifyOptions } from './workflows/effect';
export { waitForBreaker, type BreakerWaitOptions, type BreakerWaitOutcome, type BreakerState, type BreakerProbe } from './workflows/breaker';
export { proxyApi } from './workflows/api';
export { markPipeline, markStatus, markCost } from './workflows/status';
export { lazyWorkflows, type WorkflowLoaders } from './workflows/lazyWorkflows';
export type { Activities } from './activities';
export * from './deterministic/convergence';
export * from './deterministic/drift';
export * from './deterministic/merge';
export * from './deterministic/backoff';
export { defineAgentSchema, getAgentSchema, withConfidence, confidenceField, type AgentSchema } from './contracts/agentSchemas';
export { chatMessageSchema, type ChatMessage, type CallModelResult } from './contracts/agentCall';
export type { BudgetStatus, RaiseBudget } from './contracts/budget';
export * from './contracts/resolution';
export * from './contracts/messages';
export * from './contracts/effect';
export * from './contracts/provenance';
export * from './contracts/resources';
export * from './contracts/searchAttributes';
export { apiTaskQueue, API_RATE_LIMITED } from './contracts/api';
