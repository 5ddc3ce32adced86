/** The scale section's tables and verdicts, from the parts' figures (markdown). */
import { percentile } from '../report';
import type { ContentionFigures } from './contention';
import type { HistoryFigures } from './history';
import type { BundleComposition, MemoryRow } from './memory';
import type { ThroughputCell } from './throughput';
import type { TracingFigures } from './tracingExport';
import { abVariants, type AbFigures, type AbVariant } from './abWorkflowLoading';

export interface ScaleSize {
  name: 'full' | 'quick';
  loads: number[];
  workers: number[];
  memoryLevels: number[];
  contention: { workers: number; calls: number };
  tracing: { rounds: number; concurrency: number };
  warmup: number;
  /** The load the throughput target is read at (500 in the full size). */
  targetLoad: number;
}

const f0 = (n: number) => (Number.isFinite(n) ? n.toFixed(0) : '–');
const f1 = (n: number) => (Number.isFinite(n) ? n.toFixed(1) : '–');
const f2 = (n: number) => (Number.isFinite(n) ? n.toFixed(2) : '–');
const met = (ok: boolean) => (ok ? 'met' : '**NOT met**');

export function throughputTable(cells: ThroughputCell[], size: ScaleSize): string {
  const rows: string[] = [];
  const verdicts: string[] = [];
  for (const pipeline of [...new Set(cells.map((c) => c.pipeline))]) {
    for (const workers of size.workers) {
      for (const load of size.loads) {
        const bw = cells.find((c) => c.pipeline === pipeline && c.workers === workers && c.load === load && c.mode === 'breakwater');
        const bare = cells.find((c) => c.pipeline === pipeline && c.workers === workers && c.load === load && c.mode === 'bare');
        if (!bw || !bare) continue;
        const ratio = bw.runsPerSec / bare.runsPerSec;
        rows.push(
          `| ${pipeline} | ${workers} | ${load} | ${f1(bw.runsPerSec)} | ${f1(bare.runsPerSec)} | ${f2(ratio)}× | ${f0(bw.p50)} / ${f0(bw.p99)} | ${f0(bare.p50)} / ${f0(bare.p99)} | ${bw.timeouts} / ${bare.timeouts} | ${bw.failed} / ${bare.failed} | ${bw.retries} / ${bare.retries} | ${f0(bw.rssMiB)} / ${f0(bare.rssMiB)} |`,
        );
        if (load === size.targetLoad) verdicts.push(`${pipeline}, ${workers} worker${workers > 1 ? 's' : ''}: ${f2(ratio)}× with ${bw.timeouts} timeouts — ${met(ratio >= 0.95 && bw.timeouts === 0)}`);
      }
    }
  }
  return [
    '### 1. Throughput and latency against load',
    '',
    `All runs of a cell started at once; throughput = completed runs ÷ (first start → last result); run time from the start call to the result; a run without its result 120 s after its start is a timeout. Each cell ran Breakwater and bare back to back, the order swapped every cell. ${size.warmup} warm-up runs per kind before the cells. "Retried attempts" are activity attempts after the first (an activity timeout shows there).`,
    '',
    '| pipeline | worker processes | concurrent runs | Breakwater runs/s | bare runs/s | Breakwater ÷ bare | Breakwater p50 / p99 ms | bare p50 / p99 ms | timeouts (BW / bare) | failed | retried attempts | worker RSS MiB (BW / bare) |',
    '|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|',
    ...rows,
    '',
    `Target at ${size.targetLoad} concurrent runs${size.name === 'quick' ? ' (the quick size stands in for 500)' : ''}: throughput ≥ 0.95× bare with 0 timeouts —`,
    ...verdicts.map((v) => `- ${v}`),
    '',
    cpuTable(cells, size),
  ].join('\n');
}

