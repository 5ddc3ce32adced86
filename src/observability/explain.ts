/**
 * `breakwater explain`: one screen that reconstructs a run — every step with its times, attempt, input and
 * output, cost — and calls out what a person looks for first: the gap between dependent steps (a verify
 * that queried 5 s after the submit, against a portal that needs 60 s), retries and their FIRST error,
 * breaker trips, budget pauses, escalations and who resolved them. Pure: history + rows in, text/JSON out.
 */
import type { EscalationState } from '../contracts/resolution';
import type { RunRecords } from '../store/runRecords';
import type { ActivityStep, Timeline, TimerStep } from './explainHistory';
import { BOOKKEEPING, findingsOf, type Finding } from './explainFindings';
import { actionsOf, type PersonAction } from './explainPeople';
import { fmtMs, summarize } from './explainFormat';
import type { HistoryCost } from './historyCost';
import { estimateStatements, renderStatementEstimate, type StatementEstimate } from './statementEstimate';
import { relatedRunsOf, renderRelated, type RelatedRuns } from './explainRelated';
import type { Incident } from './viewer/incidents';

export { fmtMs, summarize };

/** The rows explain reads, as src/store/runRecords.ts maps them. */
export type ExplainRecords = RunRecords;
export const noRecords = (): ExplainRecords => ({ llmCalls: [], fingerprints: [], breakerEvents: [], alerts: [], audit: [], attemptFailures: [], brokerCalls: [], escalations: [], toolCalls: [] });

export interface ExplainedStep {
  n: number;
  kind: 'activity' | 'timer';
  name: string;
  start: string;
  end?: string;
  /** Offsets from the run's start, in ms. */
  startOffsetMs: number;
  durationMs?: number;
  attempt?: number;
  outcome: string;
  input?: string;
  output?: string;
  costUsd?: number;
  /** Every failed attempt of this step, as the worker recorded it (the first one first). */
  failedAttempts?: { attempt: number; at: string; errorType: string; message: string }[];
  activityId?: string;
}

export interface Explanation {
  workflowId: string;
  runId?: string;
  workflowType: string;
  pipeline?: string;
  status: string;
  startedAt: string;
  closedAt?: string;
  durationMs?: number;
  costUsd?: number;
  link?: string;
  steps: ExplainedStep[];
  findings: Finding[];
  /** What people did, in full (who, what, from which value to which, why, accepted or refused). */
  actions: PersonAction[];
  /** Tool-using agents: each turn in order with the tool calls it asked for and what became of each. */
  agentTurns?: AgentTurn[];
  /**
   * What the run cost Temporal, from its stored history (issue 23). Postgres statements are not recorded per
   * run (a counter per run would itself cost a write): they are estimated from the run's activities × the
   * per-activity counts the accounting bench measured (./statementEstimate.ts).
   */
  historyCost?: HistoryCost & { statements: StatementEstimate };
  /** Hand-offs across runs: parent, children, continue-as-new, and the open incident the run waits in. */
  related?: RelatedRuns;
}

export interface AgentTurn {
  role: string;
  turn: number;
  /** `tools`: the model asked for tools; `final`: it answered. */
  answer: 'tools' | 'final';
  costUsd: number;
  calls: { tool: string; status: string; reason?: string; latencyMs?: number; resultBytes?: number; approvedBy?: string }[];
}

/** Turns from llm_calls (a `tool-calls` answer, then the final `ok`) of the roles that called tools, with their calls. */
function agentTurnsOf(r: ExplainRecords): AgentTurn[] {
  const roles = new Set(r.toolCalls.map((c) => c.role));
  const turns: AgentTurn[] = [];
  for (const role of roles) {
    const answers = r.llmCalls.filter((c) => c.role === role && (c.outcome === 'tool-calls' || c.outcome === 'ok' || c.outcome === 'cache-hit'));
    answers.forEach((a, i) => {
      // The first attempt of a tool call is the call; later attempts of the same one are retries (the runTool step shows them).
      const calls = r.toolCalls.filter((c) => c.role === role && c.turn === i + 1 && !(c.status === 'failed' && r.toolCalls.some((d) => d.activityId === c.activityId && d.attempt > c.attempt)));
      turns.push({
        role, turn: i + 1, answer: a.outcome === 'tool-calls' ? 'tools' : 'final', costUsd: a.costUsd,
        calls: calls.map((c) => ({ tool: c.tool, status: c.status, ...(c.reason ? { reason: c.reason } : {}), ...(c.latencyMs !== null ? { latencyMs: c.latencyMs } : {}), ...(c.resultBytes !== null ? { resultBytes: c.resultBytes } : {}), ...(c.approvedBy ? { approvedBy: c.approvedBy } : {}) })),
      });
    });
  }
  return turns;
}

