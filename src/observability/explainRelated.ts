/**
 * The runs a run hands off to or from — its parent, its children, the runs it continued from or as — and the
 * open incident its escalation belongs to with the other runs waiting on the same cause. Pure: the timeline
 * and the grouped incidents in, JSON out (explain's `related`, the run page's "Across runs").
 */
import type { RunRef, Timeline } from './explainHistory';
import type { Incident } from './viewer/incidents';

/** A child workflow the run started, as its history saw it. */
export interface RelatedChild {
  workflowId: string;
  runId?: string;
  workflowType: string;
  startedAt: string;
  endedAt?: string;
  outcome: 'running' | 'completed' | 'failed' | 'cancelled' | 'timed-out' | 'terminated' | 'not-started';
  failure?: string;
}

export interface RelatedRuns {
  parent?: RunRef;
  children: RelatedChild[];
  continuedFrom?: string;
  continuedAs?: string;
  /** The open incident (src/observability/viewer/incidents.ts) this run waits in, with every run in it. */
  incident?: Incident;
}

const iso = (ms: number) => new Date(ms).toISOString();

export function relatedRunsOf(t: Timeline, workflowId: string, incidents: Incident[] = []): RelatedRuns | undefined {
  const incident = incidents.find((i) => i.runs.some((r) => r.workflowId === workflowId));
  const children = t.children.map(({ initiatedAt, endedAt, ...c }) => ({ ...c, startedAt: iso(initiatedAt), ...(endedAt ? { endedAt: iso(endedAt) } : {}) }));
  const r: RelatedRuns = {
    ...(t.parent ? { parent: t.parent } : {}),
    children,
    ...(t.continuedFrom ? { continuedFrom: t.continuedFrom } : {}),
    ...(t.continuedAs ? { continuedAs: t.continuedAs } : {}),
    ...(incident ? { incident } : {}),
  };
  return r.parent || r.children.length || r.continuedFrom || r.continuedAs || r.incident ? r : undefined;
}

/** explain's text: one line per related run. */
export function renderRelated(r: RelatedRuns | undefined): string[] {
  if (!r) return [];
  const lines = ['Across runs:'];
  if (r.parent) lines.push(`  parent     ${r.parent.workflowId}${r.parent.runId ? ` (run ${r.parent.runId})` : ''}`);
  if (r.continuedFrom) lines.push(`  continues  run ${r.continuedFrom} (continue-as-new)`);
  for (const c of r.children) lines.push(`  child      ${c.workflowId}  ${c.workflowType}  ${c.outcome}${c.failure ? `: ${c.failure.slice(0, 120)}` : ''}`);
  if (r.continuedAs) lines.push(`  continued  as run ${r.continuedAs} (continue-as-new)`);
  if (r.incident) {
    const others = r.incident.runs.map((x) => x.workflowId);
    lines.push(`  incident   ${r.incident.title}: ${others.length} run(s) wait on it (${others.slice(0, 10).join(', ')}${others.length > 10 ? ', …' : ''})`);
    lines.push(`             resolve it once: ${r.incident.action}`);
  }
  return [...lines, ''];
}
