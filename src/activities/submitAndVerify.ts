/**
 * The activities of the submit-and-verify pipeline: one guarded submission attempt (fingerprint + breaker
 * + portal), one look at the portal, re-opening a fingerprint a person decided to retry, and the
 * NOT_SUBMITTED alert. Each submission attempt is one activity attempt; Temporal's retries drive the next.
 */
import { Context } from '@temporalio/activity';
import { ApplicationFailure } from '@temporalio/common';
import { requireSetting, type BreakwaterConfig } from '../config';
import type { Observation, Submission } from '../contracts/submitAndVerify';
import { fingerprintKey, type FingerprintParts } from '../deterministic/fingerprintKey';
import { faultPoint } from '../faults';
import { redactText } from '../redact';
import type { Db } from '../store/db';
import { webUiLink } from '../client/connection';
import { createAlertActivities } from './alerts';
import { createCircuitBreaker } from './circuitBreaker';
import { createFingerprintStore, type FingerprintRecord } from './fingerprints';
import { createPortalClient, isPortalError, portalFailure, type PortalError, type PortalRecord } from './portal';

import { SubmitFaultPoints } from '../contracts/submitAndVerify';
export { SubmitFaultPoints };

export interface SubmitOnceInput extends FingerprintParts {
  payload: Record<string, unknown>;
  pipeline: string;
  step: string;
  /** Re-POST after an unknown outcome only once the record was absent this long after the last POST. */
  visibilityWindowMs: number;
}

export interface LookInput {
  recordId: string;
  entityId: string;
  confirmation: string;
}

const jitter = (ms: number) => Math.round(ms * (0.5 + Math.random()));