export interface ExplainInput {
  workflowId: string;
  runId?: string;
  timeline: Timeline;
  records: ExplainRecords;
  link?: string;
  escalation?: EscalationState;
  historyCost?: HistoryCost;
  /** Open incidents (grouped escalations); the one holding this run becomes `related.incident`. */
  incidents?: Incident[];
}

const iso = (ms: number) => new Date(ms).toISOString();

function inputSummary(s: ActivityStep): string {
  const first = s.input[0] as Record<string, unknown> | undefined;
  if (s.name === 'callModel' && first) return `role=${String(first.role)} schema=${String(first.schema)}${Array.isArray(first.tools) ? ` tools=${first.tools.length}` : ''}`;
  if (s.name === 'runTool' && first) return `tool=${String(first.tool)} turn=${String(first.turn)} ${summarize(first.args, 50)}`;
  if (first && typeof first === 'object' && 'recordId' in first) return `record=${String(first.recordId)}${first.entityId ? `/${String(first.entityId)}` : ''}`;
  return summarize(s.input.length === 1 ? s.input[0] : s.input);
}

function outputSummary(s: ActivityStep): string {
  if (s.outcome !== 'completed') return s.failure ? `✗ ${summarize(s.failure, 80)}` : s.outcome;
  const r = s.result as Record<string, unknown> | undefined;
  if (r && typeof r === 'object') {
    if ('visible' in r) return `visible=${String(r.visible)} results=${String(r.resultCount)}${r.error ? ` error=${summarize(r.error, 40)}` : ''}`;
    if ('confirmation' in r && 'via' in r) return `confirmation=${String(r.confirmation)} via=${String(r.via)}`;
    if ('output' in r && 'usage' in r) return Array.isArray(r.toolCalls) && r.toolCalls.length ? `${r.toolCalls.length} tool call(s)` : summarize(r.output, 60);
    if ('output' in r && 'via' in r && 'resultBytes' in r) return `${String(r.via)} ${String(r.resultBytes)} B: ${summarize(r.output, 50)}`;
  }
  return summarize(s.result);
}

export function explainRun(o: ExplainInput): Explanation {
  const t = o.timeline;
  const costOf = (activityId: string) => o.records.llmCalls.filter((c) => c.activityId === activityId).reduce((a, c) => a + c.costUsd, 0);
  const steps = t.steps.filter((s) => s.kind === 'timer' || !BOOKKEEPING.has(s.name)).sort((a, b) => start(a) - start(b));
  const explained: ExplainedStep[] = steps.map((s, i) => {
    const begin = start(s);
    const end = s.endedAt;
    const base = { n: i + 1, kind: s.kind, name: s.name, start: iso(begin), startOffsetMs: begin - t.startedAt, outcome: s.outcome, ...(end ? { end: iso(end), durationMs: end - begin } : {}) };
    if (s.kind === 'timer') return { ...base, name: `sleep ${fmtMs(s.durationMs)}` };
    const cost = costOf(s.activityId);
    const failed = o.records.attemptFailures.filter((f) => f.activityId === s.activityId && f.activity === s.name).map((f) => ({ attempt: f.attempt, at: f.at, errorType: f.errorType, message: f.message }));
    return { ...base, activityId: s.activityId, attempt: s.attempt, input: inputSummary(s), output: outputSummary(s), ...(cost ? { costUsd: cost } : {}), ...(failed.length ? { failedAttempts: failed } : {}) };
  });
  const lastAttr = (key: string) => [...t.attributes].reverse().find((a) => a.key === key)?.value;
  const cost = lastAttr('BreakwaterCostUsd');
  const llmCost = o.records.llmCalls.reduce((a, c) => a + c.costUsd, 0);
  return {
    workflowId: o.workflowId,
    ...(o.runId ? { runId: o.runId } : {}),
    workflowType: t.workflowType,
    ...(lastAttr('BreakwaterPipeline') ? { pipeline: String(lastAttr('BreakwaterPipeline')) } : {}),
    status: `${t.close ?? 'running'}${lastAttr('BreakwaterStatus') ? ` (${String(lastAttr('BreakwaterStatus'))})` : ''}`,
    startedAt: iso(t.startedAt),
    ...(t.closedAt ? { closedAt: iso(t.closedAt), durationMs: t.closedAt - t.startedAt } : {}),
    ...(typeof cost === 'number' || llmCost ? { costUsd: typeof cost === 'number' ? cost : llmCost } : {}),
    ...(o.link ? { link: o.link } : {}),
    steps: explained,
    findings: findingsOf(o),
    actions: actionsOf(o),
    agentTurns: agentTurnsOf(o.records),
    ...(o.historyCost ? { historyCost: { ...o.historyCost, statements: estimateStatements(o.historyCost.activitiesByType) } } : {}),
    ...((related) => (related ? { related } : {}))(relatedRunsOf(t, o.workflowId, o.incidents)),
  };
}