/** Where each run's CPU went at the target load (src/bench/scale/cpu.ts): the why behind the ratio on shared cores. */
function cpuTable(cells: ThroughputCell[], size: ScaleSize): string {
  const at = cells.filter((c) => c.load === size.targetLoad && c.cpuPerRunMs);
  if (!at.length) return '';
  const rows = at.map((c) => {
    const p = c.cpuPerRunMs;
    return `| ${c.pipeline} | ${c.workers} | ${c.mode === 'bare' ? 'bare' : 'Breakwater'} | ${f1(p.workers)} | ${f1(p.temporal)} | ${f1(p.postgres)} | ${f1(p.bench)} | ${f1(p.machine)} |`;
  });
  return [
    `CPU per completed run at ${size.targetLoad} concurrent runs, ms (user + system, from /proc; "bench" is the benchmark process: the client starting and reading runs and the LLM and portal simulators; "machine" is every busy core, other work included):`,
    '',
    '| pipeline | worker processes | kind | workers | Temporal dev server | Postgres | bench | machine |',
    '|---|---:|---|---:|---:|---:|---:|---:|',
    ...rows,
  ].join('\n');
}

export function memoryTables(rows: MemoryRow[], bundles: { breakwater: BundleComposition; bare: BundleComposition }, referenceBundleBytes: number): string {
  const out = [
    '### 2. Worker memory per in-flight run',
    '',
    "One worker process per kind; runs started in steps and left waiting, all held in the worker's workflow cache (maxCachedWorkflows above the top level and an 8 GiB heap, both kinds: a Breakwater worker's default cache, src/workers/workflowCache.ts, would evict beyond ~768 runs on Node's default 4 GiB heap); readings after a forced GC, per run = (reading − idle worker's reading) ÷ runs. The heap column is the worker's main thread only: the workflow sandbox is a worker thread whose heap is counted in RSS. Waiting on a timer: submitAndVerify's verify delay (1 h) vs bare POST + `sleep`. Waiting on a person: agentDecision at confidence 0.5 (the human gate, after its alert) vs bare `condition` on a signal.",
    '',
    '| waiting on | runs in flight | Breakwater RSS MiB | KiB per run | bare RSS MiB | KiB per run | RSS per run, Breakwater ÷ bare | heap per run KiB (BW / bare) |',
    '|---|---:|---:|---:|---:|---:|---:|---:|',
  ];
  const verdicts: string[] = [];
  for (const kind of [...new Set(rows.map((r) => r.kind))]) {
    for (const runs of [...new Set(rows.map((r) => r.runs))]) {
      const bw = rows.find((r) => r.kind === kind && r.runs === runs && r.mode === 'breakwater');
      const bare = rows.find((r) => r.kind === kind && r.runs === runs && r.mode === 'bare');
      if (!bw || !bare) continue;
      const ratio = bw.rssPerRunKiB / bare.rssPerRunKiB;
      const unsettled = (r: MemoryRow) => (r.cachedOnly !== undefined ? ` (not settled in 10 min: ${r.cachedOnly} of ${runs} cached)` : '');
      out.push(`| ${kind} | ${runs} | ${f0(bw.rssMiB)}${unsettled(bw)} | ${f0(bw.rssPerRunKiB)} | ${f0(bare.rssMiB)}${unsettled(bare)} | ${f0(bare.rssPerRunKiB)} | ${f2(ratio)}× | ${f0(bw.heapPerRunKiB)} / ${f0(bare.heapPerRunKiB)} |`);
      if (runs === Math.max(...rows.map((r) => r.runs))) verdicts.push(`waiting on a ${kind}, ${runs} runs: ${f2(ratio)}× — ${met(ratio <= 1.2)}`);
    }
  }
  const top = (b: BundleComposition) => b.parts.slice(0, 8).map((p) => `${p.name} ${(p.bytes / 1024).toFixed(0)} KiB`).join(', ');
  out.push('', 'Target: RSS per in-flight run ≤ 1.2× bare —', ...verdicts.map((v) => `- ${v}`));
  out.push(
    '',
    `Workflow bundles: the reference pipelines' prebuilt bundle (Breakwater's workflows, the reference pipelines, the OTel and metrics workflow interceptors) is ${(referenceBundleBytes / 2 ** 20).toFixed(2)} MiB; the bare baselines' ${(bundles.bare.bytes / 2 ** 20).toFixed(2)} MiB. Largest parts of the reference bundle: ${top(bundles.breakwater)}. Of the bare bundle: ${top(bundles.bare)}. The bundle is loaded once per worker (one reused V8 context), not per run: it sets the idle worker's size, not the per-run slope.`,
  );
  return out.join('\n');
}

