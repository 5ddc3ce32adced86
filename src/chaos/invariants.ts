/**
 * The invariants a chaos run must keep, checked against the sources of truth (Temporal, the portal's own
 * record, Postgres), and the figures it prints.
 *
 * - lost: a started run that neither completed nor waits AwaitingHuman with an open escalation (failed,
 *   terminated, timed out, not found). Must be 0.
 * - duplicate side effects: per fingerprint (record + entity + business date) more than one submission
 *   persisted at the portal (GET /_admin/submissions). Must be 0.
 * - stuck: still running after the settle time, with no open escalation on it or its children. Must be 0.
 * - budget overruns: Σ llm_calls.cost_usd of a workflow above the budget it was started with; the daily
 *   ledger above its cap, or not equal to Σ llm_calls of the day. Must be 0.
 * - auto-recovered share: of the runs a transient fault demonstrably reached (observe.ts `faultEvidence`)
 *   and that were not built to ask a person anyway, the share that completed with the right result and no
 *   human. Target ≥ 95 %.
 */
import type { PortalSubmissionRecord } from '../simulators/portal';
import type { Db } from '../store/db';
import type { AppliedFault } from './injector';
import type { RunState } from './observe';
import { INGEST_SOURCES, SHARED_KEY, SKUS_PER_RUN, pipelineKinds, type PipelineKind, type PlannedRun } from './pipelines';

export interface RunReport {
  run: PlannedRun;
  state: RunState;
  evidence: string[];
  /** Why a completed run's result is not the right one. */
  wrong?: string;
  /** Open while at least one fault was active. */
  exposed: boolean;
}

export interface KindRow {
  kind: PipelineKind;
  runs: number;
  completed: number;
  escalatedAsDesigned: number;
  escalatedOther: number;
  stuck: number;
  lost: number;
  hit: number;
  recovered: number;
}

export interface ChaosFigures {
  runs: number;
  lost: number;
  duplicateSubmissions: number;
  stuck: number;
  budgetOverruns: number;
  completedWithoutHuman: number;
  wrongResults: number;
  escalated: number;
  escalatedWithContext: number;
  escalationsNotMarked: number;
  escalatedAsDesigned: number;
  escalationKinds: Record<string, number>;
  exposed: number;
  hitByTransientFault: number;
  autoRecovered: number;
  /** autoRecovered / hitByTransientFault; null when no fault reached any run. */
  autoRecoveredShare: number | null;
  notRecovered: string[];
  sharedCounter: { expected: number; actual: number };
  dailyLedger: { day: string; spentUsd: number; reservedUsd: number; capUsd: number; callsUsd: number }[];
  overruns: string[];
  llm: { calls: number; troubled: number; spentUsd: number };
  portal: { postAttempts: number; persisted: number; injectedErrors: number; responsesLost: number; rateLimited: number };
  perKind: KindRow[];
}

export interface CheckInput {
  db: Db;
  seed: number;
  dailyCapUsd: number;
  runs: PlannedRun[];
  states: Map<string, RunState>;
  evidence: Map<string, string[]>;
  faults: AppliedFault[];
  runStartedAt: number;
  portal: { submissions: PortalSubmissionRecord[]; stats: { postAttempts: number; persisted: number; injectedErrors: number; responsesLost: number; rateLimited: number } };
}

async function wrongResult(db: Db, run: PlannedRun, result: unknown, submissions: PortalSubmissionRecord[]): Promise<string | undefined> {
  const r = result as Record<string, unknown> & { status?: string };
  switch (run.kind) {
    case 'submitAndVerify': {
      const held = submissions.filter((s) => s.recordId === run.input.recordId);
      if (r.status !== 'VERIFIED') return `status ${r.status}`;
      return held.length === 1 && held[0]!.confirmation === r.confirmation ? undefined : `portal holds ${held.map((s) => s.confirmation).join(',')} for confirmation ${String(r.confirmation)}`;
    }
    case 'agentDecision': {
      const { rows } = await db.query('SELECT 1 FROM agent_decisions WHERE workflow_id = $1', [run.workflowId]);
      return r.status === 'completed' && rows.length === 1 ? undefined : `status ${r.status}, ${rows.length} decision row(s)`;
    }
    case 'planExecuteReview':
      return r.status === 'completed' && (r.records as unknown[]).length === 3 ? undefined : `status ${r.status}`;
    case 'supervisor':
      return r.status === 'completed' && (r.results as unknown[]).length === 2 ? undefined : `status ${r.status}`;
    case 'parallelIngest': {
      const ids = (r.records as { id: string }[]).map((x) => x.id).join(',');
      const want = [...new Set(Object.values(INGEST_SOURCES).flat().map((x) => x.id))].sort().join(',');
      return r.status === 'completed' && ids === want ? undefined : `status ${r.status}, records ${ids}`;
    }
    case 'enrichCatalog':
      return (r.enriched as unknown[]).length === SKUS_PER_RUN ? undefined : `${(r.enriched as unknown[]).length} of ${SKUS_PER_RUN} enriched`;
    case 'applySharedChange':
      return typeof r.version === 'number' ? undefined : 'no version';
    case 'requestApproval':
      return 'completed without the person it exists for';
  }
}

