/**
 * The inbox's doors: a login for every page, a CSRF token (and a same-origin Origin) on every POST, and no
 * listening beyond loopback without TLS and a password login. A bad-input suite gets clear errors and
 * changes nothing; a logged-in approver's click is signed by the inbox and verified by the worker.
 */
import assert from 'node:assert/strict';
import { request } from 'node:http';
import { after, before, test } from 'node:test';
import { escalationQuery } from '../../contracts/messages';
import type { Escalation } from '../../contracts/resolution';
import { hashInboxPassword } from '../../identity/inboxLogin';
import { checkBind } from '../../observability/inbox/auth';
import { startInbox, type InboxServer } from '../../observability/inbox/server';
import { inboxForms, startSignedInbox } from './signedInbox';
import { createTestApprover } from '../../testing/approvers';
import { requestApproval } from '../../workflows/requestApproval';
import { startTestStack, type TestStack } from '../testKit';
import { waitForEscalation } from '../../testing/agentLayerKit';

const dana = createTestApprover('dana');
const inboxKey = createTestApprover('inbox');
const PASSWORD = 'correct horse battery staple';
let stack: TestStack;
let inbox: InboxServer;
let origin: string;

before(async () => {
  stack = await startTestStack({ approvers: [dana, inboxKey], env: { BREAKWATER_DECISION_VOUCHERS: 'inbox' } });
  await stack.startWorker();
  inbox = await startSignedInbox(stack, { inboxKey, passwords: { dana: PASSWORD } });
  origin = inbox.url.replace(/\/$/, '');
});
after(async () => {
  await inbox?.close();
  await stack?.teardown();
});

const { post, login: loginAs } = inboxForms(() => origin);
/** Logs in as dana: the session cookie and its CSRF token (read off the inbox page). */
const login = (password = PASSWORD) => loginAs('dana', password);

test('the inbox refuses to bind beyond loopback without TLS and a password login, and to run without any login', async () => {
  const base = { client: stack.env.client, link: () => '' };
  await assert.rejects(startInbox({ ...base, host: '0.0.0.0', auth: { users: { dana: hashInboxPassword(PASSWORD) } } }), { code: 'BW_INBOX_BIND_REFUSED', message: /without TLS/ });
  await assert.rejects(startInbox({ ...base, auth: {} }), { code: 'BW_INBOX_BIND_REFUSED', message: /needs a login/ });
  assert.throws(() => checkBind('0.0.0.0', { tls: true, auth: { userHeader: 'x-forwarded-user' } }), /only a trusted header/);
  assert.doesNotThrow(() => checkBind('0.0.0.0', { tls: true, auth: { users: { dana: 'x' } } }));
  assert.doesNotThrow(() => checkBind('127.0.0.1', { tls: false, auth: { userHeader: 'x-forwarded-user' } }));
});

test('an unauthenticated GET of the list (page or API) or of the run viewer is refused', async () => {
  const page = await fetch(`${origin}/`, { redirect: 'manual' });
  assert.deepEqual([page.status, page.headers.get('location')], [303, '/login']);
  const api = await fetch(`${origin}/api/escalations`);
  assert.equal(api.status, 401);
  assert.match(await api.text(), /BW_INBOX_UNAUTHENTICATED/);
  assert.equal((await fetch(`${origin}/runs`, { redirect: 'manual' })).status, 303);
  const forgedCookie = await fetch(`${origin}/api/escalations`, { headers: { cookie: 'bw_inbox_session=guessed' } });
  assert.equal(forgedCookie.status, 401);
});