const labels: Record<keyof ContentionFigures['timings'], string> = {
  breakerRead: 'breaker: read the row (every effect attempt)',
  breakerFailure: 'breaker: count a failure (row lock, event row)',
  brokerReserve: 'broker: reserve a slot (bucket row lock, ledger row)',
  brokerComplete: 'broker: record the answer',
  capReserve: 'daily cap: reserve the worst case (day row lock)',
  capRecord: 'daily cap: llm_calls row + settle (one statement)',
};

export function contentionTables(figs: ContentionFigures[]): string {
  const [one, many] = [figs[0]!, figs[figs.length - 1]!];
  const rows = (Object.keys(labels) as (keyof typeof labels)[]).map((k) => `| ${labels[k]} | ${f2(percentile(one.timings[k], 50))} / ${f2(percentile(one.timings[k], 99))} | ${f2(percentile(many.timings[k], 50))} / ${f2(percentile(many.timings[k], 99))} |`);
  const failed = many.checks.filter((c) => !c.ok).length + one.checks.filter((c) => !c.ok).length;
  const events = Object.entries(many.waitEvents).map(([e, n]) => `${e} ${n}`).join(', ') || 'none';
  return [
    '### 3. Shared-row contention',
    '',
    `${many.workers} worker processes × ${many.calls} calls, all started together, each call through the same breaker row, the same broker bucket (100 per rolling 60 s) and the same day's daily-cap ledger (cap set so that exactly 75 % of the calls fit). Round-trip time of each guard statement as the worker sees it, lock waits included; beside it the same calls from 1 process (uncontended). Bare Temporal has no shared rows: its cost here is nil by construction.`,
    '',
    `| guard statement | 1 process p50 / p99 ms | ${many.workers} processes p50 / p99 ms |`,
    '|---|---:|---:|',
    ...rows,
    '',
    `Lock waits (pg_stat_activity sampled every 20 ms, the workers' backends only): ${many.samplesWithWaiters} of ${many.samples} samples had a backend waiting on a lock (${f0((100 * many.samplesWithWaiters) / Math.max(1, many.samples))} %), at most ${many.maxWaiters} at once; by wait event: ${events}. Wall time ${f1(many.wallMs / 1000)} s for ${many.workers * many.calls} calls (${f1(one.wallMs / 1000)} s for ${one.calls} from one process).`,
    '',
    `Checked from the database after the ${many.workers}-process run (each check can fail):`,
    '',
    '| check | expected | found | |',
    '|---|---|---|---|',
    ...many.checks.map((c) => `| ${c.name} | ${c.expected} | ${c.actual} | ${c.ok ? 'ok' : '**FAILED**'} |`),
    '',
    `Target: no admission lost or doubled under contention — ${met(failed === 0)}${failed ? ` (${failed} check(s) failed)` : ''}.`,
  ].join('\n');
}

export function historyTable(h: HistoryFigures): string {
  const callsToWarn = h.eventsPerAgentCall ? Math.floor(10_240 / h.eventsPerAgentCall) : NaN;
  return [
    '### 4. History size per run',
    '',
    'Events and bytes (the history as the server stores it, protobuf-encoded) of live happy-path runs, and of every recorded reference-pipeline history in test/fixtures/histories (escalations, breaker waits, budget raises).',
    '',
    '| run | source | events | bytes |',
    '|---|---|---:|---:|',
    ...h.rows.map((r) => `| ${r.name} | ${r.source} | ${r.events} | ${r.bytes.toLocaleString('en-US')} |`),
    '',
    `One agent call adds ${h.eventsPerAgentCall} events and ${(h.bytesPerAgentCall / 1024).toFixed(1)} KiB to its run (callModel scheduled → started → completed, the workflow task around it, the cost's search-attribute upsert — the budget state's too when its level changes). Temporal warns at 10,240 events or 10 MB and fails a run at 51,200 events or 50 MB: at this rate one run holds ~${Number.isFinite(callsToWarn) ? callsToWarn.toLocaleString('en-US') : '–'} agent calls before the warning. The agent loops stay far inside: agentDecision makes 2 calls; planExecuteReview's plan is at most 50 steps (schema-bounded, contract.ts) with bounded repair rounds; the supervisor delegates at most 20 sub-tasks per level, each a child workflow with a history of its own, depth-limited; waits that can last days (breaker waits) continue as new when Temporal suggests it.`,
  ].join('\n');
}