async function budgets(db: Db, runs: PlannedRun[], dailyCapUsd: number) {
  const { rows } = await db.query<{ workflow_id: string | null; spent: string }>('SELECT workflow_id, sum(cost_usd)::text AS spent FROM llm_calls GROUP BY workflow_id');
  const overruns: string[] = [];
  for (const row of rows) {
    const spent = Number(row.spent);
    const own = runs.find((r) => r.workflowId === row.workflow_id);
    const parent = runs.find((r) => row.workflow_id?.startsWith(`${r.workflowId}/`));
    const budget = own?.budgetUsd ?? parent?.childBudgetUsd;
    if (budget === undefined) overruns.push(`${row.workflow_id}: ${spent} USD spent by a workflow with no known budget`);
    else if (spent > budget) overruns.push(`${row.workflow_id}: ${spent} USD > budget ${budget} USD`);
  }
  const ledger = await db.query<{ day: string; spent: string; reserved: string; cap: string }>(
    'SELECT day::text, spent_usd::text AS spent, reserved_usd::text AS reserved, COALESCE(cap_usd, $1::numeric)::text AS cap FROM llm_daily_spend ORDER BY day',
    [dailyCapUsd],
  );
  const calls = await db.query<{ day: string; usd: string }>("SELECT (at AT TIME ZONE 'UTC')::date::text AS day, sum(cost_usd)::text AS usd FROM llm_calls GROUP BY 1");
  const dailyLedger = ledger.rows.map((l) => ({ day: l.day, spentUsd: Number(l.spent), reservedUsd: Number(l.reserved), capUsd: Number(l.cap), callsUsd: Number(calls.rows.find((c) => c.day === l.day)?.usd ?? 0) }));
  for (const l of dailyLedger) {
    if (l.spentUsd > l.capUsd) overruns.push(`daily ledger ${l.day}: ${l.spentUsd} USD > cap ${l.capUsd} USD`);
    if (Math.abs(l.spentUsd - l.callsUsd) > 1e-9) overruns.push(`daily ledger ${l.day}: ledger ${l.spentUsd} USD ≠ Σ llm_calls ${l.callsUsd} USD`);
  }
  const totals = await db.query<{ calls: number; troubled: number; spent: string }>(
    "SELECT count(*)::int AS calls, count(*) FILTER (WHERE outcome NOT IN ('ok', 'cache-hit'))::int AS troubled, COALESCE(sum(cost_usd), 0)::text AS spent FROM llm_calls",
  );
  const t = totals.rows[0]!;
  return { overruns, dailyLedger, llm: { calls: t.calls, troubled: t.troubled, spentUsd: Number(t.spent) } };
}

