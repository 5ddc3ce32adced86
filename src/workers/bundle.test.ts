/**
 * What a bundle holds. The prebuilt bundles (`npm run build`) are for workers that do not trace: no
 * OpenTelemetry workflow interceptors, so no run evaluates OpenTelemetry's modules; a bundle built for a
 * tracing worker has them (the observability tests show its workflow spans).
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { breakwaterBundlePath, bundleWorkflows } from './bundle';
import { bundleTraces } from './worker';

test('the prebuilt bundles leave the tracing interceptors out', () => {
  assert.equal(bundleTraces({ codePath: breakwaterBundlePath() }), false, "Breakwater's prebuilt bundle (the reference pipelines': replay.test.ts)");
});

test('a bundle built with tracing (the default of bundleWorkflows) holds them; with tracing: false it does not', async () => {
  assert.equal(bundleTraces(await bundleWorkflows()), true);
  assert.equal(bundleTraces(await bundleWorkflows({ tracing: false })), false);
});
