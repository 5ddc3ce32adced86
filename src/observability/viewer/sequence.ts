/**
 * The sequence diagram of a run's agents, as SVG: a lifeline for the workflow (the orchestrator) and one per
 * agent role or external system it called, and an arrow for each hand-off in time order with what passed
 * (the schema asked for, the validated output's gist), its reply, and people's decisions. Pure.
 */
import { fmtMs, summarize } from '../explainFormat';
import { safe as esc } from './html'; // escaped and redacted: labels carry what systems and models wrote

export interface Message {
  at: number;
  from: string;
  to: string;
  label: string;
  failed?: boolean;
}

const COL = 170;
const ROW = 26;

export function renderSequence(messages: Message[], t0: number): string {
  const actors: string[] = [];
  for (const m of messages) for (const a of [m.from, m.to]) if (!actors.includes(a)) actors.push(a);
  if (!actors.length) return '<p class="muted">No hand-offs recorded.</p>';
  const cx = (a: string) => 80 + actors.indexOf(a) * COL;
  const height = 40 + messages.length * ROW + 20;
  const heads = actors.map((a) => `<g class="actor"><rect x="${cx(a) - 70}" y="4" width="140" height="22" fill="#eef" stroke="#99a"/><text x="${cx(a)}" y="19" text-anchor="middle">${esc(a.slice(0, 22))}</text><line x1="${cx(a)}" y1="26" x2="${cx(a)}" y2="${height}" stroke="#bbb" stroke-dasharray="4 3"/></g>`);
  const arrows = messages.map((m, i) => {
    const y = 44 + i * ROW;
    const [x1, x2] = [cx(m.from), cx(m.to)];
    const self = x1 === x2;
    const line = self ? `<path d="M${x1} ${y} h30 v8 h-30" fill="none" stroke="#555"/>` : `<line x1="${x1}" y1="${y}" x2="${x2 + (x2 > x1 ? -4 : 4)}" y2="${y}" stroke="${m.failed ? '#c00' : '#555'}" marker-end="url(#arrow)"/>`;
    return `<g class="message"${m.failed ? ' data-failed="true"' : ''}>${line}<text x="${Math.min(x1, x2) + 6}" y="${y - 4}">${esc(`+${fmtMs(m.at - t0)} ${summarize(m.label, 60)}`)}</text><title>${esc(m.label)}</title></g>`;
  });
  const width = 80 + actors.length * COL;
  return `<svg class="sequence" xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" role="img" aria-label="sequence diagram"><defs><marker id="arrow" markerWidth="8" markerHeight="8" refX="6" refY="3" orient="auto"><path d="M0,0 L6,3 L0,6 z" fill="#555"/></marker></defs>${heads.join('')}${arrows.join('')}</svg>`;
}