export async function checkInvariants(c: CheckInput): Promise<{ reports: RunReport[]; figures: ChaosFigures }> {
  const windows = c.faults.map((f) => [c.runStartedAt + f.startedMs, c.runStartedAt + Math.max(f.endedMs, f.startedMs + 1000)] as const);
  const reports: RunReport[] = [];
  for (const run of c.runs) {
    const state = c.states.get(run.workflowId)!;
    const wrong = state.outcome === 'completed' ? await wrongResult(c.db, run, state.result, c.portal.submissions) : undefined;
    const [from, to] = [state.startMs ?? 0, state.closeMs ?? Date.now()];
    reports.push({ run, state, wrong, evidence: c.evidence.get(run.workflowId) ?? [], exposed: windows.some(([a, b]) => a <= to && b >= from) });
  }

  const byFingerprint = new Map<string, number>();
  for (const s of c.portal.submissions) byFingerprint.set(`${s.recordId}|${s.entityId}`, (byFingerprint.get(`${s.recordId}|${s.entityId}`) ?? 0) + 1);
  const duplicateSubmissions = [...byFingerprint.values()].reduce((n, k) => n + Math.max(0, k - 1), 0);

  const asDesigned = (r: RunReport) => r.state.outcome === 'escalated' && r.state.escalation?.kind === r.run.designedEscalation;
  const escalated = reports.filter((r) => r.state.outcome === 'escalated');
  const hit = reports.filter((r) => r.evidence.length > 0 && !asDesigned(r));
  const recovered = hit.filter((r) => r.state.outcome === 'completed' && !r.wrong);
  const kinds: Record<string, number> = {};
  for (const r of escalated) kinds[r.state.escalation!.kind] = (kinds[r.state.escalation!.kind] ?? 0) + 1;

  const { rows } = await c.db.query<{ count: string | null }>("SELECT data->>'count' AS count FROM shared_objects WHERE key = $1", [SHARED_KEY(c.seed)]);
  const sharedCounter = { expected: reports.filter((r) => r.run.kind === 'applySharedChange' && r.state.outcome === 'completed').length, actual: Number(rows[0]?.count ?? 0) };
  const money = await budgets(c.db, c.runs, c.dailyCapUsd);

  const perKind: KindRow[] = pipelineKinds.map((kind) => {
    const of = reports.filter((r) => r.run.kind === kind);
    const hitOf = hit.filter((r) => r.run.kind === kind);
    return {
      kind,
      runs: of.length,
      completed: of.filter((r) => r.state.outcome === 'completed').length,
      escalatedAsDesigned: of.filter(asDesigned).length,
      escalatedOther: of.filter((r) => r.state.outcome === 'escalated' && !asDesigned(r)).length,
      stuck: of.filter((r) => r.state.outcome === 'stuck').length,
      lost: of.filter((r) => r.state.outcome === 'lost').length,
      hit: hitOf.length,
      recovered: hitOf.filter((r) => recovered.includes(r)).length,
    };
  });

  const figures: ChaosFigures = {
    runs: reports.length,
    lost: reports.filter((r) => r.state.outcome === 'lost').length,
    duplicateSubmissions,
    stuck: reports.filter((r) => r.state.outcome === 'stuck').length,
    budgetOverruns: money.overruns.length,
    completedWithoutHuman: reports.filter((r) => r.state.outcome === 'completed' && !r.wrong).length,
    wrongResults: reports.filter((r) => r.wrong).length,
    escalated: escalated.length,
    escalatedWithContext: escalated.filter((r) => r.state.escalation!.withContext).length,
    escalationsNotMarked: escalated.filter((r) => !r.state.escalation!.marked).length,
    escalatedAsDesigned: reports.filter(asDesigned).length,
    escalationKinds: kinds,
    exposed: reports.filter((r) => r.exposed).length,
    hitByTransientFault: hit.length,
    autoRecovered: recovered.length,
    autoRecoveredShare: hit.length ? recovered.length / hit.length : null,
    notRecovered: hit.filter((r) => !recovered.includes(r)).map((r) => `${r.run.workflowId}: ${r.state.outcome}${r.state.escalation ? ` (${r.state.escalation.kind}: ${r.state.escalation.reason.slice(0, 160)})` : ''}${r.wrong ? ` (wrong result: ${r.wrong})` : ''} — ${r.state.status}; evidence: ${r.evidence.slice(0, 3).join('; ')}`),
    sharedCounter,
    dailyLedger: money.dailyLedger,
    overruns: money.overruns,
    llm: money.llm,
    portal: c.portal.stats,
    perKind,
  };
  return { reports, figures };
}

/** The invariants that must hold; the list of those that do not (empty = pass). */
export function violations(f: ChaosFigures): string[] {
  const v: string[] = [];
  if (f.lost) v.push(`${f.lost} run(s) lost`);
  if (f.duplicateSubmissions) v.push(`${f.duplicateSubmissions} duplicate submission(s) at the portal`);
  if (f.stuck) v.push(`${f.stuck} run(s) stuck without an escalation`);
  if (f.budgetOverruns) v.push(`${f.budgetOverruns} budget overrun(s): ${f.overruns.join('; ')}`);
  if (f.wrongResults) v.push(`${f.wrongResults} run(s) completed with a wrong result`);
  if (f.escalated !== f.escalatedWithContext) v.push(`${f.escalated - f.escalatedWithContext} escalation(s) without context`);
  if (f.escalationsNotMarked) v.push(`${f.escalationsNotMarked} escalation(s) not marked AwaitingHuman`);
  if (f.sharedCounter.expected !== f.sharedCounter.actual) v.push(`shared counter ${f.sharedCounter.actual} ≠ ${f.sharedCounter.expected} accepted changes`);
  return v;
}
