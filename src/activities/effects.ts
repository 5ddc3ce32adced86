/**
 * The effect primitive, activity side: any irreversible call made exactly once and verified.
 *
 * A user registers an effect — how to perform it (with an idempotency key, for systems that take one) and
 * how to look up what the outside system holds — and chooses the fingerprint fields in the workflow. One
 * attempt of `performEffectOnce`: the cached receipt when the fingerprint is done; a refusal while the
 * step's breaker is open (unless the effect opted in to a half-open probe and this attempt claimed it); else claim the fingerprint under a lease, reconcile an earlier call of unknown
 * outcome with the system (the source of truth), call at most once, record the receipt. Failures count
 * against the shared breaker; the failure that opens it is BW_BREAKER_OPEN. Temporal's retries drive the
 * next attempt. The workflow side (durable verify delay, looks, the human gate) is `performAndVerify` in
 * `breakwater/workflow`.
 */
import { Context } from '@temporalio/activity';
import type { BreakwaterConfig } from '../config';
import { optionalSealerFor } from '../codec/dataConverter';
import {
  effectFaultPoints,
  effectKey,
  type FingerprintFields,
  type ObserveEffectInput,
  type Observation,
  type PerformEffectInput,
  type Submission,
} from '../contracts/effect';
import { isConfigError } from '../errors';
import { Failure, raise } from '../failures';
import { faultPoint } from '../faults';
import { redactText } from '../redact';
import type { Db } from '../store/db';
import { createCircuitBreakerStore } from '../store/circuitBreakers';
import { createFingerprintStore, type FingerprintRecord } from '../store/fingerprints';
import { webUiLink } from '../client/connection';
import { createAlertActivities } from './alerts';
import { effectFailure, halfOpenAfterMsOf, isEffectError, type EffectCall, type EffectDefinition, type EffectReceipt } from './effectDefinition';

export {
  defineEffect,
  EffectError,
  effectFailure,
  isEffectError,
  type EffectBreakerPolicy,
  type EffectCall,
  type EffectDefinition,
  type EffectReceipt,
} from './effectDefinition';

/** Clocks of the system and the database may disagree this much when a keyless receipt is dated. */
const RECEIPT_CLOCK_SKEW_MS = 5_000;

/**
 * Which listed receipts may be ours after a call of unknown outcome. With a key: only those that carry ours
 * (a record of the same entity sent under another fingerprint carries another). Without: only those that
 * match every field they report and arrived after this fingerprint was first claimed — never an older one.
 */
export function receiptsOfFingerprint(found: readonly EffectReceipt[], key: string, fields: Record<string, string>, claimedAt: string): EffectReceipt[] {
  const since = Date.parse(claimedAt) - RECEIPT_CLOCK_SKEW_MS;
  return found.filter((r) =>
    r.idempotencyKey !== undefined
      ? r.idempotencyKey === key
      : Object.entries(r.fields ?? {}).every(([k, v]) => fields[k] === undefined || fields[k] === v) && Date.parse(r.receivedAt) >= since,
  );
}

const jitter = (ms: number) => Math.round(ms * (0.5 + Math.random()));

export interface EffectActivityDeps {
  db: Db;
  config: BreakwaterConfig;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- effects of any payload type share one registry
  effects: readonly EffectDefinition<any>[];
}

