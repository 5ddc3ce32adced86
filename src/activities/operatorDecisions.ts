/**
 * Clearing a breaker and replaying a dead letter, done by the worker after it verified who decided
 * (src/identity/verifier.ts; every attempt audited). Started through the `clearBreaker` and
 * `replayDeadLetter` workflows, so that a caller's own environment cannot skip the check.
 */
import { Context } from '@temporalio/activity';
import type { BreakwaterConfig } from '../config';
import { breakerClearedSignal } from '../contracts/messages';
import {
  clearBreakerClaim,
  clearBreakerRequestSchema,
  replayDeadLetterClaim,
  replayDeadLetterRequestSchema,
  type ClearBreakerResult,
  type ReplayDeadLetterResult,
} from '../contracts/operatorDecisions';
import { Failure, failureSpecOf, raise } from '../failures';
import { verifyDecision } from '../identity/verifier';
import { createCircuitBreakerStore, isBreakerNotFoundError } from '../store/circuitBreakers';
import type { Db } from '../store/db';
import { createDeadLetterStore } from '../store/deadLetters';
import { optionalSealerFor } from '../codec/dataConverter';
import { createFingerprintStore } from '../store/fingerprints';
import { runsWaitingOnBreaker } from '../store/runEscalations';

const invalid = (what: string, issues: readonly { path: PropertyKey[]; message: string }[]) =>
  raise(Failure.InvalidInput, `invalid ${what}: ${issues.map((i) => `${i.path.map(String).join('.') || 'input'}: ${i.message}`).join('; ')}`);

export function createOperatorDecisionActivities(deps: { db: Db; config: BreakwaterConfig }) {
  const { db, config } = deps;
  return {
    async clearBreakerAsApprover(input: unknown): Promise<ClearBreakerResult> {
      const parsed = clearBreakerRequestSchema.safeParse(input);
      if (!parsed.success) throw invalid('breaker clear', parsed.error.issues);
      const r = parsed.data;
      const verdict = await verifyDecision(db, config, {
        by: r.by,
        action: 'breaker:clear',
        target: `${r.pipeline}/${r.step}`,
        detail: { reason: r.reason },
        claim: clearBreakerClaim(r),
        proof: { at: r.at, signature: r.signature, signer: r.signer },
      });
      if (!verdict.accepted) throw raise(failureSpecOf(verdict.code) ?? Failure.ApproverRejected, verdict.reason);
      const breakers = createCircuitBreakerStore(db);
      const result = await breakers.clear({ pipeline: r.pipeline, step: r.step, by: r.by, reason: r.reason, via: r.signer ?? 'cli' }).catch((e: unknown) => {
        throw isBreakerNotFoundError(e) ? raise(Failure.BreakerNotFound, e.message) : e;
      });
      // Best effort: a run not told now re-reads the breaker at its next re-check.
      const waiting = await runsWaitingOnBreaker(db, r.pipeline, r.step);
      const client = Context.current().client;
      const woken = await Promise.all(
        waiting.map((w) =>
          client.workflow
            .getHandle(w.workflowId, w.runId)
            .signal(breakerClearedSignal, { pipeline: r.pipeline, step: r.step })
            .then(
              () => w.workflowId,
              () => undefined,
            ),
        ),
      );
      return { breaker: result.breaker, wasOpen: result.wasOpen, woken: woken.filter((w): w is string => w !== undefined) };
    },

    async replayDeadLetterAsApprover(input: unknown): Promise<ReplayDeadLetterResult> {
      const parsed = replayDeadLetterRequestSchema.safeParse(input);
      if (!parsed.success) throw invalid('dead letter replay', parsed.error.issues);
      const r = parsed.data;
      const store = createDeadLetterStore(db, { sealer: optionalSealerFor(config) });
      const letter = await store.get(r.id);
      const replayInput = await store.inputForReplay(r.id);
      if (!letter || !replayInput) throw raise(Failure.NotFound, `no dead letter ${r.id}`);
      if ('refused' in replayInput) throw raise(Failure.InvalidInput, replayInput.refused);
      const verdict = await verifyDecision(db, config, {
        by: r.by,
        action: 'dlq:replay',
        target: String(r.id),
        claim: replayDeadLetterClaim(r),
        proof: { at: r.at, signature: r.signature, signer: r.signer },
      });
      if (!verdict.accepted) throw raise(failureSpecOf(verdict.code) ?? Failure.ApproverRejected, verdict.reason);
      const workflowId = `${letter.workflowId}-replay-${letter.replays.length + 1}`;
      // The fingerprint still holds a confirmation no look saw: without this the replay would re-verify it and escalate again.
      const reopened = letter.unverifiedEffect
        ? (await createFingerprintStore(db, { sealer: optionalSealerFor(config) }).reopen(letter.unverifiedEffect.fingerprint, r.by, `dlq replay of dead letter ${r.id}`, { confirmation: letter.unverifiedEffect.confirmation })) !== undefined
        : false;
      const handle = await Context.current().client.workflow.start(letter.workflowType, { taskQueue: letter.taskQueue, workflowId, args: [replayInput.input] });
      await store.recordReplay(r.id, { workflowId, by: r.by });
      return { workflowId, runId: handle.firstExecutionRunId, reopened };
    },
  };
}
