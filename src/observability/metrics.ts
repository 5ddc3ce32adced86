/**
 * Breakwater's Prometheus metrics: one registry per process, filled from three places.
 *
 * - Activity side (worker process): the activity interceptor (activityMetrics.ts) records every activity
 *   attempt, and every `callModel` attempt as an agent call with its tokens and cost.
 * - Workflow side: workflows cannot touch the registry (sandbox, replay), so the workflow interceptor and
 *   `emit` (src/workflows/metricsSink.ts) go through the `breakwaterMetrics` sink (sinks.ts), which the
 *   worker does not call while replaying history: a replayed run is never counted twice.
 * - Temporal's own runtime metrics (Core's Prometheus exporter) are appended by the /metrics server.
 *
 * Importing this module starts nothing: it only defines metrics on a private Registry.
 */
import { Counter, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

export const metricsRegistry = new Registry();
let defaultsOn = false;
/** Node process metrics (CPU, memory, event loop lag): turned on by the metrics server, not on import. */
export function enableProcessMetrics(): void {
  if (defaultsOn) return;
  defaultsOn = true;
  collectDefaultMetrics({ register: metricsRegistry, prefix: 'breakwater_process_' });
}

const registers = [metricsRegistry];
const latencyBuckets = [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120];
const pipelineBuckets = [0.5, 1, 5, 15, 30, 60, 120, 300, 900, 3600, 4 * 3600, 24 * 3600];

// Per agent (the `callModel` activity, by role and model).
const agentCalls = new Counter({ name: 'breakwater_agent_calls_total', help: 'Agent (callModel) attempts', labelNames: ['role', 'model'], registers });
const agentSuccesses = new Counter({ name: 'breakwater_agent_successes_total', help: 'Agent attempts that returned a validated answer', labelNames: ['role', 'model'], registers });
const agentFailures = new Counter({ name: 'breakwater_agent_failures_total', help: 'Agent attempts that failed, by failure type', labelNames: ['role', 'type'], registers });
const agentLatency = new Histogram({ name: 'breakwater_agent_latency_seconds', help: 'Agent attempt latency', labelNames: ['role'], buckets: latencyBuckets, registers });
const agentTokens = new Counter({ name: 'breakwater_agent_tokens_total', help: 'Tokens used by agents', labelNames: ['role', 'model', 'direction'], registers });
const agentCost = new Counter({ name: 'breakwater_agent_cost_usd_total', help: 'What agent calls cost (USD)', labelNames: ['role', 'model'], registers });

// Every activity (steps of every pipeline).
const activityAttempts = new Counter({ name: 'breakwater_activity_attempts_total', help: 'Activity attempts by outcome', labelNames: ['activity', 'outcome'], registers });
const activityLatency = new Histogram({ name: 'breakwater_activity_latency_seconds', help: 'Activity attempt latency', labelNames: ['activity'], buckets: latencyBuckets, registers });
const activityRetries = new Counter({ name: 'breakwater_activity_retries_total', help: 'Activity attempts after the first (attempt > 1)', labelNames: ['activity'], registers });

// Per pipeline (workflow side, through the sink).
const pipelineLatency = new Histogram({ name: 'breakwater_pipeline_duration_seconds', help: 'End-to-end run time of a pipeline (first start to close)', labelNames: ['pipeline', 'outcome'], buckets: pipelineBuckets, registers });
const pipelineCompletions = new Counter({ name: 'breakwater_pipeline_completions_total', help: 'Pipeline runs that closed, by outcome (completed | failed | rejected | cancelled)', labelNames: ['pipeline', 'outcome'], registers });
const pipelineCost = new Counter({ name: 'breakwater_pipeline_cost_usd_total', help: 'Cost of closed pipeline runs (BreakwaterCostUsd at close)', labelNames: ['pipeline'], registers });
const escalations = new Counter({ name: 'breakwater_escalations_total', help: 'Escalations to a person (BreakwaterStatus -> AwaitingHuman)', labelNames: ['pipeline'], registers });
const resolutions = new Counter({ name: 'breakwater_resolutions_total', help: 'Escalations resolved by a person', labelNames: ['pipeline', 'decision'], registers });

// Coordination.
const handoffs = new Counter({ name: 'breakwater_handoffs_total', help: 'Control passed from one agent role to another within a run', labelNames: ['pipeline', 'from', 'to'], registers });
const loopDetections = new Counter({ name: 'breakwater_loop_detections_total', help: 'Loops detected and stopped', labelNames: ['pipeline', 'step'], registers });
const stateConflicts = new Counter({ name: 'breakwater_state_conflicts_total', help: 'Shared-state writes refused for a stale version', labelNames: ['activity'], registers });
const breakerTrips = new Counter({ name: 'breakwater_breaker_trips_total', help: 'Circuit breakers opened', labelNames: ['pipeline', 'step'], registers });
const breakerRefusals = new Counter({ name: 'breakwater_breaker_refusals_total', help: 'Calls refused because a breaker was open', labelNames: ['pipeline', 'step'], registers });
const budgetPauses = new Counter({ name: 'breakwater_budget_pauses_total', help: 'Runs paused on an exhausted budget', labelNames: ['pipeline'], registers });
const rateLimited = new Counter({ name: 'breakwater_rate_limited_total', help: 'HTTP 429 answers from external APIs', labelNames: ['api'], registers });
const llmOverReservation = new Counter({ name: 'breakwater_llm_over_reservation_total', help: 'LLM calls that cost more than they reserved (the endpoint ignored the token limit)', labelNames: ['role', 'model'], registers });

// Per tool (agents' tool calls: the runTool activity and the refusals the agent loop records).
const toolCalls = new Counter({ name: 'breakwater_tool_calls_total', help: 'Tool calls by tool and status (ran | cached | failed | refused)', labelNames: ['tool', 'status'], registers });
const toolLatency = new Histogram({ name: 'breakwater_tool_latency_seconds', help: 'Tool call latency (calls that ran)', labelNames: ['tool'], buckets: latencyBuckets, registers });

export function recordToolCall(tool: string, status: 'ran' | 'cached' | 'failed' | 'refused', latencyMs?: number): void {
  toolCalls.inc({ tool, status });
  if (latencyMs !== undefined && status === 'ran') toolLatency.observe({ tool }, latencyMs / 1000);
}

export interface LlmCallSample {
  role: string;
  model: string;
  ok: boolean;
  /** Failure type (ApplicationFailure.type) when not ok. */
  failureType?: string;
  latencyMs: number;
  inputTokens?: number;
  outputTokens?: number;
  costUsd?: number;
}

export function recordLlmCall(s: LlmCallSample): void {
  agentCalls.inc({ role: s.role, model: s.model });
  if (s.ok) agentSuccesses.inc({ role: s.role, model: s.model });
  else agentFailures.inc({ role: s.role, type: s.failureType ?? 'error' });
  agentLatency.observe({ role: s.role }, s.latencyMs / 1000);
  if (s.inputTokens) agentTokens.inc({ role: s.role, model: s.model, direction: 'input' }, s.inputTokens);
  if (s.outputTokens) agentTokens.inc({ role: s.role, model: s.model, direction: 'output' }, s.outputTokens);
  if (s.costUsd) agentCost.inc({ role: s.role, model: s.model }, s.costUsd);
}

export function recordActivityAttempt(activity: string, outcome: 'ok' | 'failed' | 'cancelled', latencyMs: number, attempt: number): void {
  activityAttempts.inc({ activity, outcome });
  activityLatency.observe({ activity }, latencyMs / 1000);
  if (attempt > 1) activityRetries.inc({ activity });
}

export interface PipelineClosed {
  pipeline: string;
  outcome: 'completed' | 'failed' | 'rejected' | 'cancelled';
  durationMs: number;
  costUsd?: number;
}

export function recordPipelineClosed(p: PipelineClosed): void {
  pipelineCompletions.inc({ pipeline: p.pipeline, outcome: p.outcome });
  pipelineLatency.observe({ pipeline: p.pipeline, outcome: p.outcome }, p.durationMs / 1000);
  if (p.costUsd) pipelineCost.inc({ pipeline: p.pipeline }, p.costUsd);
}

export const recordEscalation = (pipeline: string): void => escalations.inc({ pipeline });
export const recordResolution = (pipeline: string, decision: string): void => resolutions.inc({ pipeline, decision });
export const recordHandoff = (pipeline: string, from: string, to: string): void => handoffs.inc({ pipeline, from, to });
export const recordLoopDetected = (pipeline: string, step: string): void => loopDetections.inc({ pipeline, step });
export const recordStateConflict = (activity: string): void => stateConflicts.inc({ activity });
export const recordBudgetPause = (pipeline: string): void => budgetPauses.inc({ pipeline });
export const recordRateLimited = (api: string): void => rateLimited.inc({ api });
export const recordLlmOverReservation = (role: string, model: string): void => llmOverReservation.inc({ role, model });
export const recordBreakerRefusal = (pipeline: string, step: string): void => breakerRefusals.inc({ pipeline, step });

/** Trips are counted once per (breaker, openedAt) per process, however many attempts see the open breaker. */
const tripsSeen = new Set<string>();
export function recordBreakerTrip(pipeline: string, step: string, openedAt?: string | null): void {
  const key = `${pipeline}\u0000${step}\u0000${openedAt ?? ''}`;
  if (openedAt && tripsSeen.has(key)) return;
  if (openedAt) {
    tripsSeen.add(key);
    if (tripsSeen.size > 10_000) tripsSeen.clear();
  }
  breakerTrips.inc({ pipeline, step });
}

/** The current value of a counter, or a histogram's count, summed over the series that match `labels`. */
export async function metricValue(name: string, labels: Record<string, string> = {}): Promise<number> {
  const metric = metricsRegistry.getSingleMetric(name);
  if (!metric) return 0;
  const { values } = await metric.get();
  const histogram = metric instanceof Histogram;
  return (values as { value: number; labels: Record<string, string | number>; metricName?: string }[])
    .filter((v) => !histogram || v.metricName === `${name}_count`)
    .filter((v) => Object.entries(labels).every(([k, want]) => String(v.labels[k]) === want))
    .reduce((sum, v) => sum + v.value, 0);
}
