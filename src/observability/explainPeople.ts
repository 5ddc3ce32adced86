/**
 * What people did to a run, in full: who, what, from which value to which, why, accepted or refused — from
 * the audit log (every decision is checked and recorded there), the run's own history (a budget raise's
 * Update returns the budget before and after) and the breaker clearings in its lifetime. Also how each
 * escalation ended, so a wait a breaker clear or a budget raise ended is never reported as unanswered. Pure.
 */
import type { ExplainInput } from './explain';
import { fmtMs } from './explainFormat';
import type { HumanEvent } from './explainHistory';

export interface PersonAction {
  at: string;
  who: string;
  /** e.g. `resolve:approve`, `budget:raise`, `breaker:clear`. */
  action: string;
  accepted: boolean;
  /** One line, never cut: the values and reasons as recorded. */
  text: string;
}

const usd = (n: unknown) => (typeof n === 'number' ? `${Number(n.toFixed(9))} USD` : '?');
const str = (v: unknown) => (typeof v === 'string' ? v : v === undefined || v === null ? '' : JSON.stringify(v));

/** The raise an accepted `raiseBudget` Update applied: the last raise in the budget it returned. */
function raiseOf(h: HumanEvent | undefined): { fromUsd: number; toUsd: number } | undefined {
  const raises = (h?.result as { raises?: { fromUsd: number; toUsd: number }[] } | undefined)?.raises;
  return raises?.at(-1);
}

export function actionsOf(o: ExplainInput): PersonAction[] {
  const out: PersonAction[] = [];
  const raises = o.timeline.humans.filter((h) => h.name === 'raiseBudget' && !h.rejected);
  for (const a of o.records.audit) {
    const d = a.detail;
    const reason = str(d.reason);
    let text: string;
    if (a.action === 'budget:raise') {
      const h = raises.find((r) => (r.args[0] as { by?: string } | undefined)?.by === a.actor && Math.abs(r.at - Date.parse(a.at)) < 60_000);
      const applied = raiseOf(h);
      const why = str((h?.args[0] as { reason?: string } | undefined)?.reason);
      text = applied ? `raised the LLM budget from ${usd(applied.fromUsd)} to ${usd(applied.toUsd)}` : `asked to raise the LLM budget to ${usd(d.toUsd)}`;
      if (why) text += ` — "${why}"`;
      if (!a.accepted) text += ` — refused: ${reason}`;
    } else if (a.action.startsWith('resolve')) {
      const decision = a.action.split(':')[1] ?? str(d.decision);
      text = `answered ${str(d.escalation) || 'the escalation'} with '${decision}'${str(d.reason) && a.accepted && !/allowlist|anyone named|^signed by/.test(reason) ? ` — "${reason}"` : ''}`;
      if (!a.accepted) text += ` — refused: ${reason}`;
    } else {
      text = `${a.action}${Object.keys(d).length ? ` ${JSON.stringify(d)}` : ''}`;
    }
    out.push({ at: a.at, who: a.actor, action: a.action, accepted: a.accepted, text });
  }
  // What people typed when they resolved (the audit row keeps the verdict's reason, the history the person's).
  for (const h of o.timeline.humans.filter((x) => x.name === 'resolve' && !x.rejected)) {
    const r = h.args[0] as { decision?: string; by?: string; reason?: string } | undefined;
    const match = out.find((x) => x.action === `resolve:${r?.decision}` && x.who === r?.by && Math.abs(Date.parse(x.at) - h.at) < 60_000);
    if (match && r?.reason && !match.text.includes(r.reason)) match.text += ` — "${r.reason}"`;
  }
  for (const ev of o.records.breakerEvents.filter((e) => e.kind === 'cleared')) {
    out.push({ at: ev.at, who: ev.actor ?? '?', action: 'breaker:clear', accepted: true, text: `cleared the breaker ${ev.pipeline}/${ev.step}${ev.detail.reason ? ` — "${str(ev.detail.reason)}"` : ''}${ev.detail.via ? ` (via ${str(ev.detail.via)})` : ''}` });
  }
  return out.sort((a, b) => a.at.localeCompare(b.at));
}

/** How an escalation that closed without a person's resolution ended, from what happened in its span. */
export function conditionEnding(o: ExplainInput, kind: string, from: number, to: number): string {
  const within = (at: number) => at >= from - 1000 && at <= to + 1000;
  if (kind === 'breaker-open') {
    const clear = o.records.breakerEvents.find((e) => e.kind === 'cleared' && within(Date.parse(e.at)));
    if (clear) {
      const at = Date.parse(clear.at);
      return `ended: breaker cleared by ${clear.actor ?? '?'} ${fmtMs(Math.max(0, at - from))} after it opened${clear.detail.reason ? ` ("${str(clear.detail.reason)}")` : ''}; the run resumed ${fmtMs(Math.max(0, to - at))} after the clear`;
    }
    return `ended: the breaker was found closed after ${fmtMs(to - from)}`;
  }
  if (/budget|cap/.test(kind)) {
    const raise = o.timeline.humans.find((h) => h.name === 'raiseBudget' && !h.rejected && !h.failed && within(h.at));
    const applied = raiseOf(raise);
    const by = (raise?.args[0] as { by?: string } | undefined)?.by;
    if (raise) return `ended: budget raised${applied ? ` from ${usd(applied.fromUsd)} to ${usd(applied.toUsd)}` : ''} by ${by ?? '?'} after ${fmtMs(raise.at - from)}`;
    return `ended: the budget covered the next call after ${fmtMs(to - from)} (raised, or a new day for the daily cap)`;
  }
  return `ended after ${fmtMs(to - from)}: the condition the run waited for came true`;
}
