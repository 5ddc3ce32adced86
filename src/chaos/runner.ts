/**
 * One chaos run: start the stack, start M runs of every pipeline kind spread over the first 70 % of the
 * run, inject the seeded faults on their schedule, heal everything, let the runs settle, check the
 * invariants, then resolve (designed escalations) or terminate (anything else) what still waits, and tear
 * the stack down.
 */
import { setTimeout as delay } from 'node:timers/promises';
import type { Client } from '@temporalio/client';
import { resolveEscalation } from '../client/escalations';
import { createSeededRandom } from '../deterministic/seededRandom';
import { applyFault, healAll, type AppliedFault } from './injector';
import { checkInvariants, violations, type ChaosFigures, type RunReport } from './invariants';
import { faultEvidence, llmTroubleByWorkflow, settle } from './observe';
import { planRuns, probeGroup, probeRun, startRun, type PlannedRun } from './pipelines';
import { crashPoints, createFaultSchedule, faultKinds, type FaultEvent, type FaultKind } from './schedule';
import { DAILY_CAP_USD, startChaosStack, type ChaosStack, type ChaosTemporalKind } from './stack';
import type { FleetStats } from './workerFleet';
import { probeStaleDecisions } from './staleProbe';
import { checkVisibility, visibilityViolations, type VisibilityFigures } from './visibilityCheck';
import { createAlertStore } from '../store/alerts';
import type { Db } from '../store/db';

export interface ChaosOptions {
  seed: number;
  /** Runs of each pipeline kind. */
  perKind: number;
  /** Length of the fault phase; runs start in its first 70 %. */
  durationS: number;
  /** Longest wait, after the faults, for every run to complete or escalate. Default 300 s. */
  settleS?: number;
  /** Worker processes. Default 2. */
  workers?: number;
  kinds?: readonly FaultKind[];
  /** Random faults (worker kills, LLM / portal / enrichment bursts) per minute on top of one of each kind. Default 4. */
  faultsPerMinute?: number;
  /**
   * How long after the fault phase probes may still try to reach a fault point that has not fired. Default 90 s.
   * Each point costs a SIGKILL and a worker restart, one after the other for the portal's three windows, so a
   * short run on a loaded machine needs longer.
   */
  probeGraceS?: number;
  /** The dev server (default) or the production-configured cluster (src/devstack/temporalCluster.ts). */
  temporal?: ChaosTemporalKind;
  /** Temporal restarts in the schedule (default 1, the one of each kind). */
  temporalRestarts?: number;
  log?: (line: string) => void;
}

export interface WindDown {
  resolved: number;
  completedAfterResolution: number;
  terminated: number;
}

export interface ChaosResult {
  options: Required<Omit<ChaosOptions, 'log'>>;
  schedule: FaultEvent[];
  applied: AppliedFault[];
  figures: ChaosFigures;
  /** `breakwater runs` and its search-attribute filters against visibility, after the faults. */
  visibility: VisibilityFigures;
  violations: string[];
  reports: RunReport[];
  windDown: WindDown;
  fleet: FleetStats;
  /** Temporal kills + restarts that completed (dev server, or every process of the cluster). */
  temporalRestarts: number;
  /** Time from the start until the stack (Temporal, Postgres, simulators, workers) was ready. */
  stackReadyMs: number;
  postgresRestarts: number;
  elapsedMs: number;
  settledMs: number;
}

const withDeadline = <T>(client: Client, ms: number, fn: () => Promise<T>) => client.connection.withDeadline(Date.now() + ms, fn);

/**
 * Starts probe runs (pipelines.ts `probeRun`) while a named fault point has not fired: one per group at a
 * time, a new one every 10 s, so that every point crashes a worker at least once even in a short run.
 */
async function probeUnfiredPoints(stack: ChaosStack, runs: PlannedRun[], seed: number, until: number, log: (line: string) => void): Promise<void> {
  const lastProbe = new Map<string, number>();
  let n = 0;
  while (Date.now() < until && stack.fleet.unfired().length > 0) {
    for (const point of stack.fleet.unfired()) {
      const group = probeGroup(point);
      if (Date.now() - (lastProbe.get(group) ?? 0) < 10_000) continue;
      lastProbe.set(group, Date.now());
      const run = probeRun(seed, point, n++);
      runs.push(run);
      await startRun(stack.client, stack.taskQueue, run);
      log(`chaos: probe ${run.workflowId} started to reach ${point}`);
    }
    await delay(1000);
  }
}

/** Waits for the workers' relays to deliver every alert still pending in the outbox (a channel was down). */
async function drainAlertOutbox(db: Db, timeoutMs: number, log: (line: string) => void): Promise<void> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const { pending } = await createAlertStore(db).counts();
    if (pending === 0 || Date.now() > until) return;
    log(`chaos: ${pending} alert(s) pending in the outbox; waiting for the relay`);
    await delay(5000);
  }
}

/** Designed escalations get the decision they wait for; everything else still open is terminated. */
async function windDown(client: Client, sign: ChaosStack['sign'], reports: RunReport[]): Promise<WindDown> {
  const out: WindDown = { resolved: 0, completedAfterResolution: 0, terminated: 0 };
  await Promise.all(
    reports.map(async (r) => {
      if (r.state.outcome === 'completed' || r.state.outcome === 'lost') return;
      const handle = client.workflow.getHandle(r.run.workflowId);
      const e = r.state.escalation;
      if (e && e.kind === r.run.designedEscalation && e.workflowId === r.run.workflowId) {
        try {
          await resolveEscalation(client, r.run.workflowId, sign(r.run.workflowId, { decision: 'approve', by: 'chaos-oncall', reason: 'chaos run over', escalation: e.id }));
          out.resolved += 1;
          await withDeadline(client, 30_000, () => handle.result());
          out.completedAfterResolution += 1;
          return;
        } catch {
          /* fall through: terminate */
        }
      }
      const terminated = await handle.terminate('chaos run over').then(() => true, () => false);
      if (terminated) out.terminated += 1;
    }),
  );
  return out;
}

