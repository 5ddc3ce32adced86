/**
 * All of Breakwater's own activities, built from their dependencies. `createBreakwaterWorker` registers
 * them next to the user's; workflows import only the *type* `Activities` and call them through
 * `proxyActivities` (or the workflow-side primitives of `breakwater/workflow`, which do).
 */
import { configSecrets, type BreakwaterConfig } from '../config';
import { registerSecrets } from '../redact';
import type { Db } from '../store/db';
import { createAlertActivities } from './alerts';
import { createApprovalActivities } from './approvals';
import { createOperatorDecisionActivities } from './operatorDecisions';
import { createCircuitBreakerActivities } from './circuitBreaker';
import { createDeadLetterActivities } from './deadLetters';
import { createDoctorActivities } from './doctor';
import { createEscalationRecordActivities } from './escalationRecords';
import { createEffectActivities, type EffectDefinition } from './effects';
import { createLlmActivities, type LlmDeps } from './llm';
import { createResourceGateActivities, type ResourceResolver } from './resourceGate';
import { createSharedStateActivities } from './sharedState';
import { createToolActivities, type ToolImplementation } from './tools';

export interface ActivityDeps {
  db: Db;
  config: BreakwaterConfig;
  /** The irreversible effects this worker may perform (`defineEffect`). */
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- effects of any payload type share one registry
  effects?: readonly EffectDefinition<any>[];
  /** Resolvers for your own resource kinds (or replacements of the built-in ones) for the resource gate. */
  resourceResolvers?: Record<string, ResourceResolver>;
  /** Overrides of the LLM layer's dependencies (models, client, backoff). */
  llm?: Omit<LlmDeps, 'db' | 'config'>;
  /** The tools agents on this worker may call (`implementTool`, or MCP tools from `connectMcpTools`). */
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- tools of any argument type share one registry
  tools?: readonly ToolImplementation<any, any>[];
}

export function createActivities(deps: ActivityDeps) {
  // Whoever embeds these activities, every secret in the config is masked in what they write down.
  registerSecrets(...configSecrets(deps.config));
  const { db, config } = deps;
  return {
    ...createDoctorActivities(db),
    ...createSharedStateActivities(db),
    ...createDeadLetterActivities(db, config),
    ...createAlertActivities({ db, config }),
    ...createApprovalActivities({ db, config }),
    ...createOperatorDecisionActivities({ db, config }),
    ...createEscalationRecordActivities(db),
    ...createLlmActivities({ ...deps.llm, db, config }),
    ...createCircuitBreakerActivities({ db, config }),
    ...createEffectActivities({ db, config, effects: deps.effects ?? [] }),
    ...createResourceGateActivities({ db, resolvers: deps.resourceResolvers, allow: config.resources }),
    ...createToolActivities({ db, config, tools: deps.tools ?? [] }),
  };
}

export type Activities = ReturnType<typeof createActivities>;
