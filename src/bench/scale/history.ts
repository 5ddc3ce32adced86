/**
 * Part 4 — history size per run: events and bytes (the history as the server stores it, protobuf) of one
 * happy-path run of each pipeline the scale benchmark drives and of its bare baseline, measured live; and
 * of every recorded reference-pipeline history in test/fixtures/histories (escalations, breaker waits,
 * budget raises: the longer paths). From the live agentDecision history: events per agent call, and so how
 * many calls one run holds before Temporal's limits.
 */
import { temporal } from '@temporalio/proto';
import { loadHistories } from '../../devstack/histories';
import { spawnWorker } from './fleet';
import { runLoad, type Mode, type Pipeline } from './load';
import { startScaleStack } from './stack';

type History = temporal.api.history.v1.IHistory;

export interface HistoryRow {
  name: string;
  source: 'live' | 'recorded';
  events: number;
  bytes: number;
}

export interface HistoryFigures {
  rows: HistoryRow[];
  /** Events one agent call adds to a run (callModel scheduled → next callModel scheduled, agentDecision). */
  eventsPerAgentCall: number;
  bytesPerAgentCall: number;
}

const size = (h: History) => temporal.api.history.v1.History.encode(h).finish().length;

export async function measureHistories(): Promise<HistoryFigures> {
  const s = await startScaleStack({ llmDelayMs: 0, portalLatencyMs: 0 });
  const rows: HistoryRow[] = [];
  let perCall = { events: 0, bytes: 0 };
  try {
    const client = s.t.stack.env.client;
    for (const mode of ['breakwater', 'bare'] as Mode[]) {
      const w = await spawnWorker(s.t.stack, { mode, taskQueue: `hist-${mode}`, bareBundle: s.bareBundle, env: { PORTAL_URL: s.portal.url } });
      try {
        for (const pipeline of ['agentDecision', 'submitAndVerify'] as Pipeline[]) {
          const tag = `hist-${pipeline}-${mode}`;
          const f = await runLoad({ client, pipeline, mode, taskQueue: `hist-${mode}`, n: 1, tag });
          if (f.completed !== 1) throw new Error(`history: ${tag} did not complete: ${f.firstError}`);
          const id = f.ids[0]!;
          const h = await client.workflow.getHandle(id).fetchHistory();
          rows.push({ name: `${pipeline} (${mode === 'bare' ? 'bare baseline' : 'Breakwater'}, happy path)`, source: 'live', events: h.events?.length ?? 0, bytes: size(h) });
          if (pipeline === 'agentDecision' && mode === 'breakwater') perCall = agentCallCost(h);
        }
      } finally {
        await w.stop();
      }
    }
  } finally {
    await s.stop();
  }
  for (const r of loadHistories()) rows.push({ name: r.name, source: 'recorded', events: r.history.events?.length ?? 0, bytes: size(r.history) });
  return { rows, eventsPerAgentCall: perCall.events, bytesPerAgentCall: perCall.bytes };
}

/** The events and bytes between the first two callModel schedulings: what one agent call adds. */
function agentCallCost(h: History): { events: number; bytes: number } {
  const events = h.events ?? [];
  const at = events
    .map((e, i) => ({ i, name: e.activityTaskScheduledEventAttributes?.activityType?.name }))
    .filter((x) => x.name === 'callModel')
    .map((x) => x.i);
  if (at.length < 2) return { events: 0, bytes: 0 };
  const slice = events.slice(at[0], at[1]);
  return { events: slice.length, bytes: size({ events: slice }) };
}
