/**
 * Replays every recorded history under test/fixtures/histories against the current workflow bundle.
 * A failure here means a code change would break workflows already running in production.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Worker } from '@temporalio/worker';
import { observabilitySinks } from '../../observability/workerObservability';
import { loadHistories } from '../../devstack/histories';
import { existsSync } from 'node:fs';
import { referenceBundlePath } from '../worker';
import { bundleTraces } from '../../workers/worker';

const histories = loadHistories();

test('there are recorded histories to replay', () => {
  assert.ok(histories.length > 0, 'no histories under test/fixtures/histories (record with BREAKWATER_RECORD_HISTORIES=1 npm test)');
});

test('the bundle replayed has no tracing interceptors, though most histories were recorded with them: they add no command', () => {
  assert.equal(bundleTraces({ codePath: referenceBundlePath() }), false);
});

for (const h of histories) {
  test(`replay ${h.name} is deterministic`, async () => {
    assert.ok(existsSync(referenceBundlePath()), 'run npm run build first: no prebuilt reference workflow bundle');
    await Worker.runReplayHistory({ workflowBundle: { codePath: referenceBundlePath() }, sinks: observabilitySinks() }, h.history, h.workflowId);
  });
}