const start = (s: ActivityStep | TimerStep) => (s.kind === 'activity' ? (s.startedAt ?? s.scheduledAt) : s.startedAt);

export function renderExplanation(e: Explanation): string {
  const lines: string[] = [];
  lines.push(`${e.workflowId}  ${e.pipeline ?? e.workflowType}  ${e.status}`);
  lines.push(`started ${e.startedAt}${e.closedAt ? `, closed ${e.closedAt} (${fmtMs(e.durationMs!)})` : ', still running'}${e.costUsd !== undefined ? `, cost ${e.costUsd.toFixed(6)} USD` : ''}`);
  const c = e.historyCost;
  if (c) lines.push(`history: ${c.events} events, ${c.activities} activities, ${c.timers} timers, ${c.searchAttributeUpserts} search-attribute upserts, ${c.payloadBytes} B of payloads; Postgres ${renderStatementEstimate(c.statements)}`);
  if (e.link) lines.push(e.link);
  lines.push('');
  const rows = [['#', 'at', 'step', 'took', 'try', 'outcome', 'input → output', 'cost']];
  for (const s of e.steps) {
    rows.push([
      String(s.n),
      `+${fmtMs(s.startOffsetMs)}`,
      s.name,
      s.durationMs === undefined ? '…' : fmtMs(s.durationMs),
      s.attempt === undefined ? '' : String(s.attempt),
      s.outcome,
      s.kind === 'timer' ? '' : `${s.input ?? ''} → ${s.output ?? ''}`,
      s.costUsd ? s.costUsd.toFixed(6) : '',
    ]);
  }
  const widths = rows[0]!.map((_, i) => Math.min(i === 6 ? 90 : 40, Math.max(...rows.map((r) => r[i]!.length))));
  for (const r of rows) lines.push(r.map((c, i) => (c.length > widths[i]! ? `${c.slice(0, widths[i]! - 1)}…` : c.padEnd(widths[i]!))).join('  ').trimEnd());
  lines.push('');
  if (e.agentTurns?.length) {
    lines.push('Agent turns and tool calls:');
    for (const t of e.agentTurns) {
      lines.push(`  ${t.role} turn ${t.turn}: ${t.answer === 'final' ? 'final answer' : `asked for ${t.calls.length} tool call(s)`}  ${t.costUsd.toFixed(6)} USD`);
      for (const c of t.calls) {
        const how = c.status === 'refused' ? `refused (${c.reason ?? '?'})` : `${c.status}${c.latencyMs !== undefined ? ` ${fmtMs(c.latencyMs)}` : ''}${c.resultBytes !== undefined ? ` ${c.resultBytes} B` : ''}${c.approvedBy ? `, approved by ${c.approvedBy}` : ''}`;
        lines.push(`    ${c.tool}  ${how}`);
      }
    }
    lines.push('');
  }
  lines.push(...renderRelated(e.related));
  if (e.actions.length) {
    lines.push('What people did:');
    for (const a of e.actions) lines.push(`  ${a.at}  ${a.who}  ${a.action}${a.accepted ? '' : ' (refused)'}: ${a.text}`);
    lines.push('');
  }
  if (e.findings.length === 0) lines.push('Nothing stands out: no retries, gaps, breaker trips, pauses or escalations.');
  else {
    lines.push('What to look at:');
    for (const f of e.findings) lines.push(`  ${f.severity === 'problem' ? '!' : '-'} ${f.message}`);
  }
  return lines.join('\n');
}
