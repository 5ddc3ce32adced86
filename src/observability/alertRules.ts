/**
 * Alert rules, evaluated every minute in the worker process over a sliding window:
 *
 * - success rate below 80 % (per agent role from `llm_calls`; per pipeline from Temporal visibility),
 * - cost in the window above 2 × the baseline (the average window of the previous hours),
 * - a step slower than 30 s (an agent call that took that long, or an activity still running — a loop?),
 * - any circuit breaker trip.
 *
 * Each firing goes through `sendAlert` with a dedupeKey naming the condition, suppressed for one window:
 * at most one alert per condition per window, however many workers evaluate or how often.
 *
 * Why in the worker and not a scheduled workflow: the rules read Postgres (the source of truth) and the
 * worker's in-flight activities, which a workflow could only reach through activities; a Postgres advisory
 * lock makes one replica evaluate the shared rules per tick, and there is no history to grow. The same
 * rules for Prometheus are in deploy/prometheus/alert-rules.yml.
 */
import type { Client } from '@temporalio/client';
import type { Alert } from '../contracts/alert';
import type { BreakwaterConfig } from '../config';
import { createAlertActivities, type AlertResult } from '../activities/alerts';
import { withAlertRuleLock } from '../store/alertRuleFigures';
import type { Db } from '../store/db';
import { collectRuleSnapshot, type RuleSnapshot } from './alertSnapshot';
import { slowActivitiesInFlight } from './activityMetrics';

export interface AlertRuleOptions {
  windowMs: number;
  /** Below this many calls/runs in the window a success rate says nothing. */
  minSamples: number;
  successRateBelow: number;
  costFactor: number;
  /** Windows before the current one that make the cost baseline. */
  baselineWindows: number;
  slowStepMs: number;
}

export const defaultAlertRuleOptions: AlertRuleOptions = { windowMs: 5 * 60_000, minSamples: 10, successRateBelow: 0.8, costFactor: 2, baselineWindows: 12, slowStepMs: 30_000 };

const pct = (x: number) => `${Math.round(x * 1000) / 10} %`;
const mins = (ms: number) => `${Math.round(ms / 60_000)} min`;

/** Pure: the alerts a snapshot calls for, each with the dedupeKey of its condition. */
export function evaluateAlertRules(s: RuleSnapshot, o: AlertRuleOptions = defaultAlertRuleOptions): Alert[] {
  const alerts: Alert[] = [];
  for (const r of s.successRates) {
    if (r.total < o.minSamples) continue;
    const rate = r.ok / r.total;
    if (rate >= o.successRateBelow) continue;
    alerts.push({
      title: `Success rate ${pct(rate)} for ${r.scope} ${r.name}`,
      message: `${r.ok} of ${r.total} ${r.scope === 'agent' ? 'agent calls' : 'runs'} succeeded in the last ${mins(o.windowMs)} (threshold ${pct(o.successRateBelow)}).`,
      priority: 4,
      tags: ['rule', 'success-rate'],
      dedupeKey: `rule:success-rate:${r.scope}:${r.name}`,
      ...(r.scope === 'pipeline' ? { pipeline: r.name } : {}),
      details: { ...r, rate, windowMs: o.windowMs },
    });
  }
  if (s.cost.baselineUsd !== undefined && s.cost.baselineUsd > 0 && s.cost.windowUsd > o.costFactor * s.cost.baselineUsd) {
    alerts.push({
      title: `Cost spike: ${s.cost.windowUsd.toFixed(4)} USD in ${mins(o.windowMs)}`,
      message: `LLM spend in the last ${mins(o.windowMs)} is ${(s.cost.windowUsd / s.cost.baselineUsd).toFixed(1)} × the baseline (${s.cost.baselineUsd.toFixed(4)} USD per window).`,
      priority: 4,
      tags: ['rule', 'cost'],
      dedupeKey: 'rule:cost-spike',
      details: { ...s.cost, factor: o.costFactor },
    });
  }
  const slowest = new Map<string, RuleSnapshot['slowSteps'][number]>();
  for (const step of s.slowSteps) if (step.ms > o.slowStepMs && (slowest.get(step.step)?.ms ?? 0) < step.ms) slowest.set(step.step, step);
  for (const step of slowest.values()) {
    alerts.push({
      title: `Slow step: ${step.step} ${step.running ? 'running for' : 'took'} ${Math.round(step.ms / 1000)} s`,
      message: `${step.step} ${step.running ? 'has been running' : 'took'} ${Math.round(step.ms / 1000)} s (threshold ${o.slowStepMs / 1000} s): a stuck call or a loop?${step.workflowId ? ` Run: ${step.workflowId}.` : ''}`,
      priority: 3,
      tags: ['rule', 'slow-step'],
      dedupeKey: `rule:slow-step:${step.step}`,
      step: step.step,
      ...(step.workflowId ? { workflowId: step.workflowId } : {}),
      details: { ...step },
    });
  }
  const trips = new Map<string, RuleSnapshot['breakerTrips'][number]>();
  for (const t of s.breakerTrips) trips.set(`${t.pipeline}:${t.step}`, t);
  for (const [key, t] of trips) {
    alerts.push({
      title: `Circuit breaker tripped: ${t.pipeline}/${t.step}`,
      message: `The breaker of ${t.pipeline}/${t.step} opened at ${t.at}; the step is halted for every run until a person clears it, or, where the step opted in, a half-open probe succeeds (breakwater breaker clear ${t.pipeline} ${t.step} --by <you>).`,
      priority: 5,
      tags: ['rule', 'breaker'],
      dedupeKey: `rule:breaker-trip:${key}`,
      pipeline: t.pipeline,
      step: t.step,
      ...(t.workflowId ? { workflowId: t.workflowId } : {}),
      ...(t.firstFailure ? { firstFailure: t.firstFailure } : {}),
    });
  }
  return alerts;
}

