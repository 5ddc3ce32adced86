/**
 * What became of each run, as Temporal and the pipeline's own `escalation` query tell it: completed,
 * escalated (by itself or through a child workflow), stuck (running with nobody asked), or lost (failed,
 * terminated, timed out, gone) — and the evidence that a fault reached it at all (its history shows a
 * retried, failed or timed-out activity or workflow task; `llm_calls` shows a failed or repaired call).
 */
import { WorkflowNotFoundError, type Client } from '@temporalio/client';
import { setTimeout as delay } from 'node:timers/promises';
import type { Escalation } from '../contracts/resolution';
import { BreakwaterStatus } from '../contracts/searchAttributes';
import type { Db } from '../store/db';
import type { PlannedRun } from './pipelines';
import { escalationQuery } from '../contracts/messages';
import { decodeHistoryWith } from '../codec/decodeHistory';

export type RunOutcome = 'completed' | 'escalated' | 'stuck' | 'lost';

export interface SeenEscalation {
  /** The escalation's id (`<kind>-<n>`): what a resolution must name. */
  id: string;
  kind: string;
  reason: string;
  /** Workflow that holds it: the run, or one of its children. */
  workflowId: string;
  /** kind + reason + the failure or details a person needs to decide. */
  withContext: boolean;
  /** BreakwaterStatus = AwaitingHuman on the workflow that holds it. */
  marked: boolean;
  firstFailure: boolean;
}

export interface RunState {
  outcome: RunOutcome;
  status: string;
  escalation?: SeenEscalation;
  startMs?: number;
  closeMs?: number;
  result?: unknown;
  /** A stuck run's pending activities: type, attempt and last failure (what it is waiting on). */
  waitingOn?: string;
}

const withDeadline = <T>(client: Client, ms: number, fn: () => Promise<T>) => client.connection.withDeadline(Date.now() + ms, fn);

function hasContext(e: Escalation): boolean {
  const failure = Boolean(e.firstFailure ?? e.latestFailure);
  const details = e.details !== undefined && Object.keys(e.details).length > 0;
  const needsFirst = e.kind === 'breaker-open';
  return Boolean(e.kind && e.reason && e.since) && (failure || details) && (!needsFirst || Boolean(e.firstFailure));
}

async function openEscalation(client: Client, workflowId: string): Promise<SeenEscalation | undefined> {
  const handle = client.workflow.getHandle(workflowId);
  const state = await withDeadline(client, 5000, () => handle.query(escalationQuery)).catch(() => undefined);
  const open = state?.open;
  if (!open) return undefined;
  const d = await withDeadline(client, 5000, () => handle.describe()).catch(() => undefined);
  return {
    id: open.id,
    kind: open.kind,
    reason: open.reason,
    workflowId,
    withContext: hasContext(open),
    marked: d?.typedSearchAttributes.get(BreakwaterStatus) === 'AwaitingHuman',
    firstFailure: Boolean(open.firstFailure),
  };
}

export async function observeRun(client: Client, run: PlannedRun): Promise<RunState> {
  const handle = client.workflow.getHandle(run.workflowId);
  let d;
  try {
    d = await withDeadline(client, 10_000, () => handle.describe());
  } catch (e) {
    if (e instanceof WorkflowNotFoundError) return { outcome: 'lost', status: 'NOT_FOUND' };
    return { outcome: 'stuck', status: `UNREACHABLE (${(e as Error).message})` };
  }
  const times = { startMs: d.startTime.getTime(), closeMs: d.closeTime?.getTime() };
  const status = d.status.name;
  if (status === 'COMPLETED') return { outcome: 'completed', status, ...times, result: await handle.result() };
  if (status !== 'RUNNING') return { outcome: 'lost', status, ...times };
  for (const id of [run.workflowId, ...run.children]) {
    const escalation = await openEscalation(client, id);
    if (escalation) return { outcome: 'escalated', status, escalation, ...times };
  }
  // Their last failures' messages are encoded attributes (src/codec/failureConverter.ts): decoded to say why
  // (a diagnostic only: one that does not decode is shown as stored).
  const raw = d.raw.pendingActivities ?? [];
  const { payloadCodecs, payloadConverter } = client.options.loadedDataConverter;
  const pending = await decodeHistoryWith(payloadCodecs, raw, payloadConverter).catch(() => raw);
  const waitingOn = pending.length
    ? pending.map((a) => `${a.activityType?.name} attempt ${a.attempt}${a.lastFailure?.message ? ` (${a.lastFailure.message.slice(0, 160)})` : ''}`).join('; ')
    : 'no pending activity (timer, child or workflow task)';
  return { outcome: 'stuck', status, ...times, waitingOn };
}

/** Observes every run until none is stuck any more, or the settle time is up. */
export async function settle(client: Client, runs: PlannedRun[], timeoutMs: number, log: (l: string) => void): Promise<Map<string, RunState>> {
  const states = new Map<string, RunState>();
  const until = Date.now() + timeoutMs;
  for (;;) {
    const pending = runs.filter((r) => !states.has(r.workflowId) || states.get(r.workflowId)!.outcome === 'stuck');
    await Promise.all(pending.map(async (r) => states.set(r.workflowId, await observeRun(client, r))));
    const stuck = runs.filter((r) => states.get(r.workflowId)!.outcome === 'stuck');
    if (stuck.length === 0 || Date.now() > until) return states;
    log(`settling: ${stuck.length} run(s) still running without an escalation (${stuck.slice(0, 4).map((r) => `${r.workflowId}: ${states.get(r.workflowId)!.waitingOn}`).join(', ')}${stuck.length > 4 ? ', ...' : ''})`);
    await delay(3000);
  }
}

/** Evidence that a fault reached a run (or its children); empty when nothing shows it was touched. */
export async function faultEvidence(client: Client, run: PlannedRun, llmTrouble: Map<string, number>): Promise<string[]> {
  const evidence: string[] = [];
  for (const id of [run.workflowId, ...run.children]) {
    const history = await withDeadline(client, 10_000, () => client.workflow.getHandle(id).fetchHistory()).catch(() => undefined);
    for (const ev of history?.events ?? []) {
      const attempt = ev.activityTaskStartedEventAttributes?.attempt ?? 1;
      if (attempt > 1) evidence.push(`${id}: activity attempt ${attempt}`);
      if (ev.activityTaskFailedEventAttributes) evidence.push(`${id}: activity failed`);
      if (ev.activityTaskTimedOutEventAttributes) evidence.push(`${id}: activity timed out`);
      if (ev.workflowTaskTimedOutEventAttributes) evidence.push(`${id}: workflow task timed out`);
      if (ev.workflowTaskFailedEventAttributes) evidence.push(`${id}: workflow task failed`);
    }
    const llm = llmTrouble.get(id) ?? 0;
    if (llm > 0) evidence.push(`${id}: ${llm} failed or repaired LLM call(s)`);
  }
  return evidence;
}

/** LLM calls per workflow that failed or had to be repaired (what the run's history cannot show). */
export async function llmTroubleByWorkflow(db: Db): Promise<Map<string, number>> {
  const { rows } = await db.query<{ workflow_id: string; n: number }>(
    "SELECT workflow_id, count(*)::int AS n FROM llm_calls WHERE outcome NOT IN ('ok', 'cache-hit') AND workflow_id IS NOT NULL GROUP BY workflow_id",
  );
  return new Map(rows.map((r) => [r.workflow_id, r.n]));
}
