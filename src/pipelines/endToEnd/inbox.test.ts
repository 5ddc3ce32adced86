/**
 * The escalation inbox in a real headless Chromium: a submit-and-verify run waits on an open breaker; the
 * page (after a login) lists it with why, since when, the first failure, cost so far and a Web UI link; the
 * logged-in person clicks Approve; the same `resolve` Update as the CLI goes out, signed by the inbox
 * vouching for them and verified by the worker, who is recorded, and the run moves on to VERIFIED.
 */
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { webUiLink } from '../../client/connection';
import type { EscalationState } from '../../contracts/resolution';
import { startPortalSimulator, type PortalSimulator } from '../../simulators/portal';
import { artifactsDir, launchChromium, type Browser } from '../../devstack/chromium';
import { startTestStack, type TestStack } from '../testKit';
import { waitFor } from '../submitAndVerify/testKit';
import { submitAndVerify } from '../submitAndVerify/workflow';
import type { InboxServer } from '../../observability/inbox/server';
import { startSignedInbox } from './signedInbox';
import { createTestApprover } from '../../testing/approvers';

const dana = createTestApprover('dana');
const inboxKey = createTestApprover('inbox');
const PASSWORD = 'dana-password-for-tests';
let stack: TestStack;
let portal: PortalSimulator;
let inbox: InboxServer;
let browser: Browser;

before(async () => {
  portal = await startPortalSimulator({ lagMs: 100, mode: 'failing' });
  stack = await startTestStack({ approvers: [dana, inboxKey], env: { PORTAL_URL: portal.url, BREAKWATER_DECISION_VOUCHERS: 'inbox' } });
  await stack.startWorker();
  inbox = await startSignedInbox(stack, { inboxKey, passwords: { dana: PASSWORD } });
  browser = await launchChromium();
});
after(async () => {
  await browser?.close();
  await inbox?.close();
  await stack?.teardown();
  await portal?.close();
});

test('the inbox lists a run awaiting a person and Approve, clicked in Chromium, resolves it and the run moves on', async () => {
  const handle = await stack.env.client.workflow.start(submitAndVerify, {
    taskQueue: stack.taskQueue,
    workflowId: `inbox-${stack.schema}`,
    args: [{ recordId: 'INBOX-1', entityId: 'E', businessDate: '2025-03-04', options: { verifyDelay: 200, verifyDeadline: '10s', pollBackoff: { initial: 200 } } }],
  });
  await waitFor('the breaker escalation', async () => (await handle.query<EscalationState>('escalation')).open, 30_000);
  // Visibility (the list) is eventually consistent: wait until the run is listed as AwaitingHuman.
  const page = await browser.context.newPage();
  await page.goto(inbox.url);
  await page.waitForURL(/\/login$/); // no session: the list is not shown
  await page.locator('input[name="user"]').fill('dana');
  await page.locator('input[name="password"]').fill(PASSWORD);
  await page.locator('button[type="submit"]').click();
  await page.waitForURL(inbox.url);
  const cookie = (await browser.context.cookies(inbox.url)).map((c) => `${c.name}=${c.value}`).join('; ');
  await waitFor('the run in the inbox API', async () => {
    const body = (await (await fetch(`${inbox.url}api/escalations`, { headers: { cookie } })).json()) as { escalations: { workflowId: string }[] };
    return body.escalations.some((e) => e.workflowId === handle.workflowId) || undefined;
  });
  await page.goto(inbox.url);
  const card = page.locator(`li.escalation[data-workflow-id="${handle.workflowId}"]`);
  await card.waitFor();
  assert.equal(await card.locator('.kind').textContent(), 'breaker-open');
  assert.match((await card.locator('.why').textContent()) ?? '', /consecutive failures of portal\.submit/);
  assert.match((await card.locator('.failure').first().textContent()) ?? '', /First failure .*503/s);
  assert.match((await card.locator('.meta').textContent()) ?? '', /waiting since .* ago.*cost so far/s);
  assert.equal(await card.locator('h2 a').getAttribute('href'), webUiLink(stack.config, handle.workflowId, (await handle.describe()).runId));
  mkdirSync(artifactsDir(), { recursive: true });
  await page.screenshot({ path: path.join(artifactsDir(), 'inbox.png'), fullPage: true });

  // The portal is back; a person approves (which clears the breaker in their name) from the page.
  portal.configure({ mode: 'normal' });
  assert.equal(await page.locator('b.user').textContent(), 'dana', 'deciding as the logged-in approver');
  await card.locator('input[name="reason"]').fill('portal recovered');
  await card.locator('button.approve').click();
  await page.waitForURL(/done=/);
  assert.match((await page.locator('.flash.ok').textContent()) ?? '', new RegExp(`${handle.workflowId}: approve by dana`));

  const result = await handle.result();
  assert.equal(result.status, 'VERIFIED', 'the run moved on after the click');
  const state = await handle.query<EscalationState>('escalation');
  assert.deepEqual(
    state.resolved.map((r) => [r.escalation.kind, r.resolution.decision, r.resolution.by, r.resolution.reason]),
    [['breaker-open', 'approve', 'dana', 'portal recovered']],
  );
  const { rows: breaker } = await stack.db.query<{ state: string; cleared_by: string }>('SELECT state, cleared_by FROM circuit_breakers');
  assert.deepEqual(breaker.map((b) => [b.state, b.cleared_by]), [['closed', 'dana']]);
  const { rows: audit } = await stack.db.query<{ actor: string; accepted: boolean; detail: { decision: string; via: string } }>("SELECT actor, accepted, detail FROM audit_log WHERE action = 'resolve' AND target = $1", [handle.workflowId]);
  assert.deepEqual(audit.map((a) => [a.actor, a.accepted, a.detail.decision, a.detail.via]), [['dana', true, 'approve', 'inbox']]);

  // The page no longer lists it; a request from another origin is refused.
  await waitFor('the run to leave the inbox', async () => {
    await page.goto(inbox.url);
    return (await page.locator(`li.escalation[data-workflow-id="${handle.workflowId}"]`).count()) === 0 || undefined;
  });
  const forged = await fetch(`${inbox.url}resolve`, { method: 'POST', headers: { cookie, origin: 'http://evil.example', 'content-type': 'application/x-www-form-urlencoded' }, body: 'workflowId=x&decision=approve' });
  assert.equal(forged.status, 403);
  const { rows: verified } = await stack.db.query<{ verified_by: string; verification: string }>("SELECT verified_by, verification FROM audit_log WHERE accepted AND action = 'resolve:approve' AND target = $1", [handle.workflowId]);
  assert.deepEqual(verified, [{ verified_by: 'dana', verification: 'vouched:inbox' }], 'the worker verified the inbox vouching for dana');
  await page.close();
});
