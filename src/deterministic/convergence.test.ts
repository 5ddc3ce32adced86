import assert from 'node:assert/strict';
import { test } from 'node:test';
import { beforeIteration, beforeStep, checkCost, checkReplan, commitReplan, logAction, onRequest, onResult, raiseCostCeiling, startConvergence } from './convergence';

const at = (s: number) => new Date(s * 1000).toISOString();

test('step budget is 3 × the original plan size: the 7th step of a 2-step plan trips', () => {
  const s = startConvergence({ planSize: 2, estimatedCostUsd: 1 });
  for (let i = 1; i <= 6; i++) assert.equal(beforeStep(s, `s${i}`), undefined);
  const trip = beforeStep(s, 's7');
  assert.equal(trip?.kind, 'step-budget');
  assert.equal(trip?.limit, 6);
  assert.equal(s.executedSteps, 6, 'the tripped step is not counted as executed');
});

test('re-planning: depth 2 then a person; at most 2 re-plans per run; cooldown between re-plans', () => {
  const s = startConvergence({ planSize: 1, estimatedCostUsd: 1, limits: { replanCooldownMs: 5000 } });
  assert.deepEqual(checkReplan(s, 0, 1000), { waitMs: 0 });
  commitReplan(s, 1000);
  assert.deepEqual(checkReplan(s, 1, 2000), { waitMs: 4000 }, 'cooldown: 5 s after the last re-plan');
  assert.deepEqual(checkReplan(s, 1, 7000), { waitMs: 0 });
  const depth = checkReplan(s, 2, 7000, 'state-abbrev');
  assert.ok('trip' in depth && depth.trip.kind === 'replan-depth' && depth.trip.step === 'state-abbrev');
  commitReplan(s, 7000);
  const total = checkReplan(s, 0, 99_000);
  assert.ok('trip' in total && total.trip.kind === 'replan-limit' && total.trip.observed === 2);
});

test('repeated action: the 3rd identical request in a row from one agent trips, with the coordination log', () => {
  const s = startConvergence({ planSize: 1, estimatedCostUsd: 1 });
  const ask = (i: number, action = 'I need more context') => onRequest(s, { at: at(i), agent: 'analyst', to: 'researcher', action, step: 'analyze' });
  assert.equal(ask(1), undefined);
  logAction(s, { at: at(2), agent: 'researcher', action: 'provide-context', step: 'analyze' });
  assert.equal(ask(3, 'i need more context!'), undefined, 'case and punctuation do not make a request different');
  logAction(s, { at: at(4), agent: 'researcher', action: 'provide-context', step: 'analyze' });
  const trip = ask(5);
  assert.equal(trip?.kind, 'repeated-action');
  assert.equal(trip?.observed, 3);
  assert.deepEqual(trip?.log.map((e) => `${e.agent}:${e.action}`), [
    'analyst:I need more context', 'researcher:provide-context', 'analyst:i need more context!', 'researcher:provide-context', 'analyst:I need more context',
  ]);
  assert.equal(trip?.log[0]?.at, at(1));
});

test('a different action or a result breaks the run of repeats', () => {
  const s = startConvergence({ planSize: 1, estimatedCostUsd: 1 });
  const ask = (action: string) => onRequest(s, { at: at(0), agent: 'analyst', to: 'researcher', action });
  ask('need more context');
  ask('need more context');
  assert.equal(ask('need sales figures'), undefined);
  ask('need more context');
  onResult(s, 'analyst');
  assert.equal(ask('need more context'), undefined);
  assert.equal(ask('need more context'), undefined);
  assert.equal(ask('need more context')?.kind, 'repeated-action');
});

test('max iterations counts every agent turn', () => {
  const s = startConvergence({ planSize: 1, estimatedCostUsd: 1, limits: { maxIterations: 2 } });
  assert.equal(beforeIteration(s), undefined);
  assert.equal(beforeIteration(s), undefined);
  assert.equal(beforeIteration(s)?.kind, 'max-iterations');
});

test('cost pauses above 2 × the estimate; a person raising it moves the ceiling by another 2 × estimate', () => {
  const s = startConvergence({ planSize: 3, estimatedCostUsd: 0.5 });
  assert.equal(checkCost(s, 1.0), undefined);
  const trip = checkCost(s, 1.01);
  assert.equal(trip?.kind, 'cost-ceiling');
  assert.equal(trip?.limit, 1);
  raiseCostCeiling(s, 1.01);
  assert.equal(checkCost(s, 2.0), undefined);
  assert.equal(checkCost(s, 2.02)?.kind, 'cost-ceiling');
});

test('state is plain JSON; invalid limits are refused', () => {
  const s = startConvergence({ planSize: 2, estimatedCostUsd: 1 });
  onRequest(s, { at: at(0), agent: 'a', to: 'b', action: 'x' });
  assert.deepEqual(JSON.parse(JSON.stringify(s)), s);
  assert.throws(() => startConvergence({ planSize: 0, estimatedCostUsd: 1 }), RangeError);
  assert.throws(() => startConvergence({ planSize: 1, estimatedCostUsd: 1, limits: { repeatLimit: -1 } }), RangeError);
});
