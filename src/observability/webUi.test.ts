/**
 * The Temporal Web UI shows our runs usefully: a real dev server with its UI, a finished submit-and-verify
 * run, and a headless Chromium that opens the run's page and finds the pipeline's activities (readable
 * names) in its history, its search attributes and its summary. The screenshot is kept in test-artifacts/.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { createServer } from 'node:net';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import type { Worker } from '@temporalio/worker';
import { loadConfig } from '../config';
import { searchAttributeKeys } from '../contracts/searchAttributes';
import { ensureTemporalCli } from '../devstack/temporalTools';
import { startPortalSimulator, type PortalSimulator } from '../simulators/portal';
import { createPool, type Db } from '../store/db';
import { migrate } from '../store/migrate';
import { artifactsDir, launchChromium, type Browser } from '../testing/chromium';
import { createBreakwaterWorker } from '../workers/worker';
import { submitAndVerify } from '../workflows/submitAndVerify';

let env: TestWorkflowEnvironment;
let db: Db;
let schema: string;
let portal: PortalSimulator;
let worker: Worker;
let running: Promise<void>;
let browser: Browser;
let uiPort: number;

const freePort = () =>
  new Promise<number>((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });

before(async () => {
  uiPort = await freePort();
  env = await TestWorkflowEnvironment.createLocal({
    server: { executable: { type: 'existing-path', path: ensureTemporalCli() }, searchAttributes: [...searchAttributeKeys], ui: true, uiPort },
  });
  portal = await startPortalSimulator({ lagMs: 200 });
  schema = `t_${randomBytes(6).toString('hex')}`;
  const config = loadConfig({ ...process.env, DATABASE_SCHEMA: schema, TEMPORAL_TASK_QUEUE: `ui-${schema}`, TEMPORAL_ADDRESS: env.address, PORTAL_URL: portal.url, LOG_LEVEL: 'warn' });
  db = createPool(config.database);
  await migrate(db, schema);
  worker = await createBreakwaterWorker({ config, db, connection: env.nativeConnection });
  running = worker.run();
  browser = await launchChromium();
});
after(async () => {
  await browser?.close();
  worker?.shutdown();
  await running;
  await db?.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`).catch(() => undefined);
  await db?.end();
  await env?.teardown();
  await portal?.close();
});

test("the dev server's Web UI shows a finished run: its activities, search attributes and summary", async () => {
  const workflowId = `webui-${schema}`;
  const handle = await env.client.workflow.start(submitAndVerify, {
    taskQueue: `ui-${schema}`,
    workflowId,
    args: [{ recordId: 'UI-1', entityId: 'E', businessDate: '2025-03-04', options: { verifyDelay: 300, verifyDeadline: '10s', pollBackoff: { initial: 300 } } }],
    staticSummary: 'submitAndVerify UI-1/E for 2025-03-04',
  });
  assert.equal((await handle.result()).status, 'VERIFIED');
  const described = await handle.describe();
  assert.equal(described.typedSearchAttributes.get(searchAttributeKeys[0]), 'Completed');
  assert.equal(described.typedSearchAttributes.get(searchAttributeKeys[1]), 'submitAndVerify');

  const page = await browser.context.newPage();
  await page.setViewportSize({ width: 1400, height: 1600 });
  await page.goto(`http://127.0.0.1:${uiPort}/namespaces/default/workflows/${encodeURIComponent(workflowId)}/${described.runId}/history`, { waitUntil: 'domcontentloaded', timeout: 60_000 });
  for (const activity of ['submitToPortalOnce', 'checkPortalVisibility']) {
    await page.getByText(activity, { exact: false }).first().waitFor({ timeout: 60_000 });
  }
  const body = (await page.locator('body').innerText()).replace(/\s+/g, ' ');
  assert.match(body, /submitAndVerify/);
  assert.match(body, /submitAndVerify UI-1\/E for 2025-03-04/, 'the summary given at start');
  mkdirSync(artifactsDir(), { recursive: true });
  await page.screenshot({ path: path.join(artifactsDir(), 'temporal-web-ui-run.png'), fullPage: true });
  await page.close();
});
