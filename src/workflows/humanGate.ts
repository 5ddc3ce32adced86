/**
 * The human gate: how any Breakwater workflow escalates and waits durably for a person.
 *
 * `createHumanGate()` installs the `resolve` signal and Update handlers and the `escalation` query; call it
 * once at the top of a workflow. `gate.escalate(e)` marks the run AwaitingHuman (search attribute, so
 * `breakwater escalations` and the Web UI find it) and waits — across worker restarts, for days if need be —
 * for a valid resolution. Invalid payloads change nothing: the Update rejects them, the signal records them.
 * Every decision is verified by the worker — the approver's signature (src/identity), or development mode —
 * in an activity that records the attempt; a refused one changes nothing (the Update fails with a typed
 * failure: BW_DECISION_UNSIGNED, BW_DECISION_FORGED, ...; the signal is recorded as ignored, and audited).
 */
import { ApplicationFailure, condition, log, patched, proxyActivities, setHandler, workflowInfo } from '@temporalio/workflow';
import type { Duration } from '@temporalio/common';
import type { Activities } from '../activities';
import { escalationQuery, resolveSignal, resolveUpdate } from '../contracts/messages';
import { resolutionSchema, resolveClaim, type Escalation, type EscalationRequest, type EscalationState, type Resolution } from '../contracts/resolution';
import { Failure, failureSpecOf, raise } from '../failures';
import { markStatus } from './status';

export interface HumanGate {
  /** Opens an escalation and waits for its resolution. Other code may keep running meanwhile. */
  escalate(e: EscalationRequest): Promise<Resolution>;
  /**
   * Like `escalate`, but also returns (with `undefined`) when `until()` becomes true — e.g. a breaker cleared
   * elsewhere — or when `timeout` passes. The escalation is closed either way.
   */
  escalateUntil(e: EscalationRequest, until: () => boolean, timeout?: Duration): Promise<Resolution | undefined>;
  readonly state: EscalationState;
  /** How many escalations this gate opened (their ids are `<kind>-<n>`). */
  readonly opened: number;
  /**
   * A run that continued as new goes on numbering from the run before (`opened` of its gate): an escalation
   * id is never used twice under one workflow id, so a late decision naming an earlier run's escalation stays stale.
   */
  numberFrom(opened: number): void;
}

// Workflow time: the activation's time, the same on every replay (a wall clock would move `since`).
const now = () => new Date(Date.now()).toISOString();

const { authorizeApprover, recordRefusedDecision, recordEscalationOpened, recordEscalationClosed } = proxyActivities<Activities>({
  startToCloseTimeout: '10 seconds',
  retry: { maximumAttempts: 5, initialInterval: '500 ms' },
});

/** The failure of a `resolve`/`raiseBudget` Update from someone not on the approver allowlist (`Failure.ApproverRejected`). */
export const APPROVER_REJECTED = Failure.ApproverRejected.type;

/**
 * The failure that ends a run a person rejected: throw it from your workflow after a `reject`. The run
 * ends with BreakwaterStatus Rejected; `isHumanRejection` recognises it in this workflow, and
 * `isFailure(e, Failure.HumanRejected)` anywhere (through activity, child-workflow and client wrappers).
 */
export function humanRejection(step: string, r: Resolution): ApplicationFailure {
  return raise(Failure.HumanRejected, `rejected by ${r.by} at step '${step}'${r.reason ? `: ${r.reason}` : ''}`, { details: [{ step, ...r }] });
}

/** A person rejected the run: the type of the failure `humanRejection` makes (`Failure.HumanRejected`). */
export const HUMAN_REJECTION = Failure.HumanRejected.type;
/**
 * The failure `humanRejection` made, thrown in this workflow (not wrapped: a child's or an activity's
 * rejection seen by a parent is `isFailure(e, Failure.HumanRejected)`).
 */
export const isHumanRejection = (e: unknown): e is ApplicationFailure => e instanceof ApplicationFailure && e.type === Failure.HumanRejected.type;

