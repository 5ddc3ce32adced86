/**
 * Breakwater as a Temporal plugin on a user's own, plain `Worker.create` and `new Client`, against a real dev
 * server and Postgres: the user's workflow runs merged with Breakwater's bundle, beside another plugin (built
 * like @temporalio/ai-sdk's, on SimplePlugin) in either order; a plain client with the plugin reads the
 * encrypted result; a connection with the plugin finds the configured server; the recorded history replays.
 */
import assert from 'node:assert/strict';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { Client, Connection } from '@temporalio/client';
import { SimplePlugin } from '@temporalio/plugin';
import { Worker } from '@temporalio/worker';
import { startTestStack, type TestStack } from '../testing/harness';
import { searchAttribute } from '../testing/agentLayerKit';
import { breakwater } from './plugin';
import type { shoutAndEcho } from './fixtures/pluginWorkflows';

const workflowsPath = path.join(__dirname, 'fixtures', 'pluginWorkflows.js');
const otherPlugin = () =>
  new SimplePlugin({
    name: 'other',
    activities: { echoFromOtherPlugin: async (s: string) => `${s}!` },
    workerInterceptors: { workflowModules: [path.join(__dirname, 'fixtures', 'otherPluginInterceptors.js')] },
  });

let stack: TestStack;
let client: Client;
const running: Promise<void>[] = [];
const workers: Worker[] = [];

before(async () => {
  stack = await startTestStack();
  client = new Client({ connection: stack.env.connection, plugins: [breakwater({ config: stack.config })] });
  // The user's own Worker.create, the plugin after another one and before it.
  for (const [queue, plugins] of [
    [`${stack.taskQueue}-after`, [otherPlugin(), breakwater({ config: stack.config, db: stack.db })]],
    [`${stack.taskQueue}-before`, [breakwater({ config: stack.config, db: stack.db }), otherPlugin()]],
  ] as const) {
    const worker = await Worker.create({
      connection: stack.env.nativeConnection,
      taskQueue: queue,
      workflowsPath,
      activities: { shout: async (s: string) => s.toUpperCase() },
      plugins: [...plugins],
    });
    workers.push(worker);
    running.push(worker.run());
  }
});

after(async () => {
  for (const w of workers) w.shutdown();
  await Promise.allSettled(running);
  await stack?.teardown();
});

for (const order of ['after', 'before'] as const) {
  test(`a plain Worker.create with breakwater() ${order} another plugin runs the user's workflow with both plugins' activities and interceptors`, async () => {
    const run = await client.workflow.start<typeof shoutAndEcho>('shoutAndEcho', { taskQueue: `${stack.taskQueue}-${order}`, workflowId: `plugin-${order}-${stack.schema}`, args: ['hello'] });
    assert.equal(await run.result(), 'HELLO hello! [other plugin]');
    // Breakwater's workflow interceptors are in the bundle: the run's final status was set without the workflow saying so.
    assert.equal(await searchAttribute(run, 'BreakwaterStatus'), 'Completed');
  });
}

test("the result is encrypted in history: a client without the plugin sees ciphertext, one with it reads the result", async () => {
  const run = await client.workflow.start<typeof shoutAndEcho>('shoutAndEcho', { taskQueue: `${stack.taskQueue}-after`, workflowId: `plugin-cipher-${stack.schema}`, args: ['secret'] });
  await run.result();
  const plain = new Client({ connection: stack.env.connection });
  const history = await plain.workflow.getHandle(run.workflowId).fetchHistory();
  const completed = history.events?.find((e) => e.workflowExecutionCompletedEventAttributes)?.workflowExecutionCompletedEventAttributes;
  const payload = completed?.result?.payloads?.[0];
  assert.equal(Buffer.from(payload?.metadata?.encoding ?? []).toString(), 'binary/encrypted');
  assert.ok(!Buffer.from(payload?.data ?? []).toString().includes('SECRET'), 'no plaintext in the raw history');
  await assert.rejects(plain.workflow.getHandle(run.workflowId).result(), 'a plain client cannot decode it');
  const withPlugin = new Client({ connection: stack.env.connection, plugins: [breakwater({ config: stack.config })] });
  assert.equal(await withPlugin.workflow.getHandle(run.workflowId).result(), 'SECRET secret! [other plugin]');
});

test('a connection with the plugin and no address reaches the configured server; the client takes its namespace', async () => {
  const connection = await Connection.connect({ plugins: [breakwater({ config: stack.config })] });
  try {
    const viaConnection = new Client({ connection }); // the connection's plugins reach the client too
    assert.equal(viaConnection.options.namespace, stack.config.temporal.namespace);
    const run = await viaConnection.workflow.start<typeof shoutAndEcho>('shoutAndEcho', { taskQueue: `${stack.taskQueue}-before`, workflowId: `plugin-conn-${stack.schema}`, args: ['via'] });
    assert.equal(await run.result(), 'VIA via! [other plugin]');
  } finally {
    await connection.close();
  }
});

test('a run recorded on the plugin worker replays with the plugin on Worker.runReplayHistory', async () => {
  const handle = await client.workflow.start<typeof shoutAndEcho>('shoutAndEcho', { taskQueue: `${stack.taskQueue}-after`, workflowId: `plugin-replay-${stack.schema}`, args: ['again'] });
  await handle.result();
  const history = await handle.fetchHistory();
  await Worker.runReplayHistory({ workflowsPath, plugins: [otherPlugin(), breakwater({ config: stack.config, db: stack.db })] }, history, handle.workflowId);
});