test('bad input: each request gets a clear error and changes nothing; then a logged-in click is signed by the inbox and verified by the worker', async () => {
  const handle = await stack.env.client.workflow.start(requestApproval, { taskQueue: stack.taskQueue, workflowId: `inbox-sec-${stack.schema}`, args: [{ subject: 'ship it?' }] });
  const open: Escalation = await waitForEscalation(handle, 'approval');
  const session = await login();
  assert.equal(session.status, 303);
  const form = { csrf: session.csrf, workflowId: handle.workflowId, escalation: open.id, decision: 'approve' };
  const withCookie = { cookie: session.cookie };
  const flashError = (res: Response) => {
    assert.equal(res.status, 303);
    return new URL(res.headers.get('location') ?? '', origin).searchParams.get('error') ?? '';
  };

  const cases: [string, () => Promise<Response>, (res: Response) => Promise<void> | void][] = [
    ['POST without the CSRF token', () => post('/resolve', { ...form, csrf: '' }, withCookie), expectRefusal(403, 'BW_INBOX_CSRF')],
    ["POST with another session's token", () => post('/resolve', { ...form, csrf: 'x'.repeat(43) }, withCookie), expectRefusal(403, 'BW_INBOX_CSRF')],
    ['POST without an Origin header', () => fetch(`${origin}/resolve`, { method: 'POST', redirect: 'manual', headers: { 'content-type': 'application/x-www-form-urlencoded', ...withCookie }, body: new URLSearchParams(form).toString() }), expectRefusal(403, 'BW_INBOX_CSRF')],
    ['POST from another origin', () => post('/resolve', form, { ...withCookie, origin: 'http://evil.example' }), expectRefusal(403, 'BW_INBOX_CSRF')],
    ['POST without a session', () => post('/resolve', form), expectRefusal(401, 'BW_INBOX_UNAUTHENTICATED')],
    ['login with a wrong password', () => login('wrong password!!').then((l) => new Response(null, { status: l.status })), expectStatus(401)],
    ['login without the CSRF token', () => post('/login', { user: 'dana', password: PASSWORD }), expectRefusal(401, 'BW_INBOX_UNAUTHENTICATED')],
    ['an unknown decision', () => post('/resolve', { ...form, decision: 'delete' }, withCookie), (r) => assert.match(flashError(r), /decision/)],
    ['deciding in another name', () => post('/resolve', { ...form, by: 'alice' }, withCookie), (r) => assert.match(flashError(r), /you decide as yourself/)],
    ['no escalation named', () => post('/resolve', { ...form, escalation: '' }, withCookie), (r) => assert.match(flashError(r), /escalation: the form must name/)],
    ['a stale escalation', () => post('/resolve', { ...form, escalation: 'approval-9' }, withCookie), (r) => assert.match(flashError(r), /stale decision/)],
    ['an unknown workflow', () => post('/resolve', { ...form, workflowId: 'no-such-run' }, withCookie), (r) => assert.match(flashError(r), /no-such-run/)],
    ['an empty workflow id', () => post('/resolve', { ...form, workflowId: '' }, withCookie), (r) => assert.match(flashError(r), /workflowId/)],
    ['an oversized form', () => post('/resolve', { ...form, reason: 'x'.repeat(30_000) }, withCookie), expectRefusal(413, 'BW_INVALID_INPUT')],
    ['another Host (DNS rebinding)', () => rawPost('/resolve', new URLSearchParams(form).toString(), { ...withCookie, origin, host: 'evil.example' }), expectStatus(403)],
  ];
  assert.ok(cases.length >= 10);
  for (const [name, send, check] of cases) {
    const res = await send();
    await Promise.resolve(check(res)).catch((e: Error) => assert.fail(`${name}: ${e.message}`));
  }

  // Nothing changed: the run still waits on the same escalation, no decision was accepted anywhere.
  const state = await handle.query(escalationQuery);
  assert.equal(state.open?.id, open.id);
  assert.deepEqual(state.resolved, []);
  const { rows: accepted } = await stack.db.query("SELECT 1 FROM audit_log WHERE accepted AND target = $1", [handle.workflowId]);
  assert.deepEqual(accepted, []);

  const ok = await post('/resolve', { ...form, reason: 'fine' }, withCookie);
  assert.equal(ok.status, 303);
  assert.match(new URL(ok.headers.get('location')!, origin).searchParams.get('done') ?? '', /approve by dana/);
  assert.equal((await handle.result()).by, 'dana');
  const { rows } = await stack.db.query<{ actor: string; verified_by: string; verification: string }>(
    "SELECT actor, verified_by, verification FROM audit_log WHERE accepted AND action = 'resolve:approve' AND target = $1",
    [handle.workflowId],
  );
  assert.deepEqual(rows, [{ actor: 'dana', verified_by: 'dana', verification: 'vouched:inbox' }], "the worker verified the inbox's signature vouching for dana");
});

/** fetch sets Host itself: a request naming another Host goes out through node:http. */
function rawPost(path: string, body: string, headers: Record<string, string>): Promise<Response> {
  return new Promise((resolve, reject) => {
    const req = request(`${origin}${path}`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers } }, (res) => {
      let text = '';
      res.on('data', (c) => (text += String(c)));
      res.on('end', () => resolve(new Response(text, { status: res.statusCode ?? 0 })));
    });
    req.on('error', reject);
    req.end(body);
  });
}

function expectRefusal(status: number, code: string) {
  return async (res: Response) => {
    assert.equal(res.status, status);
    assert.match(await res.text(), new RegExp(code));
  };
}
function expectStatus(status: number) {
  return (res: Response) => assert.equal(res.status, status);
}