export function createSubmitAndVerifyActivities(deps: { db: Db; config: BreakwaterConfig }) {
  const store = createFingerprintStore(deps.db);
  const breakers = createCircuitBreaker(deps.db);
  const { sendAlert } = createAlertActivities(deps);
  // A request never outlives the attempt's lease on the fingerprint: at most 10 s, and under the attempt's timeout.
  const portal = () => {
    const leaseMs = Context.current().info.startToCloseTimeoutMs || 30_000;
    try {
      return createPortalClient({ baseUrl: requireSetting(deps.config.portalUrl, 'PORTAL_URL', 'point it at the portal (or its simulator)'), timeoutMs: Math.min(10_000, Math.floor(leaseMs * 0.6)) });
    } catch (e) {
      throw ApplicationFailure.create({ type: 'BW_CONFIG_INVALID', message: (e as Error).message, nonRetryable: true });
    }
  };

  const toSubmission = (r: FingerprintRecord, via: Submission['via'], payloadMatches: boolean): Submission => ({
    fingerprint: r.key,
    confirmation: r.confirmation!,
    submittedAt: r.submittedAt!,
    portalReceivedAt: r.portalReceivedAt!,
    via,
    postCount: r.postCount,
    payloadMatches,
  });

  return {
    /**
     * One attempt to get the record accepted by the portal exactly once. Returns the cached result when the
     * fingerprint is done; refuses (non-retryable BW_BREAKER_OPEN) while the step's breaker is open; else
     * claims the fingerprint, reconciles an unknown earlier outcome, POSTs at most once, and records the
     * result. Portal failures count against the breaker; the failure that opens it is BW_BREAKER_OPEN.
     */
    async submitToPortalOnce(input: SubmitOnceInput): Promise<Submission> {
      const info = Context.current().info;
      const { workflowId, runId } = info.workflowExecution ?? { workflowId: 'unknown', runId: 'unknown' };
      const key = fingerprintKey(input);
      const owner = `${workflowId}/${runId}/${info.activityId}#${info.attempt}`;

      // 1. Fast path: already submitted (by this run, another run, another worker).
      const existing = await store.lookup(key, input.payload);
      if (existing?.record.status === 'done') return toSubmission(existing.record, 'cached', existing.payloadMatches);

      // 2. The breaker: while open, nobody calls the step.
      const breaker = await breakers.get(input.pipeline, input.step);
      if (breaker.state === 'open') {
        throw ApplicationFailure.create({ type: 'BW_BREAKER_OPEN', message: `breaker ${input.pipeline}/${input.step} is open`, nonRetryable: true, details: [breaker] });
      }

      // 3. Claim under the row lock; the POST intent is committed before any POST.
      const verdict = await store.claim({ ...input, owner, leaseMs: info.startToCloseTimeoutMs || 30_000, createdBy: workflowId });
      if (verdict.kind === 'done') return toSubmission(verdict.record, 'cached', verdict.payloadMatches);
      if (verdict.kind === 'busy') {
        throw ApplicationFailure.create({
          type: 'BW_FINGERPRINT_BUSY',
          message: `fingerprint ${key} is being submitted by another attempt`,
          nextRetryDelay: jitter(Math.min(1000, Math.max(100, verdict.leaseRemainingMs))),
        });
      }

      const fail = async (e: unknown, outcomeKnown: boolean): Promise<never> => {
        if (!isPortalError(e)) {
          await store.release(key, owner, redactText((e as Error).message));
          throw e;
        }
        if (outcomeKnown) await store.markFailed(key, owner, e.message);
        else await store.release(key, owner, e.message);
        if (e.kind === 'rate-limited' || e.kind === 'rejected') throw portalFailure(e); // not the portal's health
        const failure = { error: e.message, at: new Date().toISOString(), attempt: info.attempt, input: { recordId: input.recordId, entityId: input.entityId, businessDate: input.businessDate, workflowId, runId } };
        const { breaker: after, opened } = await breakers.recordFailure(input.pipeline, input.step, failure, workflowId);
        if (opened || after.state === 'open') {
          throw ApplicationFailure.create({ type: 'BW_BREAKER_OPEN', message: `${e.message}; breaker ${input.pipeline}/${input.step} is now open`, nonRetryable: true, details: [after] });
        }
        throw portalFailure(e);
      };

      // 4. An earlier POST has an unknown outcome: the portal is the source of truth.
      if (verdict.kind === 'reconcile') {
        let found: PortalRecord[];
        try {
          found = (await portal().find(input.recordId)).filter((r) => r.entityId === input.entityId);
        } catch (e) {
          return fail(e, false);
        }
        const earliest = found.sort((a, b) => a.receivedAt.localeCompare(b.receivedAt))[0];
        if (earliest) {
          const record = await store.markDone(key, { confirmation: earliest.confirmation, portalReceivedAt: earliest.receivedAt, via: 'reconciled' });
          await breakers.recordSuccess(input.pipeline, input.step, workflowId);
          return toSubmission(record, record.via === 'reconciled' ? 'reconciled' : 'cached', verdict.payloadMatches);
        }
        if (verdict.msSincePost < input.visibilityWindowMs) {
          await store.release(key, owner);
          const waitMs = Math.ceil(input.visibilityWindowMs - verdict.msSincePost) + 250;
          throw ApplicationFailure.create({
            type: 'BW_RECONCILE_WAIT',
            message: `earlier POST of ${key} has an unknown outcome and is not visible yet; looking again in ${waitMs} ms before any re-POST`,
            nextRetryDelay: waitMs,
          });
        }
        if (!(await store.markPosting(key, owner))) {
          throw ApplicationFailure.create({ type: 'BW_FINGERPRINT_BUSY', message: `lost the lease on ${key}`, nextRetryDelay: jitter(500) });
        }
      }

      // 5. POST at most once per claim.
      faultPoint(SubmitFaultPoints.beforePost);
      let accepted;
      try {
        accepted = await portal().submit({ recordId: input.recordId, entityId: input.entityId, payload: input.payload });
      } catch (e) {
        return fail(e, isPortalError(e) && (e as PortalError).kind !== 'unknown-outcome');
      }
      faultPoint(SubmitFaultPoints.afterPost);
      const record = await store.markDone(key, { confirmation: accepted.confirmation, portalReceivedAt: accepted.receivedAt, via: 'posted' });
      await breakers.recordSuccess(input.pipeline, input.step, workflowId);
      faultPoint(SubmitFaultPoints.afterDone);
      return toSubmission(record, record.confirmation === accepted.confirmation ? 'posted' : 'cached', verdict.payloadMatches);
    },

    /** One look at the portal: is our submission listed? A failed look is evidence too, not an exception. */
    async checkPortalVisibility(input: LookInput): Promise<Observation> {
      const at = new Date().toISOString();
      try {
        const listed = (await portal().find(input.recordId)).filter((r) => r.entityId === input.entityId);
        return {
          at,
          visible: listed.some((r) => r.confirmation === input.confirmation),
          resultCount: listed.length,
          otherConfirmations: listed.map((r) => r.confirmation).filter((c) => c !== input.confirmation),
        };
      } catch (e) {
        if (!isPortalError(e)) throw e;
        return { at, visible: false, resultCount: 0, otherConfirmations: [], error: e.message };
      }
    },

    /** A person chose `retry` after NOT_SUBMITTED: reconcile, then re-POST only if the record is still absent. */
    async reopenFingerprint(key: string, by: string, reason: string): Promise<FingerprintRecord | undefined> {
      return store.reopen(key, by, reason);
    },

    /** Surfaces a NOT_SUBMITTED at once: the evidence, the confirmation the portal gave, a link to the run. */
    async alertNotSubmitted(a: { fingerprint: string; confirmation?: string; reason: string; observations: Observation[] }) {
      const { workflowId, runId } = Context.current().info.workflowExecution ?? { workflowId: 'unknown', runId: 'unknown' };
      const last = a.observations.at(-1);
      return sendAlert({
        title: `NOT_SUBMITTED: ${a.fingerprint}`,
        message:
          `${a.reason}. The portal answered confirmation ${a.confirmation ?? '(none)'}, but ${a.observations.length} verification(s) never saw it` +
          `${last ? ` (last at ${last.at}${last.error ? `: ${last.error}` : ''})` : ''}.\n` +
          `Resolve: breakwater resolve ${workflowId} --decision retry|reject --by <you>`,
        priority: 5,
        tags: ['not-submitted', 'submitAndVerify'],
        dedupeKey: `not-submitted:${workflowId}:${runId}`,
        workflowId,
        runId,
        pipeline: 'submitAndVerify',
        step: 'verify',
        link: webUiLink(deps.config, workflowId, runId),
        details: { fingerprint: a.fingerprint, confirmation: a.confirmation, observations: a.observations.slice(-20) },
      });
    },
  };
}
