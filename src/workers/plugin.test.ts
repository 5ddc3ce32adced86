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
import { loadConfig } from '../config';
import { createPool } from '../store/db';
import { dropSchema } from '../store/migrate';
import { startTestStack, type TestStack } from '../testing/harness';
import { waitFor } from '../testing/waitFor';
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

test('breakwater() with no pool of the caller makes its own, migrates the schema before polling, and ends it when the worker stops', async () => {
  const schema = `${stack.schema}_own`;
  const probe = createPool(stack.config.database);
  // A name of its own on the plugin pool's connections (the URL's wins over the pool's default), to count them.
  const app = `bw_plugin_${stack.schema}`;
  const url = new URL(String(stack.settings.DATABASE_URL));
  url.searchParams.set('application_name', app);
  const config = loadConfig({ ...stack.settings, DATABASE_URL: url.toString(), DATABASE_SCHEMA: schema });
  const pluginConnections = async () => Number((await probe.query<{ n: string }>('SELECT count(*) AS n FROM pg_stat_activity WHERE application_name = $1', [app])).rows[0]?.n);
  const worker = await Worker.create({ connection: stack.env.nativeConnection, taskQueue: `${stack.taskQueue}-own`, workflowsPath, activities: { shout: async (s: string) => s, echoFromOtherPlugin: async (s: string) => s }, plugins: [breakwater({ config, alertRelay: false })] });
  try {
    await worker.runUntil(async () => {
      const run = await client.workflow.start<typeof shoutAndEcho>('shoutAndEcho', { taskQueue: `${stack.taskQueue}-own`, workflowId: `plugin-own-${stack.schema}`, args: ['x'] });
      assert.equal(await run.result(), 'x x');
      const { rows } = await probe.query<{ n: string }>(`SELECT count(*) AS n FROM "${schema}".schema_migrations`);
      assert.ok(Number(rows[0]?.n) > 0, "Breakwater's migrations were applied in the plugin's schema");
      assert.ok((await pluginConnections()) > 0, "the plugin's own pool is in use");
    });
    // The plugin's pool is ended with its last worker: no connection of it is left open.
    await waitFor("the plugin's pool to end", async () => (await pluginConnections()) === 0, 10_000);
  } finally {
    await dropSchema(probe, schema).catch(() => undefined);
    await probe.end();
  }
});
