/**
 * The activity-side source of metrics: one interceptor around every activity attempt in the worker. It
 * needs no help from the activities: `callModel` attempts are agent calls (role from the input, tokens and
 * cost from the result), and the stable failure types say the rest — `*_RATE_LIMITED` is a 429,
 * `BW_STATE_CONFLICT` a stale shared-state write, `BW_BREAKER_OPEN` a breaker that is (or just went) open.
 */
import type { Context } from '@temporalio/activity';
import { ApplicationFailure, CancelledFailure } from '@temporalio/common';
import type { ActivityInterceptors } from '@temporalio/worker';
import type { CallModelResult } from '../contracts/agentCall';
import { Failure } from '../failures';
import { redactText } from '../redact';
import type { NewActivityFailure } from '../store/activityFailures';
import {
  recordActivityAttempt,
  recordBreakerRefusal,
  recordBreakerTrip,
  recordLlmCall,
  recordRateLimited,
  recordStateConflict,
} from './metrics';

/** The external API a rate-limited failure type belongs to; any other `*_RATE_LIMITED` type is labelled with its activity. */
const RATE_LIMITED_APIS: Record<string, string> = { [Failure.LlmRateLimited.type]: 'llm', [Failure.RateLimited.type]: 'enrichment' };

const failureType = (e: unknown): string => (e instanceof ApplicationFailure ? (e.type ?? 'ApplicationFailure') : ((e as Error | undefined)?.name ?? 'Error'));

interface BreakerDetails {
  pipeline?: string;
  step?: string;
  openedAt?: string | null;
}

function classifyFailure(activity: string, e: unknown): void {
  const type = failureType(e);
  const api = RATE_LIMITED_APIS[type] ?? (type.endsWith('_RATE_LIMITED') ? activity : undefined);
  if (api) recordRateLimited(api);
  if (type === Failure.StateConflict.type) recordStateConflict(activity);
  if (type === Failure.BreakerOpen.type && e instanceof ApplicationFailure) {
    const b = (e.details?.[0] ?? {}) as BreakerDetails;
    const pipeline = b.pipeline ?? 'unknown';
    const step = b.step ?? activity;
    // The attempt whose failure opened the breaker says "is now open"; later attempts were refused.
    if (/is now open/.test(e.message)) recordBreakerTrip(pipeline, step, b.openedAt);
    else recordBreakerRefusal(pipeline, step);
  }
}

/** Activity attempts running now in this process: the slow-step alert rule sees a loop while it still runs. */
const inFlight = new Map<object, { activity: string; workflowId?: string; activityId: string; startedAt: number }>();

export function slowActivitiesInFlight(thresholdMs: number, now = Date.now()): { activity: string; workflowId?: string; activityId: string; ms: number }[] {
  return [...inFlight.values()].filter((a) => now - a.startedAt > thresholdMs).map((a) => ({ activity: a.activity, workflowId: a.workflowId, activityId: a.activityId, ms: now - a.startedAt }));
}

/** Where failed attempts are written (Postgres, src/store/activityFailures.ts): a worker built with a db passes one. */
export type FailedAttemptSink = (f: NewActivityFailure) => Promise<void>;

/** The failure's message with its causes ("message (TYPE) ← cause"), redacted: it is stored and shown. */
function failureMessage(e: unknown): string {
  const parts: string[] = [];
  for (let c = e as (Error & { cause?: unknown; type?: string }) | undefined, depth = 0; c && depth < 4; c = c.cause as typeof c, depth++) {
    if (c.message) parts.push(c instanceof ApplicationFailure && c.type ? `${c.message} (${c.type})` : c.message);
  }
  return redactText(parts.join(' ← ') || String(e));
}

/**
 * Records the attempt without ever failing or holding it: a Postgres that is down (or slow) costs the
 * record, at most a second, never the attempt's own outcome.
 */
async function recordFailedAttempt(sink: FailedAttemptSink, ctx: Context, e: unknown, ms: number): Promise<void> {
  const info = ctx.info;
  const write = sink({
    workflowId: info.workflowExecution?.workflowId ?? '',
    runId: info.workflowExecution?.runId ?? null,
    activityId: info.activityId,
    activity: info.activityType,
    attempt: info.attempt,
    errorType: failureType(e),
    message: failureMessage(e),
    durationMs: Math.round(ms),
  }).catch(() => undefined);
  await Promise.race([write, new Promise((r) => setTimeout(r, 1000).unref())]);
}

export const activityMetricsInterceptor = (ctx: Context): ActivityInterceptors => activityInterceptor(ctx);

/** The same interceptor, also writing every failed attempt through `sink` (see FailedAttemptSink). */
export const activityInterceptorRecording =
  (sink: FailedAttemptSink) =>
  (ctx: Context): ActivityInterceptors =>
    activityInterceptor(ctx, sink);

function activityInterceptor(ctx: Context, sink?: FailedAttemptSink): ActivityInterceptors {
  return {
    inbound: {
      async execute(input, next) {
        const { activityType: activity, attempt } = ctx.info;
        const started = performance.now();
        const token = {};
        inFlight.set(token, { activity, workflowId: ctx.info.workflowExecution?.workflowId, activityId: ctx.info.activityId, startedAt: Date.now() });
        const role = activity === 'callModel' ? ((input.args[0] as { role?: unknown } | undefined)?.role as string | undefined) : undefined;
        try {
          const result = await next(input);
          const ms = performance.now() - started;
          recordActivityAttempt(activity, 'ok', ms, attempt);
          if (role !== undefined) {
            const r = result as CallModelResult;
            recordLlmCall({ role, model: r.model, ok: true, latencyMs: ms, inputTokens: r.usage?.inputTokens, outputTokens: r.usage?.outputTokens, costUsd: r.costUsd });
          }
          return result;
        } catch (e) {
          const ms = performance.now() - started;
          recordActivityAttempt(activity, e instanceof CancelledFailure ? 'cancelled' : 'failed', ms, attempt);
          if (role !== undefined) {
            const spent = (e instanceof ApplicationFailure ? (e.details?.[0] as { costNanoUsd?: number } | undefined)?.costNanoUsd : undefined) ?? 0;
            recordLlmCall({ role, model: 'unknown', ok: false, failureType: failureType(e), latencyMs: ms, costUsd: spent / 1e9 });
          }
          classifyFailure(activity, e);
          if (sink && !(e instanceof CancelledFailure)) await recordFailedAttempt(sink, ctx, e, ms);
          throw e;
        } finally {
          inFlight.delete(token);
        }
      },
    },
  };
}
