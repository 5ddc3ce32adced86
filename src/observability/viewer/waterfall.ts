/**
 * The waterfall timeline of a run, as SVG: one row per step — activities with each attempt (failed
 * attempts in red, from the worker's record), LLM calls with tokens and cost, durable timers — and the
 * escalations as bands with how each ended. Offsets are from the run's start. Pure.
 */
import type { Explanation } from '../explain';
import { fmtMs } from '../explainFormat';
import { safe as esc } from './html'; // escaped and redacted: labels carry what systems and models wrote

const ROW = 18;
const LABEL = 260;
const WIDTH = 1100;

export interface WaterfallLlm {
  activityId: string | null;
  at: string;
  role: string;
  inputTokens: number;
  outputTokens: number;
  costUsd: number;
  outcome: string;
}

export function renderWaterfall(e: Explanation, llm: WaterfallLlm[]): string {
  const t0 = Date.parse(e.startedAt);
  const ends = e.steps.map((s) => (s.end ? Date.parse(s.end) : Date.now()));
  const total = Math.max(1, (e.closedAt ? Date.parse(e.closedAt) : Math.max(Date.now(), ...ends)) - t0);
  const x = (ms: number) => LABEL + Math.max(0, Math.min(1, ms / total)) * (WIDTH - LABEL - 10);
  const escalations = e.findings.filter((f) => f.kind === 'escalation' && f.data?.since);
  const rows: string[] = [];
  let y = 24;
  for (const s of e.steps) {
    const start = s.startOffsetMs;
    const end = s.durationMs === undefined ? total : start + s.durationMs;
    const calls = s.activityId ? llm.filter((c) => c.activityId === s.activityId) : [];
    const tokens = calls.reduce((a, c) => a + c.inputTokens + c.outputTokens, 0);
    const label = `${s.name}${s.attempt && s.attempt > 1 ? ` ×${s.attempt}` : ''}${tokens ? ` · ${tokens} tok` : ''}${s.costUsd ? ` · $${s.costUsd.toFixed(6)}` : ''}`;
    const cls = s.kind === 'timer' ? 'timer' : s.outcome === 'completed' ? 'ok' : s.outcome === 'running' ? 'running' : 'failed';
    const fill = { timer: '#ccd', ok: '#6a6', running: '#99c', failed: '#c44' }[cls];
    const w = Math.max(2, x(end) - x(start));
    const title = `${s.name} ${s.outcome} +${fmtMs(start)} took ${s.durationMs === undefined ? '…' : fmtMs(s.durationMs)}${s.input ? `\n${s.input} → ${s.output ?? ''}` : ''}`;
    rows.push(`<g class="step ${cls}" data-step="${s.n}"><text x="4" y="${y + 12}">${esc(label.slice(0, 44))}</text><rect x="${x(start)}" y="${y + 2}" width="${w}" height="${ROW - 5}" fill="${fill}"><title>${esc(title)}</title></rect>`);
    // Failed attempts before the last, as red ticks at the time each failed.
    for (const f of s.failedAttempts ?? []) {
      const at = Date.parse(f.at) - t0;
      rows.push(`<rect class="attempt failed" x="${x(at) - 2}" y="${y}" width="4" height="${ROW - 1}" fill="#c00"><title>${esc(`attempt ${f.attempt} failed at +${fmtMs(at)}: ${f.errorType} ${f.message}`)}</title></rect>`);
    }
    for (const c of calls) {
      const at = Date.parse(c.at) - t0;
      rows.push(`<circle class="llm-call" cx="${x(at)}" cy="${y + ROW / 2}" r="3" fill="${c.outcome === 'ok' || c.outcome === 'cache-hit' ? '#fff' : '#c00'}" stroke="#333"><title>${esc(`${c.role}: ${c.outcome}, ${c.inputTokens}+${c.outputTokens} tokens, $${c.costUsd.toFixed(6)}`)}</title></circle>`);
    }
    rows.push('</g>');
    y += ROW;
  }
  const bands = escalations.map((f) => {
    const a = Date.parse(String(f.data!.since)) - t0;
    const endText = /— (.*)$/.exec(f.message)?.[1] ?? '';
    const m = /after (\d+(?:\.\d+)?) (ms|s|min|h)/.exec(endText);
    const dur = m ? Number(m[1]) * { ms: 1, s: 1000, min: 60_000, h: 3_600_000 }[m[2] as 'ms'] : total - a;
    return `<g class="escalation"><rect x="${x(a)}" y="14" width="${Math.max(2, x(a + dur) - x(a))}" height="${y - 10}" fill="#f90" opacity="0.18"><title>${esc(f.message)}</title></rect><text x="${x(a) + 2}" y="12" fill="#a50">${esc(f.message.split(':')[0]!)} — ${esc(endText.slice(0, 60))}</text></g>`;
  });
  const axis = [0, 0.25, 0.5, 0.75, 1].map((p) => `<text x="${x(p * total)}" y="${y + 14}" class="muted">+${esc(fmtMs(p * total))}</text>`).join('');
  return `<svg class="waterfall" xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${y + 24}" role="img" aria-label="waterfall timeline">${bands.join('')}${rows.join('')}${axis}</svg>`;
}
