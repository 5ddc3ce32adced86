/** docs/reliability.md from a chaos run: the figures, the invariants, the faults as applied, how to rerun. */
import type { ChaosResult } from './runner';

const pct = (x: number | null) => (x === null ? 'n/a (no fault reached a run)' : `${(100 * x).toFixed(1)} %`);
const secs = (ms: number) => `${(ms / 1000).toFixed(1)} s`;

export function rerunCommand(r: ChaosResult): string {
  return `npm run chaos -- --seed ${r.options.seed} --pipelines ${r.options.perKind} --duration ${r.options.durationS} --settle ${r.options.settleS} --faults-per-minute ${r.options.faultsPerMinute}${r.options.temporalRestarts !== 1 ? ` --temporal-restarts ${r.options.temporalRestarts}` : ''}${r.options.temporal === 'cluster' ? ' --cluster' : ''}`;
}

/** Markers of a section a regenerated report carries over unchanged (the other Temporal's figures). */
export const KEPT_BEGIN = '<!-- kept: figures of the other Temporal; carried over when this file is regenerated -->';
export const KEPT_END = '<!-- /kept -->';

const temporalLine = (r: ChaosResult) =>
  r.options.temporal === 'cluster'
    ? 'Temporal: the **production-configured cluster** (go.temporal.io/server v1.32.2 built from its Go module; Postgres persistence and SQL visibility in the run\'s own Postgres, schemas by `temporal-sql-tool`; frontend, history, matching and worker each in a process of its own; `temporal-restart` SIGKILLs all four at once (odd restarts) or one service\'s process in turn (even ones) and starts what it killed again; `postgres-restart` takes Temporal\'s databases down with Breakwater\'s).'
    : 'Temporal: the CLI dev server on a SQLite file (`temporal-restart` SIGKILLs it and starts it again on the same file).';