export interface AlertEvaluatorDeps {
  db: Db;
  config: BreakwaterConfig;
  /** For per-pipeline success rates (Temporal visibility); without it only agent success rates are read. */
  client?: Client;
  options?: Partial<AlertRuleOptions>;
  /** Default 60 s. */
  intervalMs?: number;
  log?: (message: string, meta: Record<string, unknown>) => void;
}

/** One evaluation: shared rules under an advisory lock (one replica per tick), in-flight steps always. */
export async function evaluateAlertsOnce(d: AlertEvaluatorDeps, now = new Date()): Promise<AlertResult[]> {
  const o = { ...defaultAlertRuleOptions, ...d.options };
  const { sendAlert } = createAlertActivities({ db: d.db, config: d.config, dedupeWindowMs: o.windowMs });
  const send = async (alerts: Alert[]) => {
    const out: AlertResult[] = [];
    for (const a of alerts) out.push(await sendAlert(a));
    return out;
  };
  const running = slowActivitiesInFlight(o.slowStepMs, now.getTime()).map((a) => ({ step: a.activity, workflowId: a.workflowId, ms: a.ms, running: true }));
  const shared = await withAlertRuleLock(d.db, async (tx) => {
    const snapshot = await collectRuleSnapshot({ db: tx, client: d.client, now, windowMs: o.windowMs, baselineWindows: o.baselineWindows, slowStepMs: o.slowStepMs });
    return send(evaluateAlertRules({ ...snapshot, slowSteps: [...snapshot.slowSteps, ...running] }, o));
  });
  return shared ?? send(evaluateAlertRules({ successRates: [], cost: { windowUsd: 0, baselineUsd: undefined }, slowSteps: running, breakerTrips: [] }, o));
}

export interface AlertEvaluator {
  stop(): Promise<void>;
}

export function startAlertEvaluator(d: AlertEvaluatorDeps): AlertEvaluator {
  let current: Promise<unknown> = Promise.resolve();
  const tick = () => {
    current = evaluateAlertsOnce(d).catch((e: unknown) => d.log?.('alert rules: evaluation failed', { error: (e as Error).message }));
  };
  const timer = setInterval(tick, d.intervalMs ?? 60_000);
  timer.unref();
  return {
    async stop() {
      clearInterval(timer);
      await current;
    },
  };
}
