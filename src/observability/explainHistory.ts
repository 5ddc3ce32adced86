/**
 * A workflow history, read as a timeline a person can follow: each activity with its scheduled, started and
 * closed times, the attempt that closed it and the failure before it, durable timers, signals and Updates
 * (who sent what), every change of the run's own search attributes (status, cost, budget), and the runs it
 * hands off to or from: its parent, its children, the run it continued from and the one it continued as. Pure.
 */
import { defaultPayloadConverter } from '@temporalio/common';
import type { History } from '@temporalio/common/lib/proto-utils';
import { tsToMs } from '@temporalio/common/lib/time';

type Event = NonNullable<History['events']>[number];
type Payloads = { payloads?: unknown[] | null } | null | undefined;
type ProtoFailure = { message?: string | null; cause?: ProtoFailure | null; applicationFailureInfo?: { type?: string | null } | null } | null | undefined;

export interface ActivityStep {
  kind: 'activity';
  id: number;
  name: string;
  activityId: string;
  scheduledAt: number;
  startedAt?: number;
  endedAt?: number;
  /** The attempt that closed the step (Temporal records only the last attempt's start). */
  attempt: number;
  outcome: 'completed' | 'failed' | 'timed-out' | 'cancelled' | 'running';
  input: unknown[];
  result?: unknown;
  failure?: string;
  failureType?: string;
  /** The failure of the attempt before the last one (history's lastFailure). */
  previousFailure?: string;
}

export interface TimerStep {
  kind: 'timer';
  id: number;
  name: string;
  startedAt: number;
  endedAt?: number;
  durationMs: number;
  outcome: 'fired' | 'cancelled' | 'running';
}

export interface HumanEvent {
  kind: 'signal' | 'update';
  at: number;
  name: string;
  args: unknown[];
  identity?: string;
  /** Updates: rejected by the validator. */
  rejected?: string;
  /** Updates: what the handler returned (e.g. the budget after a raise), or why it failed. */
  result?: unknown;
  failed?: string;
}

export interface AttributeChange {
  at: number;
  key: string;
  value: unknown;
}

/** A child workflow this run started, and how it ended (as this run's history saw it). */
export interface ChildRun {
  workflowId: string;
  runId?: string;
  workflowType: string;
  initiatedAt: number;
  endedAt?: number;
  outcome: 'running' | 'completed' | 'failed' | 'cancelled' | 'timed-out' | 'terminated' | 'not-started';
  failure?: string;
}

export interface RunRef {
  workflowId: string;
  runId?: string;
}

export interface Timeline {
  workflowType: string;
  startedAt: number;
  closedAt?: number;
  close?: 'completed' | 'failed' | 'cancelled' | 'terminated' | 'timed-out' | 'continued-as-new';
  input: unknown[];
  result?: unknown;
  failure?: string;
  steps: (ActivityStep | TimerStep)[];
  humans: HumanEvent[];
  attributes: AttributeChange[];
  parent?: RunRef;
  children: ChildRun[];
  /** Continue-as-new: the run this one continues, and the run that continues this one. */
  continuedFrom?: string;
  continuedAs?: string;
}

const decode = (p: unknown): unknown => {
  try {
    return defaultPayloadConverter.fromPayload(p as never);
  } catch {
    return '(undecodable payload)';
  }
};
const decodeAll = (p: Payloads): unknown[] => (p?.payloads ?? []).map(decode);

/** "message (TYPE) ← cause" for a proto failure. */
export function failureText(f: ProtoFailure): string | undefined {
  if (!f) return undefined;
  const parts: string[] = [];
  for (let c: ProtoFailure = f, depth = 0; c && depth < 4; c = c.cause, depth++) {
    const type = c.applicationFailureInfo?.type;
    if (c.message) parts.push(type ? `${c.message} (${type})` : c.message);
  }
  return parts.join(' ← ') || 'failure';
}

const innermostType = (f: ProtoFailure): string | undefined => {
  let type: string | undefined;
  for (let c: ProtoFailure = f; c; c = c.cause) type = c.applicationFailureInfo?.type ?? type;
  return type;
};

