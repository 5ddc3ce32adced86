/**
 * What `breakwater explain` calls out, in the order a person reads a run: the verification gap against the
 * portal's lag, other gaps between steps, retries with their first error, breaker trips and clearings,
 * budget pauses, escalations and who resolved them, slow steps, the outcome. Pure.
 */
import type { ExplainInput } from './explain';
import { fmtMs, summarize } from './explainFormat';
import type { ActivityStep } from './explainHistory';
import { conditionEnding } from './explainPeople';

/** Breakwater's own bookkeeping activities: recorded, but not steps of the pipeline a person reads. */
export const BOOKKEEPING = new Set(['recordEscalationOpened', 'recordEscalationClosed']);

export interface Finding {
  kind: 'verify-gap' | 'portal-lag' | 'gap' | 'queued' | 'retry' | 'failure' | 'breaker' | 'budget' | 'escalation' | 'slow' | 'broker-wait' | 'alert' | 'outcome';
  severity: 'problem' | 'info';
  at?: string;
  message: string;
  data?: Record<string, unknown>;
}

const iso = (ms: number) => new Date(ms).toISOString();
const SLOW_MS = 30_000;
// The effect primitive's activities (performEffectOnce, observeEffect), and look-alike names of users' own.
const isVerify = (name: string) => /verif|visib|check|observe/i.test(name);
const isSubmit = (name: string) => /submit|post|perform/i.test(name) && !isVerify(name);

interface Observation {
  at: string;
  visible: boolean;
  resultCount: number;
}

