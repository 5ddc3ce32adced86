import assert from 'node:assert/strict';
import { test } from 'node:test';
import v8 from 'node:v8';
import { defaultMaxCachedWorkflows } from './workflowCache';

test('the default workflow cache fits the heap at what a Breakwater run holds, below the SDK default', () => {
  // 4 GiB heap: the SDK would cache (4096 - 200) × 600 / 1024 = 2,282 runs; at the 3.8 MiB measured each, 8.5 GiB.
  assert.equal(defaultMaxCachedWorkflows(4096), 768);
  assert.ok(defaultMaxCachedWorkflows(4096) * 3.8 <= 4096 - 256, 'the cached runs fit the heap at the measured size, with room to spare');
  assert.ok(defaultMaxCachedWorkflows(4096) < Math.floor(((4096 - 200) * 600) / 1024));
  assert.equal(defaultMaxCachedWorkflows(2048), 358);
  assert.equal(defaultMaxCachedWorkflows(128), 10, 'a tiny heap still caches a few runs');
  assert.equal(defaultMaxCachedWorkflows(), defaultMaxCachedWorkflows(v8.getHeapStatistics().heap_size_limit / 2 ** 20), 'read from this process by default');
});