export function readTimeline(history: History): Timeline {
  const t: Timeline = { workflowType: '', startedAt: 0, input: [], steps: [], humans: [], attributes: [], children: [] };
  const children = new Map<number, ChildRun>();
  const childEnd = (initiated: unknown, at: number, outcome: ChildRun['outcome'], failure?: string) => {
    const c = children.get(Number(initiated));
    if (c) Object.assign(c, { endedAt: at, outcome, ...(failure ? { failure } : {}) });
  };
  const activities = new Map<number, ActivityStep>();
  const timers = new Map<string, TimerStep>();
  const updates = new Map<string, HumanEvent>();

  for (const e of (history.events ?? []) as Event[]) {
    const at = tsToMs(e.eventTime);
    const id = Number(e.eventId);
    if (e.workflowExecutionStartedEventAttributes) {
      const a = e.workflowExecutionStartedEventAttributes;
      t.workflowType = a.workflowType?.name ?? '';
      t.startedAt = at;
      t.input = decodeAll(a.input);
      for (const [key, p] of Object.entries(a.searchAttributes?.indexedFields ?? {})) t.attributes.push({ at, key, value: decode(p) });
      if (a.parentWorkflowExecution?.workflowId) t.parent = { workflowId: a.parentWorkflowExecution.workflowId, ...(a.parentWorkflowExecution.runId ? { runId: a.parentWorkflowExecution.runId } : {}) };
      if (a.continuedExecutionRunId) t.continuedFrom = a.continuedExecutionRunId;
    } else if (e.startChildWorkflowExecutionInitiatedEventAttributes) {
      const a = e.startChildWorkflowExecutionInitiatedEventAttributes;
      const child: ChildRun = { workflowId: a.workflowId ?? '?', workflowType: a.workflowType?.name ?? '?', initiatedAt: at, outcome: 'running' };
      children.set(id, child);
      t.children.push(child);
    } else if (e.childWorkflowExecutionStartedEventAttributes) {
      const a = e.childWorkflowExecutionStartedEventAttributes;
      const c = children.get(Number(a.initiatedEventId));
      if (c && a.workflowExecution?.runId) c.runId = a.workflowExecution.runId;
    } else if (e.startChildWorkflowExecutionFailedEventAttributes) {
      const a = e.startChildWorkflowExecutionFailedEventAttributes;
      childEnd(a.initiatedEventId, at, 'not-started', `could not start: ${String(a.cause ?? 'unknown cause')}`);
    } else if (e.childWorkflowExecutionCompletedEventAttributes) {
      childEnd(e.childWorkflowExecutionCompletedEventAttributes.initiatedEventId, at, 'completed');
    } else if (e.childWorkflowExecutionFailedEventAttributes) {
      const a = e.childWorkflowExecutionFailedEventAttributes;
      childEnd(a.initiatedEventId, at, 'failed', failureText(a.failure));
    } else if (e.childWorkflowExecutionCanceledEventAttributes) {
      childEnd(e.childWorkflowExecutionCanceledEventAttributes.initiatedEventId, at, 'cancelled');
    } else if (e.childWorkflowExecutionTimedOutEventAttributes) {
      childEnd(e.childWorkflowExecutionTimedOutEventAttributes.initiatedEventId, at, 'timed-out');
    } else if (e.childWorkflowExecutionTerminatedEventAttributes) {
      childEnd(e.childWorkflowExecutionTerminatedEventAttributes.initiatedEventId, at, 'terminated');
    } else if (e.activityTaskScheduledEventAttributes) {
      const a = e.activityTaskScheduledEventAttributes;
      const step: ActivityStep = { kind: 'activity', id, name: a.activityType?.name ?? '?', activityId: a.activityId ?? '', scheduledAt: at, attempt: 1, outcome: 'running', input: decodeAll(a.input) };
      activities.set(id, step);
      t.steps.push(step);
    } else if (e.activityTaskStartedEventAttributes) {
      const a = e.activityTaskStartedEventAttributes;
      const step = activities.get(Number(a.scheduledEventId));
      if (step) Object.assign(step, { startedAt: at, attempt: a.attempt ?? 1, previousFailure: failureText(a.lastFailure) });
    } else if (e.activityTaskCompletedEventAttributes) {
      const a = e.activityTaskCompletedEventAttributes;
      const step = activities.get(Number(a.scheduledEventId));
      if (step) Object.assign(step, { endedAt: at, outcome: 'completed', result: decodeAll(a.result)[0] });
    } else if (e.activityTaskFailedEventAttributes) {
      const a = e.activityTaskFailedEventAttributes;
      const step = activities.get(Number(a.scheduledEventId));
      if (step) Object.assign(step, { endedAt: at, outcome: 'failed', failure: failureText(a.failure), failureType: innermostType(a.failure) });
    } else if (e.activityTaskTimedOutEventAttributes) {
      const a = e.activityTaskTimedOutEventAttributes;
      const step = activities.get(Number(a.scheduledEventId));
      if (step) Object.assign(step, { endedAt: at, outcome: 'timed-out', failure: failureText(a.failure) });
    } else if (e.activityTaskCanceledEventAttributes) {
      const step = activities.get(Number(e.activityTaskCanceledEventAttributes.scheduledEventId));
      if (step) Object.assign(step, { endedAt: at, outcome: 'cancelled' });
    } else if (e.timerStartedEventAttributes) {
      const a = e.timerStartedEventAttributes;
      const timer: TimerStep = { kind: 'timer', id, name: 'timer', startedAt: at, durationMs: tsToMs(a.startToFireTimeout), outcome: 'running' };
      timers.set(a.timerId ?? String(id), timer);
      t.steps.push(timer);
    } else if (e.timerFiredEventAttributes) {
      const timer = timers.get(e.timerFiredEventAttributes.timerId ?? '');
      if (timer) Object.assign(timer, { endedAt: at, outcome: 'fired' });
    } else if (e.timerCanceledEventAttributes) {
      const timer = timers.get(e.timerCanceledEventAttributes.timerId ?? '');
      if (timer) Object.assign(timer, { endedAt: at, outcome: 'cancelled' });
    } else if (e.workflowExecutionSignaledEventAttributes) {
      const a = e.workflowExecutionSignaledEventAttributes;
      t.humans.push({ kind: 'signal', at, name: a.signalName ?? '', args: decodeAll(a.input), identity: a.identity ?? undefined });
    } else if (e.workflowExecutionUpdateAcceptedEventAttributes) {
      const a = e.workflowExecutionUpdateAcceptedEventAttributes;
      const req = a.acceptedRequest;
      const u: HumanEvent = { kind: 'update', at, name: req?.input?.name ?? '', args: decodeAll(req?.input?.args), identity: req?.meta?.identity ?? undefined };
      updates.set(req?.meta?.updateId ?? a.protocolInstanceId ?? String(id), u);
      t.humans.push(u);
    } else if (e.workflowExecutionUpdateCompletedEventAttributes) {
      const a = e.workflowExecutionUpdateCompletedEventAttributes;
      const u = updates.get(a.meta?.updateId ?? '');
      if (u && a.outcome?.success) u.result = decodeAll(a.outcome.success)[0];
      if (u && a.outcome?.failure) u.failed = failureText(a.outcome.failure);
    } else if (e.workflowExecutionUpdateRejectedEventAttributes) {
      const a = e.workflowExecutionUpdateRejectedEventAttributes;
      const req = a.rejectedRequest;
      t.humans.push({ kind: 'update', at, name: req?.input?.name ?? '', args: decodeAll(req?.input?.args), identity: req?.meta?.identity ?? undefined, rejected: failureText(a.failure) });
    } else if (e.upsertWorkflowSearchAttributesEventAttributes) {
      for (const [key, p] of Object.entries(e.upsertWorkflowSearchAttributesEventAttributes.searchAttributes?.indexedFields ?? {})) {
        const v = decode(p);
        t.attributes.push({ at, key, value: Array.isArray(v) && v.length === 1 ? v[0] : v });
      }
    } else if (e.workflowExecutionCompletedEventAttributes) {
      Object.assign(t, { closedAt: at, close: 'completed', result: decodeAll(e.workflowExecutionCompletedEventAttributes.result)[0] });
    } else if (e.workflowExecutionFailedEventAttributes) {
      Object.assign(t, { closedAt: at, close: 'failed', failure: failureText(e.workflowExecutionFailedEventAttributes.failure) });
    } else if (e.workflowExecutionCanceledEventAttributes) {
      Object.assign(t, { closedAt: at, close: 'cancelled' });
    } else if (e.workflowExecutionTerminatedEventAttributes) {
      Object.assign(t, { closedAt: at, close: 'terminated', failure: e.workflowExecutionTerminatedEventAttributes.reason ?? undefined });
    } else if (e.workflowExecutionTimedOutEventAttributes) {
      Object.assign(t, { closedAt: at, close: 'timed-out' });
    } else if (e.workflowExecutionContinuedAsNewEventAttributes) {
      const next = e.workflowExecutionContinuedAsNewEventAttributes.newExecutionRunId;
      Object.assign(t, { closedAt: at, close: 'continued-as-new', ...(next ? { continuedAs: next } : {}) });
    }
  }
  return t;
}
