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
import { effectKey } from '../contracts/effect';
import { PORTAL_EFFECT_NAME as PORTAL_SUBMIT_EFFECT } from '../pipelines/submitAndVerify/contract';
import type { PortalSubmissionRecord } from '../simulators/portal';
import type { Db } from '../store/db';
import type { AppliedFault } from './injector';
import type { RunState } from './observe';
import { INGEST_SOURCES, SHARED_KEY, SKUS_PER_RUN, pipelineKinds, type PipelineKind, type PlannedRun } from './pipelines';
import { crashPoints } from './schedule';
import { wilsonLowerBound } from './wilson';

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
  /** The share's 95 % Wilson lower bound. */
  autoRecoveredLowerBound: number | null;
  /** submitAndVerify runs VERIFIED with a confirmation that is not their own fingerprint's, or with a payload other than sent. */
  wrongVerified: number;
  /** Stale resolutions (naming an escalation that is not the open one) sent, and how many a run applied. */
  stale: { sent: number; applied: number; details: string[] };
  /** Alerts recorded in the outbox that never reached the channel; alerts delivered; still pending. */
  alerts: { recorded: number; delivered: number; pending: number; lost: number; refusedByChannel: number };
  /** Named fault points that never fired (each must, at least once). */
  unfiredPoints: string[];
  crashedAt: Record<string, number>;
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
  stale: ChaosFigures['stale'];
  /** Alert ids the channel accepted (with repeats), and how many POSTs it refused. */
  alertChannel: { received: Map<number, number>; refused: number };
  crashedAt: Record<string, number>;
}

/** The validated model outputs of a workflow's calls to one schema, oldest first (what the agent really said). */
async function validatedOutputs(db: Db, workflowId: string, schemaName: string): Promise<Record<string, unknown>[]> {
  const { rows } = await db.query<{ out: Record<string, unknown> }>(
    "SELECT response_output AS out FROM llm_calls WHERE workflow_id = $1 AND schema_name = $2 AND outcome IN ('ok', 'cache-hit') AND response_output IS NOT NULL ORDER BY id",
    [workflowId, schemaName],
  );
  return rows.map((r) => r.out);
}

const sameJson = (a: unknown, b: unknown): boolean => JSON.stringify(sortKeys(a)) === JSON.stringify(sortKeys(b));
function sortKeys(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(sortKeys);
  if (v && typeof v === 'object') return Object.fromEntries(Object.entries(v).sort(([a], [b]) => a.localeCompare(b)).map(([k, x]) => [k, sortKeys(x)]));
  return v;
}

