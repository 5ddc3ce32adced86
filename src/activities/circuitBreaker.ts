/**
 * The circuit breaker as activities: workflows read it while they wait, clear it on a person's behalf, and
 * alert when it opens. The breaker itself — its state, counting and clearing — is src/store/circuitBreakers.ts.
 */
import { Context } from '@temporalio/activity';
import type { BreakwaterConfig } from '../config';
import { Failure, raise } from '../failures';
import type { Db } from '../store/db';
import { createCircuitBreakerStore, isBreakerNotFoundError, type BreakerProbe, type BreakerState, type ClearRequest, type ClearResult } from '../store/circuitBreakers';
import { webUiLink } from '../client/connection';
import { createAlertActivities, type AlertResult } from './alerts';

/** What `getCircuitBreaker` returns; workflow code imports it from here as a type. */
export type { BreakerProbe, BreakerState };

/** The breaker as activities: workflows read it while they wait, clear it on a person's behalf, and alert. */
export function createCircuitBreakerActivities(deps: { db: Db; config: BreakwaterConfig }) {
  const breakers = createCircuitBreakerStore(deps.db);
  const { sendAlert } = createAlertActivities(deps);
  return {
    async getCircuitBreaker(pipeline: string, step: string): Promise<BreakerState> {
      return breakers.get(pipeline, step);
    },

    async clearCircuitBreaker(req: ClearRequest): Promise<ClearResult> {
      try {
        return await breakers.clear(req);
      } catch (e) {
        if (isBreakerNotFoundError(e)) throw raise(Failure.BreakerNotFound, e.message);
        throw e;
      }
    },

    /**
     * Alerts that the step's breaker is open: the first and the latest failure, how to clear it, and a link
     * to the calling workflow in the Web UI. One alert per episode (dedupeKey), however many runs wait on it.
     */
    async alertBreakerOpen(pipeline: string, step: string): Promise<AlertResult & { breaker: BreakerState }> {
      const breaker = await breakers.get(pipeline, step);
      const { workflowId, runId } = Context.current().info.workflowExecution ?? { workflowId: 'unknown', runId: 'unknown' };
      // A step that opted in to a half-open probe re-opens after each failed probe: one alert per episode
      // (its first failure), not one per cool-down.
      const episode = breaker.firstFailure?.at ?? breaker.openedAt ?? 'unknown';
      const probe = breaker.halfOpenAfterMs === null ? '' : ` A half-open probe tries it again ${breaker.halfOpenAfterMs} ms after each opening; its success closes it.`;
      const result = await sendAlert({
        title: `Breaker open: ${pipeline} / ${step}`,
        message:
          `${breaker.consecutiveFailures} consecutive failures: ${step} is paused for every run of ${pipeline}; waiting runs resume once it is cleared.${probe}\n` +
          `Clear it once the cause is fixed: breakwater breaker clear ${pipeline} ${step} --by <you>`,
        priority: 5,
        tags: ['breaker', pipeline],
        dedupeKey: `breaker:${pipeline}/${step}:${episode}`,
        workflowId,
        runId,
        pipeline,
        step,
        link: webUiLink(deps.config, workflowId, runId),
        firstFailure: breaker.firstFailure ?? undefined,
        latestFailure: breaker.latestFailure ?? undefined,
        details: { openedAt: breaker.openedAt, consecutiveFailures: breaker.consecutiveFailures, ...(breaker.probeDueAt ? { halfOpenProbeAt: breaker.probeDueAt } : {}) },
      });
      return { ...result, breaker };
    },
  };
}
