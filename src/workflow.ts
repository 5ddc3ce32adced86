/**
 * Breakwater for workflow code: `import { createHumanGate, createAgentRunner } from 'breakwater/workflow'`.
 * Everything here is deterministic — the human gate, the agent runner with its budget, status search
 * attributes, convergence guards, drift and merge — and safe to bundle into workflows. Activities, the
 * client and the worker live in the main entry (`breakwater`).
 */
export { createHumanGate, resolveSignal, resolveUpdate, escalationQuery, APPROVER_REJECTED, type HumanGate } from './workflows/humanGate';
export { createAgentRunner, raiseBudgetUpdate, raiseBudgetSignal, budgetQuery, isHumanRejection, HUMAN_REJECTION } from './workflows/agents';
export { markPipeline, markStatus, markCost } from './workflows/status';
export * from './deterministic/convergence';
export * from './deterministic/drift';
export * from './deterministic/merge';
export * from './deterministic/backoff';
export { defineAgentSchema, getAgentSchema, withConfidence, confidenceField } from './contracts/agentSchemas';
export * from './contracts/resolution';
export * from './contracts/provenance';
export * from './contracts/searchAttributes';
