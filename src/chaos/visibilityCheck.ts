/**
 * Whether visibility — the dev server's SQLite, or the cluster's SQL visibility in Postgres — still tells
 * the truth after the faults: every run is listed by `breakwater runs` (listRuns, the command's own code),
 * the search-attribute filters (`--pipeline`, i.e. BreakwaterPipeline; `--status AwaitingHuman`, i.e.
 * BreakwaterStatus) select exactly the runs they should. Visibility is eventually consistent, so the check
 * polls until it holds or its time is up; what is still wrong then is a violation.
 */
import { setTimeout as delay } from 'node:timers/promises';
import type { Client } from '@temporalio/client';
import { listRuns, parseRunFilters } from '../client/runs';
import type { Db } from '../store/db';
import type { PlannedRun } from './pipelines';
import type { RunState } from './observe';

export interface VisibilityFigures {
  /** Top-level runs started / listed by `breakwater runs --since`. */
  started: number;
  listed: number;
  /** Distinct BreakwaterPipeline values, and runs a `--pipeline P` filter listed wrongly (missing or extra). */
  pipelines: number;
  pipelineFilterMismatches: number;
  /** The first few of them, for the report. */
  wrong: string[];
  /** Open escalations seen on the runs / the ones `--status AwaitingHuman` lists. */
  awaiting: number;
  awaitingListed: number;
  /** How long until it held (or the time ran out). */
  tookMs: number;
}

async function measure(client: Client, db: Db, runs: PlannedRun[], states: Map<string, RunState>, since: Date): Promise<Omit<VisibilityFigures, 'tookMs'>> {
  const iso = since.toISOString();
  const all = await listRuns(client, db, parseRunFilters({ since: iso, limit: 1000 }));
  const byId = new Map(all.map((r) => [r.workflowId, r]));
  const started = runs.map((r) => r.workflowId);
  const listed = started.filter((id) => byId.has(id)).length;
  // Ground truth for the filter: the attribute each run carries (a run without one shows its type as pipeline).
  const carried = new Map<string, string>();
  for await (const wf of client.workflow.list({ query: `StartTime > "${iso}"` })) {
    const p = wf.searchAttributes.BreakwaterPipeline?.[0];
    if (typeof p === 'string') carried.set(wf.workflowId, p);
  }
  const pipelines = [...new Set(carried.values())].filter((p) => /^[\w.-]{1,200}$/.test(p));
  const wrong: string[] = [];
  for (const pipeline of pipelines) {
    const filtered = new Set((await listRuns(client, db, parseRunFilters({ pipeline, since: iso, limit: 1000 }))).map((r) => r.workflowId));
    const expected = new Set([...carried].filter(([, p]) => p === pipeline).map(([id]) => id));
    for (const id of expected) if (!filtered.has(id)) wrong.push(`${id} missing from --pipeline ${pipeline}`);
    for (const id of filtered) if (!expected.has(id)) wrong.push(`${id} listed by --pipeline ${pipeline}`);
  }
  const awaitingIds = [...states.values()].flatMap((s) => (s.outcome === 'escalated' && s.escalation ? [s.escalation.workflowId] : []));
  const awaitingList = new Set((await listRuns(client, db, parseRunFilters({ status: 'AwaitingHuman', since: iso, limit: 1000 }))).map((r) => r.workflowId));
  return { started: started.length, listed, pipelines: pipelines.length, pipelineFilterMismatches: wrong.length, wrong: wrong.slice(0, 5), awaiting: awaitingIds.length, awaitingListed: awaitingIds.filter((id) => awaitingList.has(id)).length };
}

const holds = (f: Omit<VisibilityFigures, 'tookMs'>) => f.listed === f.started && f.pipelineFilterMismatches === 0 && f.awaitingListed === f.awaiting;

export async function checkVisibility(o: { client: Client; db: Db; runs: PlannedRun[]; states: Map<string, RunState>; since: Date; timeoutMs?: number }): Promise<VisibilityFigures> {
  const began = Date.now();
  const until = began + (o.timeoutMs ?? 60_000);
  for (;;) {
    const f = await measure(o.client, o.db, o.runs, o.states, o.since);
    if (holds(f) || Date.now() > until) return { ...f, tookMs: Date.now() - began };
    await delay(2000);
  }
}

export function visibilityViolations(f: VisibilityFigures): string[] {
  const v: string[] = [];
  if (f.listed !== f.started) v.push(`visibility: ${f.started - f.listed} of ${f.started} runs not listed by 'breakwater runs'`);
  if (f.pipelineFilterMismatches) v.push(`visibility: ${f.pipelineFilterMismatches} run(s) listed wrongly by a --pipeline (BreakwaterPipeline) filter (${f.wrong.join('; ')})`);
  if (f.awaitingListed !== f.awaiting) v.push(`visibility: ${f.awaiting - f.awaitingListed} of ${f.awaiting} open escalation(s) not listed by --status AwaitingHuman`);
  return v;
}
