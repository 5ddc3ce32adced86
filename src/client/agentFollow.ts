/**
 * Following a running agent: polls its `agentProgressQuery` (every second by default) while the run is
 * open, yields the progress each time it changed, and ends when the run closes. Shared by
 * `breakwater runs follow` and the run viewer's `/runs/<id>/progress` stream.
 *
 * Cost: per poll one DescribeWorkflowExecution and one query, both read-only — 0 history events and 0 SQL
 * statements (a query is answered by a worker from the run's memory, or by replaying its history).
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { WorkflowNotFoundError, type Client } from '@temporalio/client';
import { z } from 'zod';
import { agentProgressQuery, type AgentProgress, type AgentProgressEntry } from '../contracts/agentProgress';
import { InvalidInputError, NotFoundError } from '../errors';
import { redactValue } from '../redact';
import { withinMs } from './escalations';

export type FollowEvent = { kind: 'progress'; progress: AgentProgress } | { kind: 'end'; status: string };

export interface FollowOptions {
  /** Between polls. Default 1000 ms. */
  intervalMs?: number;
  /** One query's deadline (a run whose worker is down answers nothing). Default 3000 ms. */
  queryTimeoutMs?: number;
  /** Stop following (the client went away). */
  signal?: AbortSignal;
  /** Stop after this long even if the run is still open (a stream's reconnect picks up). Default: never. */
  maxMs?: number;
}

const workflowIdSchema = z.string().min(1).max(1000).regex(/^[^\p{Cc}]+$/u, 'no control characters');

/** A workflow id as an argument: 1–1000 characters, no control characters (BW_INVALID_INPUT otherwise). */
export function parseWorkflowId(raw: unknown): string {
  const r = workflowIdSchema.safeParse(raw);
  if (!r.success) throw new InvalidInputError(`workflowId: ${r.error.issues[0]?.message ?? 'invalid'}`);
  return r.data;
}

export async function* followAgentProgress(client: Client, workflowId: string, o: FollowOptions = {}): AsyncGenerator<FollowEvent> {
  const id = parseWorkflowId(workflowId);
  const handle = client.workflow.getHandle(id);
  const until = o.maxMs === undefined ? Infinity : Date.now() + o.maxMs;
  let last = '';
  for (;;) {
    const d = await handle.describe().catch((e: unknown) => {
      throw e instanceof WorkflowNotFoundError ? new NotFoundError(`No workflow with id '${id}'`) : e;
    });
    const open = d.status.name === 'RUNNING';
    // Not answered (no agent has run yet, a worker is down, the run is not an agent's): nothing to show yet.
    const p = await withinMs(client, o.queryTimeoutMs ?? 3000, () => handle.query(agentProgressQuery)).catch(() => null);
    if (p) {
      const key = JSON.stringify(p);
      if (key !== last) {
        last = key;
        // Redacted again here: the worker's registered secrets are unknown to the workflow's own redaction.
        yield { kind: 'progress', progress: redactValue(p) };
      }
    }
    if (!open) {
      yield { kind: 'end', status: d.status.name };
      return;
    }
    if (o.signal?.aborted || Date.now() >= until) return;
    await sleep(o.intervalMs ?? 1000, undefined, { signal: o.signal }).catch(() => undefined);
    if (o.signal?.aborted) return;
  }
}

/** One line for people: who, where, counts and cost so far. */
export function formatProgressLine(p: AgentProgress): string {
  return `${p.updatedAt.slice(11, 19)} ${p.role} turn ${p.turn} · ${p.status}${p.reason ? ` (${p.reason})` : ''} · ${p.toolCalls} tool call(s), ${p.refused} refused · $${p.costUsd.toFixed(6)}`;
}

/** One step for people: `turn 2 search [call-1] ran: {"query":"tides"} → {...}`. */
export function formatProgressEntry(e: AgentProgressEntry): string {
  const what = e.kind === 'tool' ? `${e.tool ?? '?'} [${e.callId ?? ''}] ${e.state}` : e.kind === 'final' ? 'final answer' : 'model answered';
  return `turn ${e.turn} ${what}${e.costUsd === undefined ? '' : ` ($${e.costUsd.toFixed(6)})`}${e.summary ? `: ${e.summary}` : ''}`;
}
