/**
 * The cost model (issue 23, part 4): what each guarantee adds to one happy-path run, derived from the same
 * measured runs as the accounting table — history events, Postgres statements and activity time over the
 * bare baseline. Each guarantee is recognized by what it leaves behind: its search attributes, its tables,
 * its markers; the mapping is here, the numbers come from the runs.
 */
import type { AccountingRow, RunCost } from './runs';

interface Guarantee {
  name: string;
  /** What a team switches on (or keeps off) to have it. */
  how: string;
  pipeline: AccountingRow['pipeline'];
  /** History events it adds: upsert events whose keys it owns, markers, extra activities. */
  events(bw: RunCost, bare: RunCost): number;
  /** Statements it sends (by `activity\tVERB table` keys). */
  statements(bw: RunCost, bare: RunCost): number;
  /** Its activity time over the bare baseline's matching activity, if it has one. */
  ms?: [bwActivity: string, bareActivity: string];
}

const upsertsWith = (c: RunCost, keys: string[]) => c.upserts.filter((u) => u.some((k) => keys.includes(k))).length;
const heads = (c: RunCost, activity: string, tables: RegExp) =>
  Object.entries(c.statementsByHead).filter(([k]) => k.split('\t')[0] === activity && tables.test(k.split('\t')[1]!)).reduce((a, [, n]) => a + n, 0);
/** A transaction's BEGIN/COMMIT belong to the guarantee whose statements it wraps. */
const txn = /^(BEGIN|COMMIT|ROLLBACK)$/;

const guarantees: Guarantee[] = [
  { name: 'Findable runs: pipeline + status search attributes', how: 'always on (markPipeline, final status)', pipeline: 'agentDecision', events: (c) => upsertsWith(c, ['BreakwaterPipeline', 'BreakwaterStatus']), statements: () => 0 },
  { name: 'Per-run budget, live cost on the run', how: '`budgetUsd` of createAgentRunner', pipeline: 'agentDecision', events: (c) => upsertsWith(c, ['BreakwaterCostUsd', 'BreakwaterBudgetState']), statements: () => 0 },
  { name: 'Global daily spend cap + llm_calls ledger', how: 'DAILY_SPEND_CAP_USD; ledger always', pipeline: 'agentDecision', events: () => 0, statements: (c) => heads(c, 'callModel', /llm_|^(BEGIN|COMMIT)$/), ms: ['callModel', 'bareChat'] },
  { name: 'Replay safety of changed guards (patch markers)', how: 'one per `patched()` a new run passes', pipeline: 'agentDecision', events: (c) => c.markers + upsertsWith(c, ['TemporalChangeVersion']), statements: () => 0 },
  { name: 'Decision recorded in Postgres', how: 'the pipeline\'s own write (bare does it too)', pipeline: 'agentDecision', events: (bw, bare) => bw.activities - bare.activities, statements: (c, bare) => heads(c, 'recordAgentDecision', /./) - (bare.statementsByActivity.bareRecordDecision ?? 0) },
  { name: 'Exactly-once effect (fingerprint + lease)', how: 'defineEffect / performAndVerify', pipeline: 'submitAndVerify', events: () => 0, statements: (c) => heads(c, 'performEffectOnce', /fingerprints|lease_until/) + heads(c, 'performEffectOnce', txn), ms: ['performEffectOnce', 'barePortalPost'] },
  { name: 'Shared circuit breaker', how: 'an effect\'s `breaker` (default on)', pipeline: 'submitAndVerify', events: () => 0, statements: (c) => heads(c, 'performEffectOnce', /circuit_breakers/) },
  { name: 'VERIFIED only when read back', how: 'performAndVerify\'s observe step', pipeline: 'submitAndVerify', events: (bw, bare) => bw.activities - bare.activities, statements: (c) => heads(c, 'observeEffect', /./), ms: ['observeEffect', 'barePortalFind'] },
  { name: 'Status search attribute on an effect run', how: 'always on', pipeline: 'submitAndVerify', events: (c) => upsertsWith(c, ['BreakwaterStatus', 'BreakwaterPipeline']), statements: () => 0 },
  { name: 'Findable runs: pipeline + status search attributes', how: 'always on (markPipeline, final status)', pipeline: 'parallelIngest', events: (c) => upsertsWith(c, ['BreakwaterPipeline', 'BreakwaterStatus']), statements: () => 0 },
  { name: 'Source contract (zod) on every read', how: 'the pipeline\'s activity', pipeline: 'parallelIngest', events: () => 0, statements: () => 0, ms: ['fetchSourceRecords', 'bareFetchSource'] },
  ...agentRows('examples/shop', 'bareChat'),
  { name: 'Rate-limited API through the broker (a slot per call)', how: 'proxyApi + createApiBroker', pipeline: 'examples/shop', events: () => 0, statements: (c) => heads(c, 'lookupProduct', /./), ms: ['lookupProduct', 'bareCatalogLookup'] },
  { name: 'Exactly-once effect (fingerprint + lease)', how: 'defineEffect / performAndVerify', pipeline: 'examples/shop', events: () => 0, statements: (c) => heads(c, 'performEffectOnce', /fingerprints|lease_until/) + heads(c, 'performEffectOnce', txn), ms: ['performEffectOnce', 'bareShopPost'] },
  { name: 'Shared circuit breaker', how: 'an effect\'s `breaker` (default on)', pipeline: 'examples/shop', events: () => 0, statements: (c) => heads(c, 'performEffectOnce', /circuit_breakers/) },
  { name: 'VERIFIED only when read back', how: 'performAndVerify\'s observe step (bare reads back too)', pipeline: 'examples/shop', events: () => 0, statements: (c) => heads(c, 'observeEffect', /./), ms: ['observeEffect', 'bareShopFind'] },
  ...agentRows('researchAgent', 'bareAgentTurn'),
  { name: 'Tool calls: ledger, broker slot for search, write-once notes', how: 'runAgent\'s tools (defineTool effect/api)', pipeline: 'researchAgent', events: () => 0, statements: (c) => heads(c, 'runTool', /./), ms: ['runTool', 'bareTool'] },
  ...agentRows('supervisor', 'bareChat'),
  ...agentRows('planExecuteReview', 'bareChat'),
  { name: 'Resource gate before any step', how: 'the plan\'s manifest (always checked)', pipeline: 'planExecuteReview', events: (bw, bare) => bw.activities - bare.activities, statements: (c) => heads(c, 'checkResources', /./) },
  { name: 'Values written with provenance', how: 'the pipeline\'s own write (bare does it too)', pipeline: 'planExecuteReview', events: () => 0, statements: (c, bare) => heads(c, 'writePlanRun', /./) - (bare.statementsByActivity.bareWritePlanRun ?? 0), ms: ['writePlanRun', 'bareWritePlanRun'] },
  { name: 'Findable runs: pipeline + status search attributes', how: 'always on (markPipeline, final status)', pipeline: 'enrichCatalog', events: (c) => upsertsWith(c, ['BreakwaterPipeline', 'BreakwaterStatus']), statements: () => 0 },
  { name: 'Rate-limited API through the broker (a slot per call)', how: 'proxyApi + createApiBroker', pipeline: 'enrichCatalog', events: () => 0, statements: (c) => heads(c, 'enrichSku', /./), ms: ['enrichSku', 'bareEnrichSku'] },
];