export function tracingTable(t: TracingFigures): string {
  const overhead = ((t.on.meanMs - t.off.meanMs) / t.off.meanMs) * 100;
  const wallOverhead = ((t.on.wallMs - t.off.wallMs) / t.off.wallMs) * 100;
  return [
    '### 5. Tracing with OTLP export inside the window',
    '',
    `${t.rounds} rounds of ${t.concurrency} concurrent agentDecision runs per mode, alternating (ABBA), LLM latency ${t.llmDelayMs} ms (the worst case for a relative overhead: no model time to hide it). "On": a Breakwater worker process with OTEL_EXPORTER_OTLP_ENDPOINT set to a receiver on loopback, batch export every 200 ms (OTEL_BSP_SCHEDULE_DELAY), so spans are serialized and POSTed during the rounds; ${t.exportRequests} export requests, ${(t.exportBytes / 1024).toFixed(0)} KiB received. "Off": the same worker without an endpoint (the default), which runs the prebuilt bundle without the tracing interceptors; "on" bundles them at start — so the overhead includes the workflow spans themselves, not only their export.`,
    '',
    '| tracing | runs | mean ms | p50 ms | p99 ms | rounds wall time s |',
    '|---|---:|---:|---:|---:|---:|',
    `| off | ${t.off.runs} | ${f0(t.off.meanMs)} | ${f0(t.off.p50)} | ${f0(t.off.p99)} | ${f1(t.off.wallMs / 1000)} |`,
    `| on, OTLP/HTTP export | ${t.on.runs} | ${f0(t.on.meanMs)} | ${f0(t.on.p50)} | ${f0(t.on.p99)} | ${f1(t.on.wallMs / 1000)} |`,
    '',
    `Overhead with export: **${f1(overhead)} %** on the mean run time, ${f1(wallOverhead)} % on the rounds' wall time. Target ≤ 5 % — ${met(overhead <= 5)}.`,
  ].join('\n');
}

export function abTable(ab: AbFigures): string {
  const mean = (fs: { runsPerSec: number }[]) => fs.reduce((a, f) => a + f.runsPerSec, 0) / fs.length;
  const p99 = (fs: { p99: number }[]) => Math.max(...fs.map((f) => f.p99));
  const t = (fs: { timeouts: number }[]) => fs.reduce((a, f) => a + f.timeouts, 0);
  const [eager, lazyTraced, lazy] = abVariants;
  const row = (v: AbVariant, label: string) =>
    `| ${label} | ${f1(mean(ab.byVariant[v]))} | ${f0(p99(ab.byVariant[v]))} | ${t(ab.byVariant[v])} | ${f0(ab.memory[v].rssPerRunKiB)} KiB | ${f0(ab.memory[v].heapPerRunKiB)} KiB |`;
  const ratio = (a: AbVariant, b: AbVariant) => `throughput ${f2(mean(ab.byVariant[a]) / mean(ab.byVariant[b]))}×, RSS per in-flight run ${f2(ab.memory[a].rssPerRunKiB / ab.memory[b].rssPerRunKiB)}×`;
  return [
    '### 6. Speed-ups, each measured before and after in this run',
    '',
    "**What each run evaluates.** Temporal's reused V8 context evaluates a bundle's workflows module, and everything it imports, once per run in the run's own module cache (zod is preloaded: evaluated once per worker, src/workflows/sharedModules.ts). A CPU profile of a Breakwater worker at 200 concurrent agentDecision runs put 40 % of its workflow thread in creating runs: each run built the zod contracts of all eight reference pipelines and loaded OpenTelemetry's API and SDK for spans that, with tracing off, were dropped. Now workflows modules define each workflow lazily (`lazyWorkflows`, src/workflows/lazyWorkflows.ts: a run evaluates only its own workflow's modules), and the prebuilt bundles leave the tracing interceptors out (a worker that traces bundles them at start, src/workers/worker.ts). Three bundles of the same reference workflows, each on its own worker process, same stack, the order rotated every round:",
    '',
    `| bundle | agentDecision runs/s at ${ab.load} concurrent (mean of ${ab.rounds} rounds) | worst p99 ms | timeouts | worker RSS per run waiting on a timer (${ab.memory[eager!].runs} runs) | main-thread heap per run |`,
    '|---|---:|---:|---:|---:|---:|',
    row(eager!, 'before: every pipeline evaluated per run, tracing interceptors bundled'),
    row(lazyTraced!, 'lazy workflows, tracing interceptors bundled (a tracing worker now)'),
    row(lazy!, 'lazy workflows, no tracing interceptors (default without tracing)'),
    '',
    `Lazy workflows alone, against before: ${ratio(lazyTraced!, eager!)}. Both, against before: ${ratio(lazy!, eager!)}.`,
    '',
    "**One search-attribute upsert per spend** (src/workflows/agents.ts, behind a `patched()` marker so recorded runs replay): the agent runner upserted the cost and the budget state separately after every model call, the budget state even when its level had not changed — two history events and two visibility writes per call. Now one upsert of what changed. Part 4's live agentDecision history shows the result, against 33 events in the previous published run (the `patched()` marker adds one event to each new run).",
  ].join('\n');
}