export async function runChaos(o: ChaosOptions): Promise<ChaosResult> {
  const log = o.log ?? (() => undefined);
  const options = { seed: o.seed, perKind: o.perKind, durationS: o.durationS, settleS: o.settleS ?? 300, workers: o.workers ?? 2, kinds: o.kinds ?? faultKinds, faultsPerMinute: o.faultsPerMinute ?? 4, probeGraceS: o.probeGraceS ?? 90, temporal: o.temporal ?? 'dev', temporalRestarts: o.temporalRestarts ?? 1 };
  const probeGraceMs = options.probeGraceS * 1000;
  const durationMs = options.durationS * 1000;
  const schedule = createFaultSchedule({ seed: options.seed, durationMs, kinds: options.kinds, extraPerMinute: options.faultsPerMinute, extraTemporalRestarts: Math.max(0, options.temporalRestarts - 1) });
  const began = Date.now();
  log(`chaos: seed ${options.seed}, ${options.perKind} run(s) per kind, ${options.durationS} s, ${schedule.length} fault(s), Temporal: ${options.temporal}; starting the stack`);
  // Fault points are armed from the first worker on, so every one has the whole run to be reached.
  const stack = await startChaosStack({ seed: options.seed, workers: options.workers, log, armedAt: options.kinds.includes('worker-crash-at-point') ? crashPoints : [], temporal: options.temporal });
  try {
    const runs = planRuns({ seed: options.seed, perKind: options.perKind, sourceUrl: (n) => stack.sources.sourceUrl(n) });
    const r = createSeededRandom(options.seed ^ 0x5f3759df);
    const startAt = runs.map(() => Math.round(r() * durationMs * 0.7));
    const t0 = Date.now();
    const stackReadyMs = t0 - began;
    const at = () => Date.now() - t0;

    const applied: AppliedFault[] = [];
    const faulting = schedule.map(async (e) => {
      await delay(e.atMs);
      const startedMs = at();
      let effect: string;
      try {
        effect = await applyFault(stack, e, { phaseEndsAt: t0 + durationMs + probeGraceMs });
      } catch (err) {
        effect = `could not apply: ${(err as Error).message}`;
      }
      applied.push({ event: e, startedMs, endedMs: at(), effect });
      log(`fault #${e.seq} ${e.kind} at ${(startedMs / 1000).toFixed(1)} s: ${effect}`);
    });
    const starting = runs.map(async (run, i) => {
      await delay(startAt[i]!);
      await startRun(stack.client, stack.taskQueue, run);
    });
    await Promise.all(starting);
    log(`chaos: ${runs.length} runs started`);
    await probeUnfiredPoints(stack, runs, options.seed, t0 + durationMs + probeGraceMs, log);
    await Promise.all(faulting);
    await delay(Math.max(0, durationMs - at()));
    await healAll(stack);
    applied.sort((a, b) => a.event.seq - b.event.seq);

    log('chaos: faults over; settling');
    const settleFrom = Date.now();
    const states = await settle(stack.client, runs, options.settleS * 1000, log);
    const settledMs = Date.now() - settleFrom;
    const llmTrouble = await llmTroubleByWorkflow(stack.db);
    const evidence = new Map<string, string[]>();
    await Promise.all(runs.map(async (run) => evidence.set(run.workflowId, await faultEvidence(stack.client, run, llmTrouble))));
    const portal = { submissions: stack.portal.submissions(), stats: stack.portal.stats() };
    const stale = await probeStaleDecisions(stack.client, stack.sign, [...states].map(([id, state]) => ({ run: runs.find((x) => x.workflowId === id)!, state, evidence: [], exposed: false })));
    log(`chaos: ${stale.sent} stale decision(s) sent, ${stale.applied} applied`);
    await drainAlertOutbox(stack.db, 180_000, log);
    const alertChannel = { received: stack.alerts.received(), refused: stack.alerts.stats().refused };
    const { reports, figures } = await checkInvariants({
      db: stack.db, seed: options.seed, dailyCapUsd: DAILY_CAP_USD, runs, states, evidence, faults: applied, runStartedAt: t0, portal, stale, alertChannel, crashedAt: stack.fleet.stats().crashedAt,
    });
    const visibility = await checkVisibility({ client: stack.client, db: stack.db, runs, states, since: new Date(t0 - 60_000) });
    log(`chaos: visibility — ${visibility.listed}/${visibility.started} runs listed, ${visibility.pipelineFilterMismatches} --pipeline mismatches over ${visibility.pipelines} pipelines, ${visibility.awaitingListed}/${visibility.awaiting} escalations listed AwaitingHuman (${visibility.tookMs} ms)`);
    const broken = [...violations(figures), ...visibilityViolations(visibility)];
    log(`chaos: checked — ${broken.length ? `VIOLATED: ${broken.join('; ')}` : 'all invariants hold'}`);

    const wound = await windDown(stack.client, stack.sign, reports);
    return {
      options, schedule, applied, figures, visibility, violations: broken, reports, windDown: wound, fleet: stack.fleet.stats(),
      temporalRestarts: applied.filter((a) => a.event.kind === 'temporal-restart' && !a.effect.startsWith('could not apply')).length, postgresRestarts: stack.postgres.restarts,
      elapsedMs: Date.now() - began, settledMs, stackReadyMs,
    };
  } finally {
    await stack.teardown();
  }
}
