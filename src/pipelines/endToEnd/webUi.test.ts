/**
 * The Temporal Web UI shows our runs usefully: a real dev server with its UI, a finished submit-and-verify
 * run, and a headless Chromium that opens the run's page and finds the pipeline's activities (readable
 * names) in its history, its search attributes and its summary. The screenshot is kept in test-artifacts/.
 *
 * Payloads are encrypted (src/codec), so the UI shows them through `breakwater codec-server`
 * (`--ui-codec-endpoint`): the browser signs in at the codec server's /login and the UI's codec setting
 * "include cross-origin credentials" is on. Without the sign-in the UI gets nothing decoded.
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
import { startCodecServer, type CodecServer } from '../../codec/codecServer';
import { generateKeySpec, parseKeyRing } from '../../codec/keys';
import { createEncryptionCodec } from '../../codec/payloadCodec';
import { requestApproval } from '../../workflows/requestApproval';
import type { Page } from 'playwright-core';

let stack: TestStack;
let portal: PortalSimulator;
let browser: Browser;
let uiPort: number;
let codec: CodecServer;
const KEYS = generateKeySpec('ui');
const TOKEN = `ui-test-${generateKeySpec('t').slice(2)}`;
const SECRET = 'sk-live-PLANTED-webui-7731';

before(async () => {
  uiPort = await findFreePort();
  portal = await startPortalSimulator({ lagMs: 200 });
  codec = await startCodecServer({ codec: createEncryptionCodec(parseKeyRing(KEYS)), token: TOKEN, uiOrigin: `http://127.0.0.1:${uiPort}`, port: 0 });
  stack = await startTestStack({ uiPort, uiCodecEndpoint: codec.url, env: { PORTAL_URL: portal.url, BREAKWATER_CODEC_KEYS: KEYS } });
  await stack.startWorker();
  browser = await launchChromium();
});
after(async () => {
  await browser?.close();
  await stack?.teardown();
  await codec?.close();
  await portal?.close();
});

/** What a person does once: sign in at the codec server, and tick the UI's "include cross-origin credentials". */
async function signInToCodec(page: Page): Promise<void> {
  await page.goto(`${codec.url}/login`);
  await page.locator('input[name="token"]').fill(TOKEN);
  await Promise.all([page.waitForLoadState('domcontentloaded'), page.locator('button').click()]);
  assert.match(await page.locator('body').innerText(), /signed in/);
  await page.goto(`http://127.0.0.1:${uiPort}/`, { waitUntil: 'domcontentloaded' });
  // The UI's own codec settings (its "Codec Server" dialog writes the same keys to localStorage).
  await page.evaluate((endpoint) => {
    const storage = (globalThis as unknown as { localStorage: { setItem(k: string, v: string): void } }).localStorage;
    storage.setItem('endpoint', JSON.stringify(endpoint));
    storage.setItem('overrideRemoteCodecConfiguration', 'true');
    storage.setItem('includeCredentials', 'true');
  }, codec.url);
}

const inputPage = (workflowId: string, runId: string) => `http://127.0.0.1:${uiPort}/namespaces/default/workflows/${encodeURIComponent(workflowId)}/${runId}/history`;

test('the Web UI with the codec endpoint shows the decoded input of a run whose raw history holds ciphertext only', async () => {
  const handle = await stack.env.client.workflow.start(requestApproval, { taskQueue: stack.taskQueue, workflowId: `webui-secret-${stack.schema}`, args: [{ subject: `refund ${SECRET}` }] });
  const { runId } = await handle.describe();
  // Before signing in (a fresh profile): the UI asks the codec server and is refused — no plaintext on the page.
  const before = await browser.context.newPage();
  await before.goto(inputPage(handle.workflowId, runId), { waitUntil: 'domcontentloaded', timeout: 60_000 });
  await before.getByText('requestApproval').first().waitFor({ timeout: 60_000 });
  await before.waitForTimeout(3000);
  assert.ok(!(await before.locator('body').innerText()).includes(SECRET), 'no plaintext without signing in');
  await before.close();
  const page = await browser.context.newPage();
  await signInToCodec(page);
  await page.goto(inputPage(handle.workflowId, runId), { waitUntil: 'domcontentloaded', timeout: 60_000 });
  await page.getByText(SECRET, { exact: false }).first().waitFor({ timeout: 60_000 });
  mkdirSync(artifactsDir(), { recursive: true });
  await page.screenshot({ path: path.join(artifactsDir(), 'temporal-web-ui-decoded-input.png'), fullPage: true });
  await page.close();
  await handle.terminate('test done');
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
  await signInToCodec(page); // the summary is a payload too: encrypted, shown through the codec server
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
