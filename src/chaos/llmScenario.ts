/**
 * What the simulated models answer during a chaos run (every agent pipeline, any number of runs), the
 * models file that prices them, and the fault overlay: a burst puts N bad answers in front of every rule's
 * good one (the simulator repeats a rule's last answer once the others are used), so each rule serves N
 * faults and then heals by itself.
 */
import type { LlmScenario, LlmScenarioResponse } from '../simulators/llm';
import type { FaultKind } from './schedule';

type Rule = LlmScenario['rules'][number];

export const chaosModels = {
  provider: 'openai',
  roles: {
    ...Object.fromEntries(['planner', 'executor', 'reviewer', 'researcher', 'analyst', 'supervisor', 'worker'].map((r) => [r, { model: 'sim-small', maxOutputTokens: 512 }])),
    router: { model: 'sim-small', maxOutputTokens: 256 },
    decider: { model: 'sim-large', maxOutputTokens: 512 },
  },
  models: { 'sim-small': { inputUsdPerMillion: 0.15, outputUsdPerMillion: 0.6 }, 'sim-large': { inputUsdPerMillion: 2.5, outputUsdPerMillion: 10 } },
};

/** agentDecision requests with this word get a low-confidence decision: an escalation by design. */
export const UNCERTAIN = 'uncertain';
export const CHAOS_RECORDS = ['R-1', 'R-2', 'R-3'];

const decision = (confidence: number) => ({ json: { action: 'refund', orderId: 'ORD-1001', confidence, evidence: ['ORD-1001 arrived damaged'] } });

export const chaosScenario: LlmScenario = {
  name: 'chaos',
  rules: [
    { id: 'triage', match: { schemaName: 'requestTriage' }, responses: [{ json: { category: 'order', orderIds: ['ORD-1001'], customerId: 'CUS-7' } }] },
    { id: 'decide-uncertain', match: { schemaName: 'actionDecision', user: UNCERTAIN }, responses: [decision(0.4)] },
    { id: 'decide', match: { schemaName: 'actionDecision' }, responses: [decision(0.93)] },
    {
      id: 'plan',
      match: { schemaName: 'plan' },
      responses: [{ json: { summary: 'Fill the missing categories.', steps: [{ id: 'infer-category', agent: 'executor', action: 'infer-category', field: 'category', instructions: 'Infer the category of each record.', resources: [] }], manifest: [] } }],
    },
    { id: 'execute', match: { schemaName: 'stepResult' }, responses: [{ json: { outcome: 'done', values: CHAOS_RECORDS.map((recordId) => ({ recordId, value: 'Kitchen', confidence: 0.9 })), request: null } }] },
    { id: 'review', match: { schemaName: 'stepReview' }, responses: [{ json: { verdict: 'approve', issues: [], confidence: 0.9 } }] },
    { id: 'subagent', match: { schemaName: 'subAgentAnswer' }, responses: [{ json: { outcome: 'answer', answer: 'done', subtasks: [], reason: null, confidence: 0.9 } }] },
  ],
};

/** The bad answers of one LLM fault burst, in front of each rule's own answer. */
function badAnswers(kind: FaultKind, burst: number, good: LlmScenarioResponse): LlmScenarioResponse[] {
  const n = Array.from({ length: burst });
  switch (kind) {
    case 'llm-5xx':
      return n.map((_, i) => ({ status: i % 2 ? 503 : 500, message: 'simulated overload' }));
    case 'llm-429':
      return n.map(() => ({ status: 429, retryAfterSeconds: 1, message: 'rate limit reached', type: 'requests', code: 'rate_limit_exceeded' }));
    case 'llm-lost-response':
      return n.map(() => ({ disconnect: true as const, delayMs: 200 }));
    case 'llm-latency':
      return n.map(() => ({ ...good, delayMs: 3000 }) as LlmScenarioResponse);
    case 'llm-garbage':
      return n.map(() => ({ text: '{"outcome": "done", "values": [ {"recordId": ' }));
    default:
      return [];
  }
}

export function withFaultBurst(base: LlmScenario, kind: FaultKind, burst: number): LlmScenario {
  return {
    ...base,
    rules: base.rules.map((r: Rule) => {
      // A rule matched on the last user message is left whole for garbage: the repair request that follows a
      // bad answer has another last user message, matches the catch-all rule and would meet its bad answer
      // too — two bad answers in one call, which the fault model (one per call) does not mean.
      if (kind === 'llm-garbage' && r.match?.user !== undefined) return r;
      return { ...r, responses: [...badAnswers(kind, burst, r.responses[0]!), ...r.responses] };
    }),
  };
}