export function renderReliability(r: ChaosResult, generatedAt = new Date(), kept?: string): string {
  const f = r.figures;
  const row = (name: string, value: string | number, must?: string, ok?: boolean) => `| ${name} | ${value} | ${must ?? ''} | ${ok === undefined ? '' : ok ? 'pass' : '**FAIL**'} |`;
  const kinds = Object.entries(f.escalationKinds).map(([k, n]) => `${k} × ${n}`).join(', ') || 'none';
  const lines = [
    r.options.temporal === 'cluster' ? '# Reliability under faults on the production-configured Temporal cluster (chaos suite)' : '# Reliability under faults (chaos suite)',
    '',
    `Generated ${generatedAt.toISOString()} by \`src/chaos/main.ts\`. Seed **${r.options.seed}**, ${r.options.perKind} run(s) of each of ${f.perKind.length} pipeline kinds (${f.runs} runs),`,
    `${r.options.durationS} s of faults, ${r.options.workers} worker processes; the run took ${secs(r.elapsedMs)} (stack up in ${secs(r.stackReadyMs)}, settling ${secs(r.settledMs)}).`,
    temporalLine(r),
    '',
    ...(kept ? [kept, ''] : []),
    'Rerun exactly this (same seed → same faults at the same offsets, same inputs; timing-dependent effects may differ):',
    '',
    '```sh',
    rerunCommand(r),
    '```',
    '',
    '## Invariants and figures',
    '',
    '| Figure | Value | Must be | Result |',
    '|---|---|---|---|',
    row('Workflows lost', f.lost, '0', f.lost === 0),
    row('Duplicate side effects at the portal (extra submissions per fingerprint)', f.duplicateSubmissions, '0', f.duplicateSubmissions === 0),
    row('Runs stuck without an escalation after settling', f.stuck, '0', f.stuck === 0),
    row('Money spent over any budget (per-workflow budgets and the daily cap ledger)', f.budgetOverruns, '0', f.budgetOverruns === 0),
    row('Runs completed with a wrong result (submissions: own fingerprint and payload; agents: recorded decision = validated model output)', f.wrongResults, '0', f.wrongResults === 0),
    row('… of which wrong VERIFIED (another fingerprint\'s confirmation, or a payload other than sent)', f.wrongVerified, '0', f.wrongVerified === 0),
    row('Stale decisions applied (a resolution naming an earlier escalation, by Update and by signal)', `${f.stale.applied} of ${f.stale.sent} sent`, '0', f.stale.applied === 0),
    row('Alerts lost (recorded in the outbox, never accepted by the channel)', `${f.alerts.lost} of ${f.alerts.recorded} (${f.alerts.refusedByChannel} POSTs refused while the channel was down)`, '0', f.alerts.lost === 0),
    row('Named fault points that never fired', f.unfiredPoints.join(', ') || `none (${Object.entries(f.crashedAt).map(([p, n]) => `${p} × ${n}`).join(', ')})`, 'none', f.unfiredPoints.length === 0),
    row('Shared counter (applySharedChange): value / accepted changes — a change applied twice would show', `${f.sharedCounter.actual} / ${f.sharedCounter.expected}`, 'equal', f.sharedCounter.actual === f.sharedCounter.expected),
    row('Runs completed without a human', `${f.completedWithoutHuman} of ${f.runs}`),
    row('Runs escalated with context (kind, reason, failure or details)', `${f.escalatedWithContext} of ${f.escalated} escalated (${kinds})`, 'all', f.escalated === f.escalatedWithContext),
    row('… of which escalations by design (approvals, low-confidence decisions)', f.escalatedAsDesigned),
    row('Escalations not visible as AwaitingHuman', f.escalationsNotMarked, '0', f.escalationsNotMarked === 0),
    row('Runs open while a fault was active', `${f.exposed} of ${f.runs}`),
    row('Runs a transient fault demonstrably reached', f.hitByTransientFault),
    row('Runs listed by `breakwater runs` (visibility) after the faults', `${r.visibility.listed} of ${r.visibility.started}`, 'all', r.visibility.listed === r.visibility.started),
    row('… listed wrongly by a `--pipeline` (BreakwaterPipeline) filter', `${r.visibility.pipelineFilterMismatches} over ${r.visibility.pipelines} pipelines`, '0', r.visibility.pipelineFilterMismatches === 0),
    row('Open escalations listed by `--status AwaitingHuman` (BreakwaterStatus)', `${r.visibility.awaitingListed} of ${r.visibility.awaiting}`, 'all', r.visibility.awaitingListed === r.visibility.awaiting),
    row('**Auto-recovered share of transient faults**', `**${pct(f.autoRecoveredShare)}** (${f.autoRecovered} of ${f.hitByTransientFault}); 95 % lower bound (Wilson) **${pct(f.autoRecoveredLowerBound)}**`, '≥ 95 % (asserted)', f.autoRecoveredShare === null ? undefined : f.autoRecoveredShare >= 0.95),
    '',
    `LLM: ${f.llm.calls} calls, ${f.llm.troubled} failed or repaired, ${f.llm.spentUsd.toFixed(6)} USD. Daily ledger: ${f.dailyLedger.map((d) => `${d.day} spent ${d.spentUsd} USD (Σ llm_calls ${d.callsUsd}), in flight ${d.reservedUsd}, cap ${d.capUsd}`).join('; ') || 'no spend'}.`,
    `Portal: ${f.portal.postAttempts} POSTs, ${f.portal.persisted} persisted, ${f.portal.injectedErrors} injected 5xx, ${f.portal.responsesLost} responses lost, ${f.portal.rateLimited} rate-limited.`,
    `Workers: ${r.fleet.spawned} processes spawned, ${r.fleet.killed} SIGKILLed at random moments, crashes at fault points: ${Object.entries(r.fleet.crashedAt).map(([p, n]) => `${p} × ${n}`).join(', ') || 'none'}, ${r.fleet.otherExits} other exits. ${r.options.temporal === 'cluster' ? 'Cluster restarts (what each killed: the faults below)' : 'Dev server restarts'}: ${r.temporalRestarts}; Postgres restarts: ${r.postgresRestarts}.`,
    `After the checks: ${r.windDown.resolved} designed escalations resolved by the on-call (${r.windDown.completedAfterResolution} then completed), ${r.windDown.terminated} other open runs terminated.`,
    '',
    ...(r.violations.length ? ['**Violations:**', '', ...r.violations.map((v) => `- ${v}`), ''] : []),
    ...(f.notRecovered.length ? ['Fault-hit runs that did not recover by themselves:', '', ...f.notRecovered.map((n) => `- ${n}`), ''] : []),
    '## Per pipeline',
    '',
    '| Pipeline | Runs | Completed | Escalated by design | Escalated otherwise | Stuck | Lost | Hit by a fault | Recovered alone |',
    '|---|---|---|---|---|---|---|---|---|',
    ...f.perKind.map((k) => `| ${k.kind} | ${k.runs} | ${k.completed} | ${k.escalatedAsDesigned} | ${k.escalatedOther} | ${k.stuck} | ${k.lost} | ${k.hit} | ${k.recovered} |`),
    '',
    '## Faults as applied',
    '',
    '| # | At | Kind | Effect |',
    '|---|---|---|---|',
    ...r.applied.map((a) => `| ${a.event.seq} | ${secs(a.startedMs)} | ${a.event.kind} | ${a.effect.replace(/\|/g, '\\|')} |`),
    '',
    '## Definitions',
    '',
    '- **Lost**: a started run that is neither completed nor waiting AwaitingHuman with an open escalation (on itself or a child workflow) — failed, terminated, timed out or not found.',
    '- **Duplicate side effect**: more than one submission persisted at the portal for one fingerprint (record, entity, business date), from the portal\'s own record (`GET /_admin/submissions`).',
    '- **Stuck**: still running after the settle time, with no open escalation on the run or its children.',
    '- **Over budget**: Σ `llm_calls.cost_usd` of a workflow above the budget it was started with (children: the per-child budget); the daily ledger above its cap or not equal to Σ `llm_calls` of the day.',
    '- **Escalated with context**: the open escalation has a kind, a reason, a time, and the failure (first/latest) or details a person needs; a `breaker-open` escalation must carry the first failure.',
    '- **Hit by a transient fault**: the run\'s history (or a child\'s) shows a retried, failed or timed-out activity or workflow task, or `llm_calls` shows a failed or repaired model call for it. Runs that waited for a person by design (approvals, low-confidence decisions) are left out unless they escalated for another reason.',
    '- **Auto-recovered share** = hit runs that completed with the right result and no human ÷ hit runs; its lower bound is the 95 % Wilson score bound for that many runs.',
    '- **Wrong VERIFIED**: a submission run VERIFIED with a confirmation the portal holds for another fingerprint (submissions come in pairs: one record on two business dates), or whose payload at the portal differs from the one sent (payloads carry secret-looking fields and "Basic maintenance", which a redactor would spoil).',
    '- **Stale decision applied**: a resolution naming an escalation other than the open one (a late click) that the Update accepted, or that, sent as a signal, closed the open escalation.',
    '- **Alert lost**: an alert recorded in the outbox (`alerts`, not suppressed) whose id never reached the webhook, after the workers\' relays had up to 3 minutes to deliver what a downed channel refused.',
    '- **Fault points**: the fleet is armed at every named fault point (`portal.submit.beforePost/afterPost/afterDone`, `sharedState.afterCommit`, `alerts.afterRecord`) until each has SIGKILLed a worker once.',
    '- **Budgets** are tight: one agent decision in four gets 0.004 USD, less than its decision call\'s worst case, and must pause before the call (`budget-exhausted`, by design) without overshooting.',
    '- **Circuit breaker**: human-cleared by default — the design for irreversible effects such as the portal\'s submit: an open breaker stays open until a person clears it (`breakwater breaker clear`, or approve/retry on the run\'s escalation). A step whose call is safe to try again (a read) may opt in with `defineEffect({ breaker: { halfOpenAfter } })`: after that cool-down since the opening, exactly one attempt across all runs and workers (an atomic claim in Postgres, under a lease) probes the system while the breaker is `half-open` and every other caller is still refused; its success closes the breaker (recorded as `half-open-probe`), its failure re-opens it for a fresh cool-down. No chaos pipeline opts in, so every opening here waits for a person.',
    '- Every scheduled fault is transient: a restart, a burst of N bad answers per LLM rule, a window of seconds. Portal POST faults end after the first POST they spoil, because two consecutive POST failures open the shared circuit breaker — a person\'s call by design, not a transient fault.',
    '- **Agent conversations past the history limit** are not in this mix: a tool-using agent continues as new between turns (`runAgent({ continueAsNew })`), checked by researchAgent\'s `continueAsNew.test.ts` — 4 rollovers with a worker SIGKILLed mid-write (`tool.saveNote.afterEffect`) in between: 0 tool calls lost or run twice, each write once, cost counted once (answer = budget = Σ `llm_calls`).',
    '',
  ];
  return lines.join('\n');
}
