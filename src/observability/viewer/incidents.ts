/**
 * Open escalations grouped by cause: every run waiting on one breaker is one incident (cleared once), the
 * daily cap is one incident, one missing resource is one incident; anything else is its own. Pure.
 */
import type { RunEscalation } from '../../store/runEscalations';

export interface Incident {
  cause: string;
  title: string;
  since: string;
  /** The one action that resolves it (and releases every run in it). */
  action: string;
  runs: { workflowId: string; runId: string; escalation: string; reason: string }[];
}

function causeOf(e: RunEscalation): { cause: string; title: string; action: string } {
  const d = e.details ?? {};
  const breaker = d.breaker as { pipeline?: string; step?: string } | undefined;
  if (e.kind === 'breaker-open') {
    const p = breaker?.pipeline ?? e.pipeline ?? '?';
    const s = breaker?.step ?? e.step ?? '?';
    return { cause: `breaker:${p}/${s}`, title: `Breaker ${p}/${s} is open`, action: `breakwater breaker clear ${p} ${s} --by <you> --reason <why>` };
  }
  if (e.kind === 'daily-cap') return { cause: `daily-cap:${e.openedAt.slice(0, 10)}`, title: `Daily LLM spend cap reached (${e.openedAt.slice(0, 10)})`, action: 'raise DAILY_SPEND_CAP_USD, or resolve each run with retry after the UTC day turns' };
  const resource = (d.resource ?? d.missing ?? d.kind) as unknown;
  if (/resource/.test(e.kind) && resource !== undefined) {
    const key = typeof resource === 'string' ? resource : JSON.stringify(resource);
    return { cause: `resource:${key}`, title: `Missing resource ${key}`, action: 'create the resource, then resolve the runs with retry' };
  }
  if (e.kind === 'budget-exhausted') return { cause: `budget:${e.workflowId}`, title: `Budget of ${e.workflowId} exhausted`, action: `breakwater budget raise ${e.workflowId} --to <usd> --by <you>` };
  return { cause: `${e.kind}:${e.workflowId}:${e.escalation}`, title: `${e.kind} on ${e.workflowId}`, action: `breakwater resolve ${e.workflowId} --decision approve|reject|retry --by <you> --escalation ${e.escalation}` };
}

export function groupIncidents(open: RunEscalation[]): Incident[] {
  const byCause = new Map<string, Incident>();
  for (const e of open.filter((x) => !x.closedAt)) {
    const c = causeOf(e);
    const i = byCause.get(c.cause) ?? { ...c, since: e.openedAt, runs: [] };
    i.runs.push({ workflowId: e.workflowId, runId: e.runId, escalation: e.escalation, reason: e.reason });
    if (e.openedAt < i.since) i.since = e.openedAt;
    byCause.set(c.cause, i);
  }
  return [...byCause.values()].sort((a, b) => b.runs.length - a.runs.length || a.since.localeCompare(b.since));
}