/** The guarantees every agent pipeline has: findable runs, the run's budget, patch markers, the spend cap and ledger. */
function agentRows(pipeline: AccountingRow['pipeline'], bareChat: string): Guarantee[] {
  return [
    { name: 'Findable runs: pipeline + status search attributes', how: 'always on (markPipeline, final status)', pipeline, events: (c) => upsertsWith(c, ['BreakwaterPipeline', 'BreakwaterStatus']), statements: () => 0 },
    { name: 'Per-run budget, live cost on the run', how: '`budgetUsd` of createAgentRunner', pipeline, events: (c) => upsertsWith(c, ['BreakwaterCostUsd', 'BreakwaterBudgetState']), statements: () => 0 },
    { name: 'Replay safety of changed guards (patch markers)', how: 'one per `patched()` a new run passes', pipeline, events: (c) => c.markers + upsertsWith(c, ['TemporalChangeVersion']), statements: () => 0 },
    { name: 'Global daily spend cap + llm_calls ledger', how: 'DAILY_SPEND_CAP_USD; ledger always', pipeline, events: () => 0, statements: (c) => heads(c, 'callModel', /llm_|^(BEGIN|COMMIT)$/), ms: ['callModel', bareChat] },
  ];
}

export function costModelMarkdown(rows: AccountingRow[]): string {
  const out = [
    'What each guarantee adds to one happy-path run over the bare baseline (same runs as above). A person in the',
    'loop, a breaker wait or a retry add their own events only when they happen (the recorded histories in the',
    'scale section show those paths). **ms** is the guarded activity\'s median time minus the bare one\'s, from the',
    'history\'s timestamps; it was measured on a shared, busy machine — re-measure on a quiet one before relying on it.',
    '',
    '| guarantee | how to have it | pipeline | + events | + statements | + ms (activity) |',
    '|---|---|---|---:|---:|---:|',
  ];
  for (const g of guarantees) {
    const bw = rows.find((r) => r.pipeline === g.pipeline && r.mode === 'breakwater')?.median;
    const bare = rows.find((r) => r.pipeline === g.pipeline && r.mode === 'bare')?.median;
    if (!bw || !bare) continue;
    const extraMs = g.ms ? (bw.activityMs[g.ms[0]] ?? NaN) - (bare.activityMs[g.ms[1]] ?? NaN) : undefined;
    out.push(`| ${g.name} | ${g.how} | ${g.pipeline} | ${g.events(bw, bare)} | ${g.statements(bw, bare)} | ${extraMs === undefined ? '—' : Number.isNaN(extraMs) ? '?' : extraMs.toFixed(1)} |`);
  }
  for (const p of [...new Set(rows.map((r) => r.pipeline))]) {
    const bw = rows.find((r) => r.pipeline === p && r.mode === 'breakwater')?.median;
    const bare = rows.find((r) => r.pipeline === p && r.mode === 'bare')?.median;
    if (!bw || !bare) continue;
    const named = guarantees.filter((g) => g.pipeline === p);
    const eventsNamed = named.reduce((a, g) => a + g.events(bw, bare), 0);
    const stmtsNamed = named.reduce((a, g) => a + g.statements(bw, bare), 0);
    // What the rows above do not name (if anything) shows here as a difference between the two figures.
    out.push(`| **${p}: all of Breakwater's cost** | measured total (sum of the rows above) | ${p} | ${bw.events - bare.events} (${eventsNamed}) | ${bw.statements - bare.statements} (${stmtsNamed}) | |`);
  }
  return out.join('\n');
}
