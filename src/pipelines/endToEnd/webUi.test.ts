/**
 * The Temporal Web UI shows our runs usefully: a real dev server with its UI, a finished submit-and-verify
 * run, and a headless Chromium that opens the run's page and finds the pipeline's activities (readable
 * names) in its history, its search attributes and its summary. The screenshot is kept in test-artifacts/.
 */
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { searchAttributeKeys } from '../../contracts/searchAttributes';
import { findFreePort } from '../../devstack/processes';
import { startPortalSimulator, type PortalSimulator } from '../../simulators/portal';
import { artifactsDir, launchChromium, type Browser } from '../../devstack/chromium';
import { startTestStack, type TestStack } from '../testKit';
import { submitAndVerify } from '../submitAndVerify/workflow';

let stack: TestStack;
let portal: PortalSimulator;
let browser: Browser;
let uiPort: number;

before(async () => {
  uiPort = await findFreePort();
  portal = await startPortalSimulator({ lagMs: 200 });
  stack = await startTestStack({ uiPort, env: { PORTAL_URL: portal.url } });
  await stack.startWorker();
  browser = await launchChromium();
});
after(async () => {
  await browser?.close();
  await stack?.teardown();
  await portal?.close();
});

test("the dev server's Web UI shows a finished run: its activities, search attributes and summary", async () => {
  const workflowId = `webui-${stack.schema}`;
  const handle = await stack.env.client.workflow.start(submitAndVerify, {
    taskQueue: stack.taskQueue,
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
  for (const activity of ['performEffectOnce', 'observeEffect']) {
    await page.getByText(activity, { exact: false }).first().waitFor({ timeout: 60_000 });
  }
  const body = (await page.locator('body').innerText()).replace(/\s+/g, ' ');
  assert.match(body, /submitAndVerify/);
  assert.match(body, /submitAndVerify UI-1\/E for 2025-03-04/, 'the summary given at start');
  mkdirSync(artifactsDir(), { recursive: true });
  await page.screenshot({ path: path.join(artifactsDir(), 'temporal-web-ui-run.png'), fullPage: true });
  await page.close();
});
