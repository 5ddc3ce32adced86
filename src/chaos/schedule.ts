/**
 * The chaos run's fault schedule: a pure function of (seed, duration, kinds), so a run that found something
 * can be replayed with the same faults at the same offsets. Every kind asked for appears at least once,
 * spread over the fault window; extra worker kills and service blips land at random moments on top.
 *
 * Every fault here is TRANSIENT by construction: it ends by itself (a restart, a burst of N bad answers, a
 * window of seconds) and is shorter than the retry budget of the step it hits. Faults that the pipelines
 * route to a person on purpose (a portal failing twice in a row opens the shared breaker; a model answering
 * out of schema twice in one call) are shaped out: portal POST faults end after the first POST they hit,
 * malformed LLM output is one bad answer per rule. What the pipelines make of it is what the run measures.
 */
import { createSeededRandom } from '../deterministic/seededRandom';

export const faultKinds = [
  'worker-kill',
  'worker-crash-at-point',
  'temporal-restart',
  'postgres-restart',
  'llm-5xx',
  'llm-429',
  'llm-lost-response',
  'llm-latency',
  'llm-garbage',
  'portal-5xx',
  'portal-lost-response',
  'portal-latency',
  'portal-lag',
  'portal-429',
  'enrichment-429',
  'enrichment-latency',
  'alert-channel-down',
] as const;
export type FaultKind = (typeof faultKinds)[number];

/**
 * Every named fault point (grep `faultPoint(`): the effect primitive's crash windows around the portal POST,
 * a shared-state update committed but not acknowledged, an alert recorded but not sent. The
 * `worker-crash-at-point` fault arms the fleet at all of them until each has fired once.
 */
export const crashPoints = ['portal.submit.beforePost', 'portal.submit.afterPost', 'portal.submit.afterDone', 'sharedState.afterCommit', 'alerts.afterRecord'] as const;

/** Infrastructure restarts: kept apart so each one's recovery is observable on its own. */
const infraKinds: readonly FaultKind[] = ['temporal-restart', 'postgres-restart'];
/**
 * What lands at random moments on top of the one-of-each set. No portal POST faults: two of them with no
 * successful POST between open the shared breaker, which waits for a person by design (not a transient fault).
 */
const randomKinds: readonly FaultKind[] = ['worker-kill', 'worker-kill', 'llm-5xx', 'llm-lost-response', 'llm-429', 'enrichment-429'];

export interface FaultEvent {
  seq: number;
  /** Offset from the start of the run. */
  atMs: number;
  kind: FaultKind;
  /** How long the fault lasts (a restart's downtime, a service's bad window). */
  durationMs: number;
  /** Bad answers per LLM rule (LLM bursts). */
  burst?: number;
  /** Which live worker to kill, as a fraction of the fleet (worker-kill). */
  pick?: number;
}

export interface ScheduleOptions {
  seed: number;
  durationMs: number;
  kinds?: readonly FaultKind[];
  /** Extra random faults per minute of the run. Default 4. */
  extraPerMinute?: number;
  /** Faults start after this share of the duration and end before `windowEnd` (defaults 0.1 and 0.8). */
  windowStart?: number;
  windowEnd?: number;
  /** Least time between two infrastructure restarts. Default 12 s. */
  infraGapMs?: number;
  /** Temporal restarts on top of the one of each kind (0 by default, so existing seeds keep their schedule). */
  extraTemporalRestarts?: number;
}

const between = (r: () => number, lo: number, hi: number) => Math.round(lo + r() * (hi - lo));

function shape(kind: FaultKind, r: () => number): Omit<FaultEvent, 'seq' | 'atMs' | 'kind'> {
  switch (kind) {
    case 'worker-kill':
      return { durationMs: 0, pick: r() };
    case 'worker-crash-at-point':
      return { durationMs: 0 }; // armed until every point fired, at most until the fault phase ends
    case 'temporal-restart':
      return { durationMs: between(r, 1000, 3000) };
    case 'postgres-restart':
      return { durationMs: between(r, 1000, 3000) };
    case 'llm-5xx':
    case 'llm-429':
      return { durationMs: 8000, burst: between(r, 2, 3) };
    case 'llm-lost-response':
      return { durationMs: 8000, burst: 2 };
    case 'llm-latency':
      return { durationMs: 8000, burst: between(r, 3, 6) };
    case 'llm-garbage':
      return { durationMs: 8000, burst: 1 };
    case 'portal-lag':
      return { durationMs: between(r, 5000, 10_000) };
    case 'portal-429':
      return { durationMs: between(r, 3000, 6000) };
    case 'portal-5xx':
    case 'portal-lost-response':
      return { durationMs: between(r, 8000, 15_000) }; // ends early, at the first POST it spoils
    case 'portal-latency':
      return { durationMs: between(r, 4000, 8000) };
    case 'alert-channel-down':
      return { durationMs: between(r, 5000, 15_000) };
    default:
      return { durationMs: between(r, 2000, 6000) };
  }
}

export function createFaultSchedule(o: ScheduleOptions): FaultEvent[] {
  const r = createSeededRandom(o.seed);
  const kinds = [...(o.kinds ?? faultKinds)];
  const start = o.durationMs * (o.windowStart ?? 0.1);
  const end = o.durationMs * (o.windowEnd ?? 0.8);
  const span = Math.max(1, end - start);

  // One of each kind, in a seeded order, on evenly spaced slots with jitter inside the slot.
  for (let i = kinds.length - 1; i > 0; i--) {
    const j = Math.floor(r() * (i + 1));
    [kinds[i], kinds[j]] = [kinds[j]!, kinds[i]!];
  }
  const slot = span / Math.max(1, kinds.length);
  const events: Omit<FaultEvent, 'seq'>[] = kinds.map((kind, i) => ({ atMs: Math.round(start + slot * (i + 0.15 + 0.7 * r())), kind, ...shape(kind, r) }));
  // The fault points are armed as the window opens, so that every one of them has the whole phase to fire.
  for (const e of events) if (e.kind === 'worker-crash-at-point') e.atMs = Math.round(start);

  const extra = Math.floor((o.durationMs / 60_000) * (o.extraPerMinute ?? 4));
  const allowedRandom = randomKinds.filter((k) => kinds.includes(k));
  for (let i = 0; i < extra && allowedRandom.length > 0; i++) {
    const kind = allowedRandom[Math.floor(r() * allowedRandom.length)]!;
    events.push({ atMs: Math.round(start + r() * span), kind, ...shape(kind, r) });
  }

  if (kinds.includes('temporal-restart')) {
    for (let i = 0; i < (o.extraTemporalRestarts ?? 0); i++) events.push({ atMs: Math.round(start + r() * span), kind: 'temporal-restart', ...shape('temporal-restart', r) });
  }

  events.sort((a, b) => a.atMs - b.atMs);
  // Infrastructure restarts at least infraGapMs apart (pushed later, never dropped).
  const gap = o.infraGapMs ?? 12_000;
  let lastInfra = -Infinity;
  for (const e of events) {
    if (!infraKinds.includes(e.kind)) continue;
    if (e.atMs < lastInfra + gap) e.atMs = lastInfra + gap;
    lastInfra = e.atMs + e.durationMs;
  }
  events.sort((a, b) => a.atMs - b.atMs);
  return events.map((e, seq) => ({ seq: seq + 1, ...e }));
}

/** The time by which every fault of the schedule has ended. */
export const scheduleEndMs = (events: readonly FaultEvent[]): number => events.reduce((m, e) => Math.max(m, e.atMs + e.durationMs), 0);
