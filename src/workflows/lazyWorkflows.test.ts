/**
 * lazyWorkflows: a workflow's module is evaluated by the runs of that workflow only. Unit: names are listed
 * without loading, each loader runs once. On a real worker (dev server, Postgres): a user's lazy workflows
 * module bundled with Breakwater's workflows — a run of `hello` completes though evaluating `explodes`'s
 * module throws, and a run of `explodes` does evaluate it.
 */
import assert from 'node:assert/strict';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { decodeHistory } from '../codec/decodeHistory';
import { startTestStack, type TestStack } from '../testing/harness';
import { waitFor } from '../testing/waitFor';
import { lazyWorkflows } from './lazyWorkflows';

test('names are listed without loading; a loader runs on first use, once', () => {
  const loads: string[] = [];
  const mod = lazyWorkflows({} as Record<string, unknown>, {
    a: () => (loads.push('a'), () => 'A'),
    b: () => (loads.push('b'), () => 'B'),
  });
  assert.deepEqual(Object.keys(mod), ['a', 'b']);
  assert.ok(Object.prototype.hasOwnProperty.call(mod, 'b'));
  assert.deepEqual(loads, [], 'listing and checking names loaded nothing');
  assert.equal((mod.a as () => string)(), 'A');
  assert.equal((mod.a as () => string)(), 'A');
  assert.deepEqual(loads, ['a'], 'a loaded once, b never');
});

let stack: TestStack;
before(async () => {
  stack = await startTestStack({ worker: () => ({ workflowsPath: path.join(__dirname, 'fixtures', 'lazy', 'index.js') }) });
  await stack.startWorker();
});
after(async () => stack?.teardown());

test('on a real worker, a run evaluates only its own workflow module', async () => {
  const client = stack.env.client;
  const hello = await client.workflow.start('hello', { taskQueue: stack.taskQueue, workflowId: `lazy-hello-${Date.now()}`, args: ['world'] });
  // Eagerly loaded, explodes.ts would fail every workflow task of this run: it would never complete.
  const result = await Promise.race([hello.result(), new Promise((_, reject) => setTimeout(() => reject(new Error('hello did not complete in 30 s: another workflow module was evaluated')), 30_000))]);
  assert.equal(result, 'hello world');

  const explodes = await client.workflow.start('explodes', { taskQueue: stack.taskQueue, workflowId: `lazy-explodes-${Date.now()}`, args: [] });
  const failed = await waitFor('the workflow task failure of explodes', async () => {
    const events = (await decodeHistory(client, await explodes.fetchHistory())).events ?? []; // failure messages are encrypted
    return events.find((e) => e.workflowTaskFailedEventAttributes)?.workflowTaskFailedEventAttributes?.failure?.message ?? undefined;
  }, 30_000);
  assert.match(failed, /explodes\.ts was evaluated/);
  await explodes.terminate('test over');
});