export function findingsOf(o: ExplainInput): Finding[] {
  const t = o.timeline;
  const out: Finding[] = [];
  const acts = t.steps.filter((s): s is ActivityStep => s.kind === 'activity' && !BOOKKEEPING.has(s.name)).sort((a, b) => a.scheduledAt - b.scheduledAt);

  // 1. Submit → first verification, against the portal's observed lag.
  const submit = acts.find((s) => isSubmit(s.name) && s.outcome === 'completed');
  if (submit?.endedAt) {
    const looks = acts.filter((s) => isVerify(s.name) && s.scheduledAt >= submit.endedAt! && s.outcome === 'completed');
    const first = looks[0];
    const received = Date.parse(String((submit.result as { portalReceivedAt?: string } | undefined)?.portalReceivedAt ?? o.records.fingerprints[0]?.portalReceivedAt ?? ''));
    if (first?.startedAt !== undefined) {
      const gap = first.startedAt - submit.endedAt;
      const seen = first.result as Observation | undefined;
      const obs = looks.map((l) => l.result as Observation | undefined).filter((x): x is Observation => !!x && typeof x.visible === 'boolean');
      const firstVisible = obs.find((x) => x.visible);
      const lastBlind = [...obs].reverse().find((x) => !x.visible && (!firstVisible || Date.parse(x.at) < Date.parse(firstVisible.at)));
      const lagMs = firstVisible && Number.isFinite(received) ? Date.parse(firstVisible.at) - received : undefined;
      const blindMs = lastBlind && Number.isFinite(received) ? Date.parse(lastBlind.at) - received : undefined;
      const tooEarly = seen && !seen.visible;
      out.push({
        kind: 'verify-gap',
        severity: tooEarly ? 'problem' : 'info',
        at: iso(first.startedAt),
        message:
          `${first.name} queried the portal ${fmtMs(gap)} after ${submit.name} completed` +
          (seen ? ` and ${seen.visible ? 'saw the record' : `saw ${seen.resultCount} results (not visible yet)`}` : '') +
          (tooEarly && lagMs !== undefined ? `: the first look came before the portal's lag (${blindMs !== undefined ? `${fmtMs(blindMs)}–` : '≤ '}${fmtMs(lagMs)}) had passed` : ''),
        data: { gapMs: gap, submitEndedAt: iso(submit.endedAt), firstVerifyAt: iso(first.startedAt), looks: obs.length },
      });
      if (lagMs !== undefined) {
        out.push({
          kind: 'portal-lag',
          severity: 'info',
          at: firstVisible!.at,
          message: `portal lag: the record was first seen ${fmtMs(lagMs)} after the portal received it${blindMs !== undefined ? ` and was still absent at ${fmtMs(blindMs)}: the lag is ${fmtMs(blindMs)}–${fmtMs(lagMs)}` : ''}; ${obs.length} verification look(s) in all`,
          data: { lagMs, ...(blindMs !== undefined ? { lowerBoundMs: blindMs } : {}), portalReceivedAt: iso(received) },
        });
      } else if (obs.length && !firstVisible) {
        out.push({ kind: 'portal-lag', severity: 'problem', message: `portal lag: the record was never visible in ${obs.length} look(s), the last ${Number.isFinite(received) ? `${fmtMs(Date.parse(obs.at(-1)!.at) - received)} after the portal received it` : `at ${obs.at(-1)!.at}`}` });
      }
    }
  }

  // 2. Gaps between consecutive steps, and what filled them.
  const awaiting = spans(t.attributes.filter((a) => a.key === 'BreakwaterStatus'), (v) => v === 'AwaitingHuman', t.closedAt);
  const exhausted = spans(t.attributes.filter((x) => x.key === 'BreakwaterBudgetState'), (v) => v === 'exhausted', t.closedAt);
  // The kind of a wait recorded before run_escalations existed, from what happened around it.
  const guessKind = (a: number, b: number): string =>
    exhausted.some(([x, y]) => x < b && y > a - 1000)
      ? 'budget-exhausted'
      : o.records.breakerEvents.some((e) => e.kind === 'opened' && Date.parse(e.at) <= a + 1000)
        ? 'breaker-open'
        : 'escalation';
  /** How the wait for a person that began at `a` ended, in words (undefined while it lasts). */
  const endingOf = (a: number): string | undefined => {
    const rec = o.records.escalations.find((x) => Math.abs(Date.parse(x.openedAt) - a) < 2000);
    const b = rec ? (rec.closedAt ? Date.parse(rec.closedAt) : Number.POSITIVE_INFINITY) : (awaiting.find(([x]) => x === a)?.[1] ?? Number.POSITIVE_INFINITY);
    if (!Number.isFinite(b)) return undefined;
    const answer = rec?.decision
      ? { decision: rec.decision, by: rec.decidedBy }
      : (t.humans.find((h) => h.name === 'resolve' && !h.rejected && h.at >= a - 10 && h.at <= b + 10)?.args[0] as { decision?: string; by?: string } | undefined);
    if (answer?.decision) return `${rec?.kind ?? guessKind(a, b)} resolved '${answer.decision}' by ${answer.by ?? '?'} after ${fmtMs(b - a)}`;
    return `${rec?.kind ?? guessKind(a, b)} ${conditionEnding(o, rec?.kind ?? guessKind(a, b), a, b)}`;
  };
  for (let i = 1; i < acts.length; i++) {
    const prev = acts[i - 1]!;
    const next = acts[i]!;
    if (prev.endedAt === undefined) continue;
    if (next.startedAt !== undefined && next.startedAt - next.scheduledAt >= 5000) {
      out.push({ kind: 'queued', severity: 'problem', at: iso(next.scheduledAt), message: `${next.name} waited ${fmtMs(next.startedAt - next.scheduledAt)} for a worker to pick it up (no worker polling, or a backlog?)` });
    }
    const gap = next.scheduledAt - prev.endedAt;
    if (gap < 1000 || (isSubmit(prev.name) && isVerify(next.name))) continue;
    const human = awaiting.find(([a, b]) => a < next.scheduledAt && b > prev.endedAt!);
    const timer = t.steps.find((s) => s.kind === 'timer' && s.startedAt >= prev.endedAt! - 50 && s.startedAt <= next.scheduledAt);
    if (!human && timer && gap <= (timer as { durationMs: number }).durationMs + 1500) continue; // a wait by design
    const ending = human ? endingOf(human[0]) : undefined;
    const why = human ? (ending ? `waiting on an escalation (${ending})` : 'waiting for a person') : timer ? `a durable timer of ${fmtMs((timer as { durationMs: number }).durationMs)}` : 'no timer and no escalation (worker down, or a slow workflow task?)';
    out.push({ kind: 'gap', severity: human || timer ? 'info' : 'problem', at: iso(prev.endedAt), message: `${fmtMs(gap)} between ${prev.name} and ${next.name}: ${why}` });
  }

  // 3. Retries and their first error: activity_failures keeps every failed attempt (llm_calls every model
  //    call); the history keeps only the last failure and the one before it.
  for (const s of acts) {
    const calls = o.records.llmCalls.filter((c) => c.activityId === s.activityId && c.error);
    const failed = o.records.attemptFailures.filter((f) => f.activityId === s.activityId && f.activity === s.name);
    const firstRecorded = calls[0];
    const firstFailed = failed[0];
    if (s.attempt <= 1 && s.outcome !== 'failed' && !calls.length && !failed.length) continue;
    // A step that failed at its first attempt has no earlier error to name.
    const onlyFailure = s.outcome !== 'completed' && s.attempt <= 1 && failed.length <= 1;
    const first = onlyFailure
      ? undefined
      : firstFailed
      ? `${firstFailed.message} [${firstFailed.errorType}] (attempt ${firstFailed.attempt}, ${firstFailed.at})`
      : firstRecorded
        ? `${firstRecorded.error} (attempt ${firstRecorded.attempt}, ${firstRecorded.at})`
        : s.previousFailure;
    const all = failed.length > 1 ? `; failed attempts: ${failed.map((f) => `#${f.attempt} ${f.errorType}`).join(', ')}` : '';
    const ended = s.outcome === 'completed' ? `succeeded at attempt ${s.attempt}` : `${s.outcome} at attempt ${s.attempt}${s.failureType ? ` [${s.failureType}]` : ''}: ${summarize(s.failure, 160)}`;
    out.push({
      kind: s.outcome === 'completed' ? 'retry' : 'failure',
      severity: s.outcome === 'completed' ? 'info' : 'problem',
      at: iso(s.scheduledAt),
      message: `${s.name} ${ended}${first ? `; first error: ${summarize(first, 200)}` : ''}${all}`,
      ...(firstFailed ? { data: { firstError: firstFailed, failedAttempts: failed.length } } : {}),
    });
  }

  // 4. Breaker trips (with the FIRST failure) and who cleared them.
  for (const ev of o.records.breakerEvents) {
    if (ev.kind === 'opened') {
      const first = (ev.detail.firstFailure ?? ev.detail.first_failure) as { error?: string; at?: string; attempt?: number } | undefined;
      const firstFailure = first ?? (o.records.breakerEvents.find((f) => f.kind === 'failure' && f.pipeline === ev.pipeline && f.step === ev.step)?.detail as { error?: string; at?: string; attempt?: number } | undefined);
      out.push({
        kind: 'breaker',
        severity: 'problem',
        at: ev.at,
        message: `breaker ${ev.pipeline}/${ev.step} opened at ${ev.at}${firstFailure?.error ? `; first failure: ${summarize(firstFailure.error, 160)} at ${firstFailure.at ?? '?'}${firstFailure.attempt ? ` (attempt ${firstFailure.attempt})` : ''}` : ''}`,
        data: { pipeline: ev.pipeline, step: ev.step, ...(firstFailure ? { firstFailure } : {}) },
      });
    } else if (ev.kind === 'cleared') {
      out.push({ kind: 'breaker', severity: 'info', at: ev.at, message: `breaker ${ev.pipeline}/${ev.step} cleared by ${ev.actor ?? '?'} at ${ev.at}${ev.detail.reason ? ` (${String(ev.detail.reason)})` : ''}` });
    } else if (ev.kind === 'reopened') {
      out.push({ kind: 'breaker', severity: 'problem', at: ev.at, message: `breaker ${ev.pipeline}/${ev.step} re-opened at ${ev.at}: its half-open probe failed` });
    }
  }

  // 5. Budget pauses.
  for (const [a, b] of exhausted) {
    out.push({ kind: 'budget', severity: 'problem', at: iso(a), message: `budget exhausted at ${iso(a)}: paused ${Number.isFinite(b) ? fmtMs(b - a) : 'and still paused'}` });
  }

  // 6. Escalations and who resolved them.
  const resolves = t.humans.filter((h) => h.name === 'resolve' && !h.rejected);
  const known = o.escalation ? [...o.escalation.resolved.map((r) => ({ e: r.escalation, r: r.resolution, at: r.at })), ...(o.escalation.open ? [{ e: o.escalation.open, r: undefined, at: undefined }] : [])] : [];
  const recorded = o.records.escalations;
  for (const e of recorded) {
    const a = Date.parse(e.openedAt);
    const b = e.closedAt ? Date.parse(e.closedAt) : Number.POSITIVE_INFINITY;
    const outcome = !e.closedAt
      ? `waiting for a person since ${e.openedAt}`
      : e.ended === 'resolved'
        ? `resolved '${e.decision}' by ${e.decidedBy}${e.reasonGiven ? ` (${e.reasonGiven})` : ''} after ${fmtMs(b - a)}`
        : e.ended === 'timeout'
          ? `timed out after ${fmtMs(b - a)} with no answer`
          : conditionEnding(o, e.kind, a, b);
    const res = e.decision ? { decision: e.decision, by: e.decidedBy, ...(e.reasonGiven ? { reason: e.reasonGiven } : {}) } : undefined;
    out.push({ kind: 'escalation', severity: e.closedAt ? 'info' : 'problem', at: e.openedAt, message: `${e.kind}: ${e.reason} — ${outcome}`, data: { id: e.escalation, since: e.openedAt, ended: e.ended ?? 'open', ...(res ? { resolution: res } : {}), ...(e.details?.firstFailure ? { firstFailure: e.details.firstFailure } : {}) } });
  }
  // Runs recorded before the gate wrote run_escalations: read the spans of AwaitingHuman instead.
  for (const [i, [a, b]] of (recorded.length ? [] : awaiting).entries()) {
    // The gate's record, in order; by time when some are missing (e.g. continued-as-new runs).
    const esc = (known.length === awaiting.length ? known[i] : known.find((k) => Math.abs(Date.parse(k.e.since) - a) < 10_000))?.e;
    const answer = resolves.find((h) => h.at >= a - 10 && h.at <= b + 10);
    const res = answer?.args[0] as { decision?: string; by?: string; reason?: string } | undefined;
    const what = esc ? `${esc.kind}: ${esc.reason}` : `escalated (${guessKind(a, b)})`;
    const outcome = Number.isFinite(b)
      ? res
        ? `resolved '${res.decision}' by ${res.by}${res.reason ? ` (${res.reason})` : ''} after ${fmtMs(b - a)}`
        : conditionEnding(o, esc?.kind ?? guessKind(a, b), a, b)
      : `waiting for a person since ${iso(a)}`;
    out.push({ kind: 'escalation', severity: Number.isFinite(b) ? 'info' : 'problem', at: iso(a), message: `${what} — ${outcome}`, data: { since: iso(a), ...(res ? { resolution: res } : {}), ...(esc?.firstFailure ? { firstFailure: esc.firstFailure } : {}) } });
  }
  for (const h of t.humans.filter((x) => x.rejected)) out.push({ kind: 'escalation', severity: 'info', at: iso(h.at), message: `a '${h.name}' Update was refused: ${summarize(h.rejected, 120)}` });

  // 7. Slow steps (less the time the rate-limit broker queued them on purpose), alerts, outcome.
  const brokered = new Map<string, { api: string; n: number; maxMs: number; sumMs: number }>();
  for (const s of acts) {
    if (s.startedAt === undefined || s.endedAt === undefined) continue;
    const took = s.endedAt - s.startedAt;
    const tickets = o.records.brokerCalls.filter((b) => b.activityId === s.activityId && (b.attempt === null || b.attempt === s.attempt));
    const queued = tickets.reduce((m, b) => m + b.queuedMs, 0);
    if (queued >= 1000) {
      const w = brokered.get(s.name) ?? { api: tickets[0]!.api, n: 0, maxMs: 0, sumMs: 0 };
      brokered.set(s.name, { ...w, n: w.n + 1, maxMs: Math.max(w.maxMs, queued), sumMs: w.sumMs + queued });
    }
    if (took - queued > SLOW_MS) out.push({ kind: 'slow', severity: 'problem', at: iso(s.startedAt), message: `${s.name} took ${fmtMs(took)}${queued ? ` (${fmtMs(queued)} of it queued by the broker)` : ''} (over ${SLOW_MS / 1000} s of work: stuck, or looping?)` });
  }
  for (const [name, w] of brokered) {
    out.push({ kind: 'broker-wait', severity: 'info', message: `broker queue time: ${w.n} ${name} call(s) waited for a slot under the '${w.api}' API's rate limit, up to ${fmtMs(w.maxMs)} each (${fmtMs(w.sumMs)} in all) — by design, not stuck`, data: { api: w.api, calls: w.n, maxQueuedMs: w.maxMs, totalQueuedMs: w.sumMs } });
  }
  for (const a of o.records.alerts.filter((x) => !x.suppressed)) out.push({ kind: 'alert', severity: 'info', at: a.at, message: `alert sent: ${a.title}` });
  const r = t.result as { status?: string; reason?: string } | undefined;
  if (t.close === 'failed' || t.close === 'terminated' || t.close === 'timed-out') out.push({ kind: 'outcome', severity: 'problem', message: `run ${t.close}: ${summarize(t.failure, 240)}` });
  else if (r?.status && r.status !== 'VERIFIED' && r.status !== 'completed') out.push({ kind: 'outcome', severity: 'problem', message: `result ${r.status}${r.reason ? ` (${r.reason})` : ''}` });
  return out;
}

/** [start, end) intervals during which an attribute satisfied `when` (end = Infinity while still so). */
function spans(changes: { at: number; value: unknown }[], when: (v: unknown) => boolean, closedAt?: number): [number, number][] {
  const out: [number, number][] = [];
  let open: number | undefined;
  for (const c of changes) {
    if (when(c.value) && open === undefined) open = c.at;
    else if (!when(c.value) && open !== undefined) {
      out.push([open, c.at]);
      open = undefined;
    }
  }
  if (open !== undefined) out.push([open, closedAt ?? Number.POSITIVE_INFINITY]);
  return out;
}