/** Why a missed target was missed and what it would take, for the targets this run missed. */
export function missedNotes(missed: { throughput: boolean; memory: boolean; contention: boolean; tracing: boolean }): string {
  const notes: string[] = [];
  if (missed.throughput) {
    notes.push(
      "- **Throughput.** With the model at 1 s and the portal at 50 ms a run is mostly waiting, so throughput at high load is set by the CPU each run costs the worker, the dev server and Postgres on the shared cores (part 1's CPU table says where). Done, each measured in part 6 or part 4: each run evaluates only its own workflow's modules, the tracing interceptors are bundled only for workers that trace, one search-attribute upsert per spend. What is left is work bare Temporal does not do: more history events per run (part 4: search attributes for status, pipeline, cost and budget, each a visibility write on the server), the metrics and final-status interceptor on every activation, the payload codec (AES-GCM on every payload), and per model call the daily-cap reservation (one transaction of several statements on the day's row lock), the llm_calls row and its settlement. What it would take to come within 5 %: fewer round trips per call (reservation and record as single statements, or batched), search attributes set only at start and close plus on escalation, and a machine whose cores are not shared with the dev server and Postgres — on two shared cores every millisecond of guard CPU is taken from the runs.",
    );
  }
  if (missed.memory) {
    notes.push(
      "- **Memory.** What a waiting Breakwater run holds beyond bare's is in the workflow thread (the heap column reads the worker's main thread only): the modules its own workflow imports, evaluated in its own module cache — the agent runner, the human gate, the contracts' zod schemas built at module load — and the metrics interceptor, against bare's @temporalio/workflow alone. Part 6 measures what lazy workflows and leaving the tracing interceptors out saved. zod schemas cannot be shared between runs: Temporal deep-freezes shared modules, and zod memoizes on its schema objects (tried: \"Cannot define property safeParse, object is not extensible\"). What it would take to reach 1.2×: contracts that build their schemas on first use, and an entry module for the workflow API that does not pull every contract into each run.",
    );
  }
  if (missed.contention) notes.push('- **Contention.** A check above failed: an admission was lost or doubled. That is a correctness bug in the guard named, not a performance figure; it must be fixed before anything else.');
  if (missed.tracing) {
    notes.push(
      '- **Tracing.** The overhead with export is above 5 %. "Off" now runs without the tracing interceptors at all (part 6), so "on" pays for everything tracing adds: each run evaluates OpenTelemetry\'s API and SDK (they cannot be shared between runs: the interceptor registers each run\'s tracer provider on the API\'s global facade), creates the workflow and activity-scheduling spans, and the worker serializes and POSTs them on the event loop the activations share. The previous run measured 5.2 % against an "off" that still carried the interceptors. What it would take: head sampling decided at the client (an unsampled run skips the span work), a larger batch and schedule delay (fewer, bigger exports).',
    );
  }
  return notes.length ? ['### Targets missed in this run: why, and what it would take', '', ...notes].join('\n') : '';
}