export function createHumanGate(): HumanGate {
  const state: EscalationState = { open: undefined, resolved: [], ignored: [] };
  let opened = 0;
  // A box, not a `let`: handlers set it asynchronously, which TypeScript's narrowing cannot see.
  const inbox: { pending?: Resolution } = {};

  const check = (payload: unknown): Resolution => {
    if (!state.open) throw new Error('No escalation is open on this workflow');
    const parsed = resolutionSchema.safeParse(payload);
    if (!parsed.success) throw new Error(`Invalid resolve payload: ${parsed.error.issues.map((i) => `${i.path.join('.') || 'payload'}: ${i.message}`).join('; ')}`);
    const allowed = state.open.allowed;
    if (allowed && !allowed.includes(parsed.data.decision)) throw new Error(`Decision '${parsed.data.decision}' is not allowed here (allowed: ${allowed.join(', ')})`);
    return parsed.data;
  };
  /** Why a valid decision does not answer the open escalation: it names another one. */
  const staleness = (r: Resolution): string | undefined =>
    r.escalation !== undefined && r.escalation !== state.open?.id ? `stale decision: it answers escalation '${r.escalation}', the open one is '${state.open?.id ?? 'none'}'` : undefined;
  /** Every refused decision is in audit_log (behind a patch: histories recorded before it replay unchanged). */
  const auditRefusal = async (payload: unknown, why: string) => {
    if (!patched('breakwater.audit-refused-decisions')) return;
    const p = (payload ?? {}) as { by?: unknown; decision?: unknown; escalation?: unknown };
    await recordRefusedDecision({
      by: typeof p.by === 'string' && p.by.trim() ? p.by : 'unknown',
      action: `resolve:${typeof p.decision === 'string' ? p.decision : 'invalid'}`,
      target: workflowInfo().workflowId,
      why,
      detail: { named: typeof p.escalation === 'string' ? p.escalation : undefined, open: state.open?.id },
    });
  };

  /** The worker verifies who decided (signature, or development mode) and records the attempt: a refusal's failure, or undefined. */
  const authorize = async (r: Resolution) => {
    const escalation = state.open;
    const { workflowId } = workflowInfo();
    const verdict = await authorizeApprover({
      by: r.by,
      action: `resolve:${r.decision}`,
      target: workflowId,
      detail: { escalation: escalation?.kind, escalationId: escalation?.id, reason: r.reason },
      claim: resolveClaim(workflowId, r),
      proof: { at: r.at, signature: r.signature, signer: r.signer },
    });
    return verdict.accepted ? undefined : raise(failureSpecOf(verdict.code) ?? Failure.ApproverRejected, verdict.reason);
  };
  const ignore = async (payload: unknown, why: string, audited = false) => {
    state.ignored.push({ payload, why, at: now() });
    log.warn('resolve signal ignored', { why });
    if (!audited) await auditRefusal(payload, why);
  };

  setHandler(resolveSignal, async (payload) => {
    let resolution: Resolution;
    try {
      resolution = check(payload);
    } catch (e) {
      return ignore(payload, (e as Error).message);
    }
    const stale = staleness(resolution);
    if (stale) return ignore(payload, stale);
    const refused = await authorize(resolution);
    if (refused) return ignore(payload, `${refused.type}: ${refused.message}`, true); // the worker's check recorded it
    if (!state.open) return ignore(payload, 'the escalation closed while the approver was checked');
    const lateStale = staleness(resolution);
    if (lateStale) return ignore(payload, lateStale);
    inbox.pending = resolution;
  });
  setHandler(
    resolveUpdate,
    async (payload) => {
      const resolution = check(payload);
      // Refused in the handler, not the validator, so that the refusal is in the history and audited.
      const stale = staleness(resolution);
      if (stale) {
        await auditRefusal(payload, stale);
        throw raise(Failure.StaleDecision, stale);
      }
      const refused = await authorize(resolution);
      if (refused) throw refused;
      check(payload); // still open after the check's round trip?
      const lateStale = staleness(resolution);
      if (lateStale) {
        await auditRefusal(payload, lateStale);
        throw raise(Failure.StaleDecision, lateStale);
      }
      inbox.pending = resolution;
      return { accepted: true, escalation: state.open?.kind ?? 'none', escalationId: state.open?.id ?? 'none' };
    },
    { validator: (payload) => void check(payload) },
  );
  setHandler(escalationQuery, () => state);

  async function escalateUntil(e: EscalationRequest, until: () => boolean, timeout?: Duration) {
    const escalation: Escalation = { ...e, id: `${e.kind}-${++opened}`, since: now() };
    state.open = escalation;
    inbox.pending = undefined;
    markStatus('AwaitingHuman');
    log.warn('escalated: waiting for a person', { kind: e.kind, reason: e.reason });
    // Postgres keeps each escalation and how it ended, so closed runs answer `runs`/`explain` without a
    // replay (behind a patch: histories recorded before it replay unchanged).
    const recorded = patched('breakwater.record-escalations');
    const { workflowId, runId } = workflowInfo();
    if (recorded) {
      const pipeline = (workflowInfo().searchAttributes?.BreakwaterPipeline as unknown[] | undefined)?.[0];
      await recordEscalationOpened({
        workflowId,
        runId,
        escalation: escalation.id,
        ...(typeof pipeline === 'string' ? { pipeline } : {}),
        kind: e.kind,
        reason: e.reason,
        ...(e.step ? { step: e.step } : {}),
        openedAt: escalation.since,
        details: { ...(e.details ?? {}), ...(e.firstFailure ? { firstFailure: e.firstFailure } : {}) },
      });
    }
    // A box: TypeScript's narrowing cannot follow assignments made inside try/finally.
    const end: { resolution?: Resolution; met: boolean } = { met: false };
    try {
      const ready = () => inbox.pending !== undefined || until();
      if (timeout === undefined) end.met = await condition(ready).then(() => true);
      else end.met = await condition(ready, timeout);
      end.resolution = inbox.pending as Resolution | undefined; // set by a handler while we waited
      if (end.resolution) state.resolved.push({ escalation, resolution: end.resolution, at: now() });
    } finally {
      state.open = undefined;
      inbox.pending = undefined;
      markStatus('Running');
    }
    const { resolution, met } = end;
    if (recorded) {
      await recordEscalationClosed({
        workflowId,
        runId,
        escalation: escalation.id,
        closedAt: now(),
        ended: resolution ? 'resolved' : met ? 'condition' : 'timeout',
        ...(resolution ? { decision: resolution.decision, decidedBy: resolution.by, ...(resolution.reason ? { reasonGiven: resolution.reason } : {}) } : {}),
      });
    }
    return resolution;
  }

  return {
    state,
    get opened() {
      return opened;
    },
    numberFrom(n: number) {
      if (Number.isSafeInteger(n) && n > opened) opened = n;
    },
    escalateUntil,
    async escalate(e) {
      const resolution = await escalateUntil(e, () => false);
      if (!resolution) throw new Error('unreachable: escalate returned without a resolution');
      return resolution;
    },
  };
}
