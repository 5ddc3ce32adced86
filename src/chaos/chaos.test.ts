/**
 * A shortened chaos run inside `npm test`: every pipeline kind twice, 40 s of seeded faults (worker
 * SIGKILLs at every named fault point and at random, an alert channel down, a dev-server restart, a Postgres restart, portal / LLM /
 * enrichment faults), then the invariants. The portal's rate limit is left out here: its Retry-After of up
 * to a minute belongs to the full run (`npm run chaos`); so is the portal's lost response (see below).
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { renderReliability } from './report';
import { runChaos } from './runner';
import { createFaultSchedule, faultKinds } from './schedule';

test('the fault schedule is a pure function of the seed and holds every kind asked for', () => {
  const a = createFaultSchedule({ seed: 5, durationMs: 60_000 });
  assert.deepEqual(a, createFaultSchedule({ seed: 5, durationMs: 60_000 }));
  assert.notDeepEqual(a, createFaultSchedule({ seed: 6, durationMs: 60_000 }));
  assert.deepEqual(new Set(a.map((e) => e.kind)), new Set(faultKinds));
  const infra = a.filter((e) => e.kind === 'temporal-restart' || e.kind === 'postgres-restart');
  for (let i = 1; i < infra.length; i++) assert.ok(infra[i]!.atMs >= infra[i - 1]!.atMs + infra[i - 1]!.durationMs + 12_000, 'restarts are kept apart');
  assert.ok(a.every((e) => e.atMs >= 6000), 'no fault before the window opens');
  // --temporal-restarts 3: two more restarts, kept apart like the others; 0 extra leaves the schedule as it was.
  assert.deepEqual(createFaultSchedule({ seed: 5, durationMs: 60_000, extraTemporalRestarts: 0 }), a);
  const more = createFaultSchedule({ seed: 5, durationMs: 60_000, extraTemporalRestarts: 2 });
  assert.equal(more.filter((e) => e.kind === 'temporal-restart').length, 3);
  const moreInfra = more.filter((e) => e.kind === 'temporal-restart' || e.kind === 'postgres-restart');
  for (let i = 1; i < moreInfra.length; i++) assert.ok(moreInfra[i]!.atMs >= moreInfra[i - 1]!.atMs + moreInfra[i - 1]!.durationMs + 12_000, 'extra restarts are kept apart too');
});

test('chaos (seed 11, 2 runs per kind, 40 s): nothing lost, no duplicate, no wrong VERIFIED, no double apply, no stale decision, no lost alert, no overspend', { timeout: 540_000 }, async () => {
  const result = await runChaos({
    seed: 11,
    perKind: 2,
    durationS: 40,
    settleS: 200,
    // The portal's three fault points are reached one after the other, each through a worker SIGKILL and
    // restart; on a loaded 2-core machine 90 s was once not enough for the third (CI, 2026-12-01).
    probeGraceS: 180,
    // Two POST faults with no successful POST between open the (human-cleared) breaker, and with only two
    // submissions here that can happen: then no probe reaches the portal's fault points. One POST fault
    // (5xx) stays; the lost acknowledgement is the crash at portal.submit.afterPost. The full run has both.
    kinds: faultKinds.filter((k) => k !== 'portal-429' && k !== 'portal-lost-response'),
    log: (line) => process.env.CHAOS_VERBOSE && process.stdout.write(`${line}\n`),
  });
  const f = result.figures;
  const context = `violations: ${result.violations.join('; ')}\nnot recovered: ${f.notRecovered.join('\n')}`;
  assert.ok(f.runs >= 16, 'every planned run, and the probes that reach fault points no planned run reached');
  assert.equal(f.lost, 0, context);
  assert.equal(f.duplicateSubmissions, 0, context);
  assert.equal(f.stuck, 0, context);
  assert.equal(f.budgetOverruns, 0, f.overruns.join('; '));
  assert.equal(f.wrongResults, 0, context);
  assert.equal(f.wrongVerified, 0, context);
  assert.ok(f.stale.sent > 0, 'stale decisions were sent to the runs waiting on a person');
  assert.equal(f.stale.applied, 0, f.stale.details.join('; '));
  assert.ok(f.alerts.recorded > 0, 'alerts were raised');
  assert.equal(f.alerts.lost, 0, `alerts: ${JSON.stringify(f.alerts)}`);
  assert.deepEqual(f.unfiredPoints, [], `every named fault point crashed a worker at least once: ${JSON.stringify(f.crashedAt)}\n${context}`);
  assert.ok(f.autoRecoveredShare !== null && f.autoRecoveredShare >= 0.95, `auto-recovered ${f.autoRecovered} of ${f.hitByTransientFault}\n${context}`);
  assert.equal(f.sharedCounter.actual, f.sharedCounter.expected, 'no shared-state update lost or applied twice');
  assert.equal(f.escalatedWithContext, f.escalated, 'every escalation carries its context');
  assert.equal(f.escalationsNotMarked, 0);
  assert.ok(f.escalatedAsDesigned >= 2, 'the approvals wait for a person');
  assert.deepEqual(result.violations, []);

  // The faults really happened, and reached runs.
  assert.equal(result.temporalRestarts, 1);
  assert.equal(result.postgresRestarts, 1);
  assert.ok(result.fleet.killed >= 1, 'a worker was SIGKILLed at a random moment');
  assert.ok(f.hitByTransientFault > 0, 'at least one run was hit by a fault');
  assert.equal(typeof f.autoRecoveredShare, 'number', 'the auto-recovered share is reported');
  assert.match(renderReliability(result), /Auto-recovered share of transient faults\*\* \| \*\*\d+\.\d %/);

  // Nothing is left waiting.
  assert.equal(result.windDown.resolved + result.windDown.terminated, f.escalated + f.stuck);
  assert.equal(result.windDown.completedAfterResolution, result.windDown.resolved);
});
