/**
 * The failure catalog on its own: `raise` takes retryability from the catalog, `isFailure` and
 * `failureDetails` see through Temporal's wrappers, and every entry is well formed. (That every `BW_*`
 * type in the code is in a catalog, the pipelines' included, is src/pipelines/endToEnd/failureCatalog.test.ts.)
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ActivityFailure, ApplicationFailure, ChildWorkflowFailure, RetryState } from '@temporalio/common';
import { WorkflowFailedError } from '@temporalio/client';
import { ConfigError, isConfigError, NotFoundError } from './errors';
import { defineFailures, Failure, failureDetails, failureTypeOf, isFailure, raise } from './failures';

const inActivity = (cause: Error) => new ActivityFailure('activity failed', 'someActivity', '1', RetryState.NON_RETRYABLE_FAILURE, 'worker@host', cause);
const inChild = (cause: Error) =>
  new ChildWorkflowFailure('default', { workflowId: 'child', runId: 'r1' }, 'childWorkflow', RetryState.NON_RETRYABLE_FAILURE, cause);

test('raise: the type and message, non-retryable exactly when the catalog says retrying cannot help', () => {
  for (const [name, spec] of Object.entries(Failure)) {
    const f = raise(spec, `a ${name}`);
    assert.ok(f instanceof ApplicationFailure, name);
    assert.equal(f.type, spec.type, name);
    assert.equal(f.message, `a ${name}`, name);
    assert.equal(f.nonRetryable, !spec.retryable, name);
  }
  assert.equal(raise(Failure.InvalidInput, 'x').nonRetryable, true);
  assert.equal(raise(Failure.LlmUnavailable, 'x').nonRetryable, false);
});

test('raise: details as given, nextRetryDelay as given for a retryable type and dropped for a non-retryable one', () => {
  const busy = raise(Failure.FingerprintBusy, 'busy', { nextRetryDelay: 750, details: [{ key: 'k' }] });
  assert.equal(busy.nextRetryDelay, 750);
  assert.deepEqual(busy.details, [{ key: 'k' }]);
  assert.equal(raise(Failure.LlmRateLimited, 'x', { nextRetryDelay: 1234.5 }).nextRetryDelay, 1234.5);
  assert.equal(raise(Failure.RateLimited, 'x').nextRetryDelay, undefined);
  assert.equal(raise(Failure.BreakerOpen, 'open', { nextRetryDelay: 500 }).nextRetryDelay, undefined);
  const cause = new Error('root');
  assert.equal(raise(Failure.ConfigInvalid, 'bad', { cause }).cause, cause);
});

test('isFailure and failureTypeOf: the failure itself, and through ActivityFailure, ChildWorkflowFailure and WorkflowFailedError', () => {
  const rejected = raise(Failure.HumanRejected, 'rejected by ann', { details: [{ step: 's', by: 'ann' }] });
  const wrapped = [rejected, inActivity(rejected), inChild(rejected), inChild(inActivity(rejected)), new WorkflowFailedError('failed', inChild(rejected), RetryState.NON_RETRYABLE_FAILURE)];
  for (const e of wrapped) {
    assert.equal(failureTypeOf(e), Failure.HumanRejected.type, e.constructor.name);
    assert.ok(isFailure(e, Failure.HumanRejected), e.constructor.name);
    assert.ok(!isFailure(e, Failure.ApproverRejected), e.constructor.name);
  }
  assert.equal(failureTypeOf(inActivity(ApplicationFailure.create({ type: 'SomethingElse', message: 'x' }))), undefined);
  assert.equal(failureTypeOf(new Error('plain')), undefined);
  assert.equal(failureTypeOf(undefined), undefined);
  assert.ok(!isFailure(null, Failure.HumanRejected));
});

test('isFailure: a BreakwaterError by its code', () => {
  const e = new ConfigError('DATABASE_URL is not set', ['DATABASE_URL']);
  assert.equal(e.code, Failure.ConfigInvalid.type);
  assert.ok(isFailure(e, Failure.ConfigInvalid) && isConfigError(e));
  assert.ok(isFailure(new NotFoundError("No workflow with id 'x'"), Failure.NotFound));
});

test('failureDetails: details[0] of the failure of that type, through wrappers; undefined otherwise', () => {
  const open = raise(Failure.BreakerOpen, 'open', { details: [{ pipeline: 'p', step: 's' }, { second: true }] });
  assert.deepEqual(failureDetails(open, Failure.BreakerOpen), { pipeline: 'p', step: 's' });
  assert.deepEqual(failureDetails(inChild(inActivity(open)), Failure.BreakerOpen), { pipeline: 'p', step: 's' });
  assert.equal(failureDetails(inActivity(open), Failure.StateConflict), undefined);
  assert.equal(failureDetails(inActivity(raise(Failure.BreakerOpen, 'no details')), Failure.BreakerOpen), undefined);
});

test('the catalog: BW_ types, unique, each with a meaning', () => {
  const types = Object.values(Failure).map((s) => s.type);
  assert.equal(new Set(types).size, types.length);
  for (const [name, spec] of Object.entries(Failure)) {
    assert.match(spec.type, /^BW_[A-Z][A-Z0-9_]*$/, name);
    assert.ok(spec.meaning.trim().length > 0, `${name} has a meaning`);
    assert.equal(typeof spec.retryable, 'boolean', name);
  }
  assert.ok(Object.isFrozen(Failure) && Object.isFrozen(Failure.InvalidInput));
});

test('defineFailures refuses a type without the BW_ prefix and two entries of one type', () => {
  assert.throws(() => defineFailures({ Bad: { type: 'OOPS', retryable: false, meaning: 'm' } }), /must be BW_/);
  assert.throws(
    () => defineFailures({ A: { type: 'BW_SAME', retryable: false, meaning: 'a' }, B: { type: 'BW_SAME', retryable: true, meaning: 'b' } }),
    /share the type 'BW_SAME'/,
  );
});