export function createEffectActivities(deps: EffectActivityDeps) {
  const store = createFingerprintStore(deps.db, { sealer: optionalSealerFor(deps.config) }); // the request body is stored sealed
  const breakers = createCircuitBreakerStore(deps.db);
  const { sendAlert } = createAlertActivities(deps);
  const registry = new Map(deps.effects.map((e) => [e.name, e] as const));
  if (registry.size !== deps.effects.length) throw new Error('two effects share a name');
  // Each effect's half-open cool-down (undefined: only a person closes its breaker), checked at worker start.
  const halfOpenAfter = new Map(deps.effects.map((e) => [e.name, halfOpenAfterMsOf(e)] as const));

  const effectNamed = (name: string): EffectDefinition<unknown> => {
    const effect = registry.get(name);
    if (!effect) throw raise(Failure.EffectUnknown, `no effect '${name}' is registered on this worker (pass it in createBreakwaterWorker({ effects }))`);
    return effect;
  };
  // A request never outlives the attempt's lease on the fingerprint: at most 10 s, and under the attempt's timeout.
  const callFor = <P>(input: { effect: string; fields: FingerprintFields; payload: P }): EffectCall<P> => {
    const leaseMs = Context.current().info.startToCloseTimeoutMs || 30_000;
    return { fields: input.fields, payload: input.payload, idempotencyKey: effectKey(input.effect, input.fields), signal: AbortSignal.timeout(Math.min(10_000, Math.floor(leaseMs * 0.6))) };
  };

  const toSubmission = (r: FingerprintRecord, via: Submission['via'], payloadMatches: boolean): Submission => ({
    fingerprint: r.key,
    confirmation: r.confirmation!,
    submittedAt: r.submittedAt!,
    portalReceivedAt: r.receivedAt!,
    via,
    postCount: r.postCount,
    payloadMatches,
  });

  return {
    /** One attempt to get the effect accepted exactly once. See the file comment. */
    async performEffectOnce(input: PerformEffectInput): Promise<Submission> {
      const effect = effectNamed(input.effect);
      const info = Context.current().info;
      const { workflowId, runId } = info.workflowExecution ?? { workflowId: 'unknown', runId: 'unknown' };
      const key = effectKey(input.effect, input.fields);
      const owner = `${workflowId}/${runId}/${info.activityId}#${info.attempt}`;
      const faults = effectFaultPoints(input.step);
      const leaseMs = info.startToCloseTimeoutMs || 30_000;

      // 1. Fast path: already done (by this run, another run, another worker).
      const existing = await store.lookup(key, input.payload);
      if (existing?.record.status === 'done') return toSubmission(existing.record, 'cached', existing.payloadMatches);

      // 2. The breaker: while open, nobody calls the step — except, for an effect that opted in, the one
      //    attempt (across all runs and workers) that claims the half-open probe once the cool-down is over.
      const policy = { halfOpenAfterMs: halfOpenAfter.get(input.effect) };
      let probe: { settled: boolean } | undefined;
      const breaker = await breakers.get(input.pipeline, input.step);
      if (breaker.state !== 'closed') {
        const claim = policy.halfOpenAfterMs !== undefined && breaker.probeDue ? await breakers.claimProbe(input.pipeline, input.step, { owner, workflowId, leaseMs }) : undefined;
        if (!claim?.won) {
          const now = claim?.breaker ?? breaker;
          const why = now.state === 'half-open' ? 'half-open: another attempt is probing it' : 'open';
          throw raise(Failure.BreakerOpen, `breaker ${input.pipeline}/${input.step} is ${why}`, { details: [now] });
        }
        probe = { settled: false };
      }
      // The probe's verdict is its call's outcome; an attempt that ends without one hands the probe back.
      const succeeded = async () => {
        if (probe) {
          probe.settled = true;
          if (await breakers.recordProbeSuccess(input.pipeline, input.step, owner, workflowId)) return;
        }
        await breakers.recordSuccess(input.pipeline, input.step, workflowId);
      };

      try {
        // 3. Claim under the row lock; the call's intent is committed before any call.
        const verdict = await store.claim({ effect: input.effect, fields: input.fields, payload: input.payload, owner, leaseMs, createdBy: workflowId });
        if (verdict.kind === 'done') return toSubmission(verdict.record, 'cached', verdict.payloadMatches);
        if (verdict.kind === 'busy') {
          throw raise(Failure.FingerprintBusy, `fingerprint ${key} is being worked by another attempt`, {
            nextRetryDelay: jitter(Math.min(1000, Math.max(100, verdict.leaseRemainingMs))),
          });
        }

        const fail = async (e: unknown, outcomeKnown: boolean): Promise<never> => {
          if (!isEffectError(e)) {
            await store.release(key, owner, redactText((e as Error).message));
            // A missing or bad setting will not fix itself between attempts.
            if (isConfigError(e)) throw raise(Failure.ConfigInvalid, e.message);
            throw e;
          }
          if (outcomeKnown) await store.markFailed(key, owner, e.message);
          else await store.release(key, owner, e.message);
          if (e.kind === 'rate-limited' || e.kind === 'rejected') throw effectFailure(e); // not the system's health
          const failure = { error: e.message, at: new Date().toISOString(), attempt: info.attempt, input: { effect: input.effect, ...input.fields, workflowId, runId } };
          if (probe) probe.settled = true; // a failed probe re-opens the breaker for a fresh cool-down
          const { breaker: after, opened } = await breakers.recordFailure(input.pipeline, input.step, failure, workflowId, policy);
          if (opened || after.state === 'open') {
            throw raise(Failure.BreakerOpen, `${e.message}; breaker ${input.pipeline}/${input.step} is now open`, { details: [after] });
          }
          throw effectFailure(e);
        };

        // 4. An earlier call has an unknown outcome: the outside system is the source of truth.
        if (verdict.kind === 'reconcile') {
          let found: EffectReceipt[];
          try {
            found = await effect.lookup(callFor(input));
          } catch (e) {
            return await fail(e, false);
          }
          const earliest = receiptsOfFingerprint(found, key, input.fields, verdict.record.createdAt).sort((a, b) => a.receivedAt.localeCompare(b.receivedAt))[0];
          if (earliest) {
            const record = await store.markDone(key, { confirmation: earliest.confirmation, receivedAt: earliest.receivedAt, via: 'reconciled' });
            await succeeded();
            return toSubmission(record, record.via === 'reconciled' ? 'reconciled' : 'cached', verdict.payloadMatches);
          }
          if (verdict.msSincePost < input.visibilityWindowMs) {
            await store.release(key, owner);
            const waitMs = Math.ceil(input.visibilityWindowMs - verdict.msSincePost) + 250;
            throw raise(Failure.ReconcileWait, `earlier call of ${key} has an unknown outcome and is not visible yet; looking again in ${waitMs} ms before any re-send`, {
              nextRetryDelay: waitMs,
            });
          }
          if (!(await store.markPosting(key, owner))) {
            throw raise(Failure.FingerprintBusy, `lost the lease on ${key}`, { nextRetryDelay: jitter(500) });
          }
        }

        // 5. Call at most once per claim.
        faultPoint(faults.beforePost);
        let accepted: EffectReceipt;
        try {
          accepted = await effect.perform(callFor(input));
        } catch (e) {
          return await fail(e, isEffectError(e) && e.kind !== 'unknown-outcome');
        }
        faultPoint(faults.afterPost);
        const record = await store.markDone(key, { confirmation: accepted.confirmation, receivedAt: accepted.receivedAt, via: 'posted' });
        await succeeded();
        faultPoint(faults.afterDone);
        return toSubmission(record, record.confirmation === accepted.confirmation ? 'posted' : 'cached', verdict.payloadMatches);
      } finally {
        // Not reaching the system says nothing about it: the next caller may probe at once. Should this
        // write fail, the probe's lease ends it instead.
        if (probe && !probe.settled) await breakers.releaseProbe(input.pipeline, input.step, owner, 'the attempt ended without a call').catch(() => undefined);
      }
    },

    /** One look: is our confirmation listed? A failed look is evidence too, not an exception. */
    async observeEffect(input: ObserveEffectInput): Promise<Observation> {
      const effect = effectNamed(input.effect);
      const at = new Date().toISOString();
      try {
        const listed = await effect.lookup(callFor(input));
        return {
          at,
          visible: listed.some((r) => r.confirmation === input.confirmation),
          resultCount: listed.length,
          otherConfirmations: listed.map((r) => r.confirmation).filter((c) => c !== input.confirmation),
        };
      } catch (e) {
        if (!isEffectError(e)) throw e;
        return { at, visible: false, resultCount: 0, otherConfirmations: [], error: e.message };
      }
    },

    /** A person chose `retry` after NOT_SUBMITTED: reconcile, then re-send only if the effect is still absent. */
    async reopenFingerprint(key: string, by: string, reason: string): Promise<FingerprintRecord | undefined> {
      return store.reopen(key, by, reason);
    },

    /** Surfaces a NOT_SUBMITTED at once: the evidence, the confirmation the system gave, a link to the run. */
    async alertNotSubmitted(a: { fingerprint: string; confirmation?: string; reason: string; observations: Observation[]; pipeline?: string; step?: string }) {
      const { workflowId, runId } = Context.current().info.workflowExecution ?? { workflowId: 'unknown', runId: 'unknown' };
      const last = a.observations.at(-1);
      const pipeline = a.pipeline ?? 'unknown';
      return sendAlert({
        title: `NOT_SUBMITTED: ${a.fingerprint}`,
        message:
          `${a.reason}. The system answered confirmation ${a.confirmation ?? '(none)'}, but ${a.observations.length} verification(s) never saw it` +
          `${last ? ` (last at ${last.at}${last.error ? `: ${last.error}` : ''})` : ''}.\n` +
          `Resolve: breakwater resolve ${workflowId} --decision retry|reject --by <you>`,
        priority: 5,
        tags: ['not-submitted', pipeline],
        dedupeKey: `not-submitted:${workflowId}:${runId}`,
        workflowId,
        runId,
        pipeline,
        step: a.step ?? 'verify',
        link: webUiLink(deps.config, workflowId, runId),
        details: { fingerprint: a.fingerprint, confirmation: a.confirmation, observations: a.observations.slice(-20) },
      });
    },
  };
}