async function wrongResult(db: Db, run: PlannedRun, result: unknown, submissions: PortalSubmissionRecord[]): Promise<string | undefined> {
  const r = result as Record<string, unknown> & { status?: string };
  switch (run.kind) {
    case 'submitAndVerify': {
      // The confirmation must be the portal's submission of THIS fingerprint (record, entity, date), with the payload as given.
      if (r.status !== 'VERIFIED') return `status ${r.status}`;
      const key = submitFingerprint(run);
      const own = submissions.filter((s) => s.idempotencyKey === key);
      const confirmed = submissions.find((s) => s.confirmation === r.confirmation);
      if (!confirmed) return `confirmation ${String(r.confirmation)} is not at the portal`;
      if (confirmed.idempotencyKey !== key) return `VERIFIED with ${String(r.confirmation)}, the portal's submission of ${confirmed.idempotencyKey ?? 'another fingerprint'}`;
      if (own.length !== 1) return `portal holds ${own.length} submission(s) of ${key}`;
      if (!sameJson(confirmed.payload, run.input.payload)) return `portal holds payload ${JSON.stringify(confirmed.payload)}, not the one sent`;
      return undefined;
    }
    case 'agentDecision': {
      // The recorded decision must be what the model answered (validated), and the run's result must say the same.
      const { rows } = await db.query<{ decision: Record<string, unknown>; action: string }>('SELECT decision, action FROM agent_decisions WHERE workflow_id = $1', [run.workflowId]);
      if (r.status !== 'completed' || rows.length !== 1) return `status ${r.status}, ${rows.length} decision row(s)`;
      const said = (await validatedOutputs(db, run.workflowId, 'actionDecision')).at(-1);
      if (!said) return 'no validated actionDecision output recorded';
      const recorded = rows[0]!.decision;
      for (const field of ['action', 'orderId', 'confidence'] as const) {
        if (!sameJson(recorded[field], said[field])) return `recorded ${field} ${JSON.stringify(recorded[field])} ≠ model said ${JSON.stringify(said[field])}`;
      }
      return sameJson((r.decision as Record<string, unknown> | undefined)?.action ?? r.action, said.action) ? undefined : `result action ≠ model said ${String(said.action)}`;
    }
    case 'planExecuteReview': {
      if (r.status !== 'completed' || (r.records as unknown[]).length !== 3) return `status ${r.status}`;
      // Every value written as output must be one the executor produced and the reviewer approved.
      const said = (await validatedOutputs(db, run.workflowId, 'stepResult')).flatMap((o) => (o.values as { recordId: string; value: string }[] | undefined) ?? []);
      const { rows } = await db.query<{ record_id: string; value: string | null }>("SELECT record_id, value FROM plan_output_values WHERE workflow_id = $1 AND field = 'category' ORDER BY record_id", [run.workflowId]);
      if (rows.length !== 3) return `${rows.length} category value(s) written`;
      const bad = rows.filter((w) => !said.some((v) => v.recordId === w.record_id && v.value === w.value));
      return bad.length ? `written ${bad.map((b) => `${b.record_id}=${b.value}`).join(', ')} that no executor answer holds` : undefined;
    }
    case 'supervisor': {
      if (r.status !== 'completed' || (r.results as unknown[]).length !== 2) return `status ${r.status}`;
      for (const child of r.results as { id: string; answer: string }[]) {
        const said = (await validatedOutputs(db, `${run.workflowId}/${child.id}`, 'subAgentAnswer')).at(-1);
        if (!said || said.answer !== child.answer) return `sub-agent ${child.id} reported '${child.answer}', its model said '${String(said?.answer)}'`;
      }
      return undefined;
    }
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

/** The effect fingerprint (= the Idempotency-Key the portal echoes) of a planned submission. */
function submitFingerprint(run: PlannedRun): string {
  const i = run.input as { recordId: string; entityId: string; businessDate: string };
  return effectKey(PORTAL_SUBMIT_EFFECT, { recordId: i.recordId, entityId: i.entityId, businessDate: i.businessDate });
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

  // One fingerprint (record, entity, business date) = one Idempotency-Key; the same record on two dates is two.
  const byFingerprint = new Map<string, number>();
  for (const s of c.portal.submissions) {
    const key = s.idempotencyKey ?? `${s.recordId}|${s.entityId}|no-key`;
    byFingerprint.set(key, (byFingerprint.get(key) ?? 0) + 1);
  }
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
  const outbox = await c.db.query<{ id: string; status: string }>("SELECT id, status FROM alerts WHERE status <> 'suppressed'");
  const alerts = {
    recorded: outbox.rows.length,
    delivered: outbox.rows.filter((a) => a.status === 'delivered').length,
    pending: outbox.rows.filter((a) => a.status === 'pending').length,
    lost: outbox.rows.filter((a) => !c.alertChannel.received.has(Number(a.id))).length,
    refusedByChannel: c.alertChannel.refused,
  };
  const wrongVerified = reports.filter((r) => r.run.kind === 'submitAndVerify' && r.wrong && (r.state.result as { status?: string }).status === 'VERIFIED').length;

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
    autoRecoveredLowerBound: hit.length ? wilsonLowerBound(recovered.length, hit.length) : null,
    wrongVerified,
    stale: c.stale,
    alerts,
    unfiredPoints: crashPoints.filter((p) => !c.crashedAt[p]),
    crashedAt: c.crashedAt,
    notRecovered: hit.filter((r) => !recovered.includes(r)).map((r) => `${r.run.workflowId}: ${r.state.outcome}${r.state.escalation ? ` (${r.state.escalation.kind}: ${r.state.escalation.reason.slice(0, 160)})` : ''}${r.wrong ? ` (wrong result: ${r.wrong})` : ''} — ${r.state.status}${r.state.waitingOn ? `, waiting on ${r.state.waitingOn}` : ''}; evidence: ${r.evidence.slice(0, 3).join('; ')}`),
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
  if (f.wrongVerified) v.push(`${f.wrongVerified} wrong VERIFIED (another fingerprint's confirmation, or a payload other than sent)`);
  if (f.stale.applied) v.push(`${f.stale.applied} stale decision(s) applied: ${f.stale.details.join('; ')}`);
  if (f.alerts.lost) v.push(`${f.alerts.lost} alert(s) recorded but never delivered (${f.alerts.pending} still pending)`);
  if (f.unfiredPoints.length) v.push(`fault point(s) never fired: ${f.unfiredPoints.join(', ')}`);
  if (f.autoRecoveredShare !== null && f.autoRecoveredShare < 0.95) v.push(`auto-recovered share ${(100 * f.autoRecoveredShare).toFixed(1)} % < 95 %`);
  return v;
}
