/**
 * A grouped incident, seen and resolved from one place: three submit-and-verify runs wait on one open
 * breaker. explain and the run page show each run in its incident with the others; one form in the inbox
 * (approve) clears the breaker once and all three runs reach VERIFIED. A second incident is rejected from
 * the CLI (`breakwater incidents resolve`, signed with the approver's key): each run answered. Bad input
 * (an unknown cause, a bad decision, no login) changes nothing.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import { after, before, test } from 'node:test';
import type { WorkflowHandle } from '@temporalio/client';
import { listIncidents } from '../../client/incidents';
import type { EscalationState } from '../../contracts/resolution';
import { explainWorkflow } from '../../observability/explainData';
import type { InboxServer } from '../../observability/inbox/server';
import { handleViewer } from '../../observability/viewer/routes';
import { startPortalSimulator, type PortalSimulator } from '../../simulators/portal';
import { createTestApprover } from '../../testing/approvers';
import { waitFor } from '../submitAndVerify/testKit';
import { submitAndVerify } from '../submitAndVerify/workflow';
import { startTestStack, type TestStack } from '../testKit';
import { inboxForms, startSignedInbox } from './signedInbox';

const dana = createTestApprover('dana');
const inboxKey = createTestApprover('inbox');
const PASSWORD = 'dana-password-for-tests';
const CAUSE = 'breaker:submitAndVerify/portal.submit';
let stack: TestStack;
let portal: PortalSimulator;
let inbox: InboxServer;
let origin: string;

before(async () => {
  portal = await startPortalSimulator({ lagMs: 100, mode: 'failing' });
  stack = await startTestStack({ approvers: [dana, inboxKey], env: { PORTAL_URL: portal.url, BREAKWATER_DECISION_VOUCHERS: 'inbox' } });
  await stack.startWorker();
  inbox = await startSignedInbox(stack, { inboxKey, passwords: { dana: PASSWORD } });
  origin = inbox.url.replace(/\/$/, '');
});
after(async () => {
  await inbox?.close();
  await stack?.teardown();
  await portal?.close();
});

const forms = inboxForms(() => origin);
const post = (p: string, body: Record<string, string>, cookie = '') => forms.post(p, body, cookie ? { cookie } : {});
const login = () => forms.login('dana', PASSWORD);

const cli = (args: string[]) =>
  promisify(execFile)(process.execPath, [path.resolve(__dirname, '..', 'cli.js'), ...args], {
    env: { ...process.env, TEMPORAL_ADDRESS: stack.env.address, TEMPORAL_NAMESPACE: 'default', DATABASE_SCHEMA: stack.schema },
  }).then(
    (r) => ({ code: 0, stdout: r.stdout, stderr: r.stderr }),
    (e: { code: number; stdout: string; stderr: string }) => ({ code: e.code, stdout: e.stdout, stderr: e.stderr }),
  );

async function startWaiting(prefix: string, n: number): Promise<WorkflowHandle<typeof submitAndVerify>[]> {
  const handles = [];
  for (let i = 1; i <= n; i++) {
    handles.push(
      await stack.env.client.workflow.start(submitAndVerify, {
        taskQueue: stack.taskQueue, workflowId: `${prefix}-${i}-${stack.schema}`,
        args: [{ recordId: `${prefix}-${i}`, entityId: 'E', businessDate: '2025-03-04', options: { verifyDelay: 200, verifyDeadline: '10s', pollBackoff: { initial: 200 } } }],
      }),
    );
  }
  for (const h of handles) await waitFor(`${h.workflowId} waiting on the breaker`, async () => (await h.query<EscalationState>('escalation')).open?.kind === 'breaker-open' || undefined, 60_000);
  await waitFor(`one incident of ${n} runs`, async () => (await listIncidents(stack.db)).find((i) => i.cause === CAUSE && i.runs.length === n), 30_000);
  return handles;
}

test('runs waiting on one breaker are one incident, shown with each run and released by one form in the inbox', async () => {
  const runs = await startWaiting('INC', 3);
  const ids = runs.map((h) => h.workflowId);

  const e = await explainWorkflow({ client: stack.env.client, db: stack.db }, ids[1]!);
  assert.equal(e.related?.incident?.cause, CAUSE);
  assert.deepEqual(e.related?.incident?.runs.map((r) => r.workflowId).sort(), [...ids].sort());
  const page = await handleViewer({ client: stack.env.client, db: stack.db, link: () => '' }, new URL(`http://x/runs/${encodeURIComponent(ids[1]!)}`));
  assert.match(page!.body, /<section id="across-runs">/);
  for (const other of [ids[0]!, ids[2]!]) assert.ok(page!.body.includes(`href="/runs/${encodeURIComponent(other)}?run=`), `the run page links ${other}, waiting in the same incident`);

  const listed = await cli(['incidents', 'list', '--json']);
  assert.equal(listed.code, 0, listed.stderr);
  const json = JSON.parse(listed.stdout) as { incidents: { cause: string; runs: unknown[] }[] };
  assert.deepEqual(json.incidents.map((i) => [i.cause, i.runs.length]), [[CAUSE, 3]]);

  // Bad input changes nothing: no login, an unknown decision, an unknown cause.
  assert.equal((await post('/incidents/resolve', { cause: CAUSE, decision: 'approve' })).status, 401, 'no session: refused');
  const s = await login();
  const badDecision = await post('/incidents/resolve', { csrf: s.csrf, cause: CAUSE, decision: 'maybe' }, s.cookie);
  assert.match(new URL(badDecision.headers.get('location') ?? '/', origin).searchParams.get('error') ?? '', /^incident: Invalid resolution: decision/);
  const unknown = await cli(['incidents', 'resolve', 'breaker:nope/none', '--decision', 'approve', '--by', 'dana', '--key', dana.keyFile]);
  assert.equal(unknown.code, 2);
  assert.match(unknown.stderr, /no open incident 'breaker:nope\/none'/);
  for (const h of runs) assert.equal((await h.query<EscalationState>('escalation')).open?.kind, 'breaker-open', 'still waiting');

  // The portal is back: one click approves the whole incident.
  portal.configure({ mode: 'normal' });
  const res = await post('/incidents/resolve', { csrf: s.csrf, cause: CAUSE, decision: 'approve', reason: 'portal recovered' }, s.cookie);
  assert.equal(res.status, 303);
  const flash = new URL(res.headers.get('location')!, origin).searchParams;
  assert.match(flash.get('done') ?? '', /approve by dana — 1 resolved, 2 released by it, 0 refused/);
  for (const h of runs) assert.equal((await h.result()).status, 'VERIFIED', `${h.workflowId} moved on`);
  const { rows: breaker } = await stack.db.query<{ state: string; cleared_by: string }>('SELECT state, cleared_by FROM circuit_breakers');
  assert.deepEqual(breaker.map((b) => [b.state, b.cleared_by]), [['closed', 'dana']]);
  const { rows: audit } = await stack.db.query<{ target: string; accepted: boolean; detail: { result: string; incident: string } }>("SELECT target, accepted, detail FROM audit_log WHERE action = 'resolve' AND detail->>'via' = 'inbox-incident' AND accepted ORDER BY id");
  // One audit row per run, in the incident's order (oldest escalation first): the first answered, the others woken by its clear.
  assert.deepEqual(audit.map((a) => [a.detail.result, a.detail.incident]), [['resolved', CAUSE], ['released', CAUSE], ['released', CAUSE]]);
  assert.deepEqual(audit.map((a) => a.target).sort(), [...ids].sort());
  assert.deepEqual(await listIncidents(stack.db), []);
});

test('a rejected incident answers each of its runs, from the CLI, signed with the approver key', async () => {
  portal.configure({ mode: 'failing' });
  const runs = await startWaiting('REJ', 2);
  const r = await cli(['incidents', 'resolve', CAUSE, '--decision', 'reject', '--by', 'dana', '--reason', 'portal retired', '--key', dana.keyFile, '--json']);
  assert.equal(r.code, 0, r.stderr);
  const out = JSON.parse(r.stdout) as { runs: { workflowId: string; result: string }[] };
  assert.deepEqual(out.runs.map((x) => x.result), ['resolved', 'resolved']);
  for (const h of runs) {
    const result = await h.result();
    assert.deepEqual([result.status, result.status === 'NOT_SUBMITTED' ? result.reason : ''], ['NOT_SUBMITTED', 'breaker-open']);
    const state = await h.query<EscalationState>('escalation');
    assert.deepEqual(state.resolved.map((x) => [x.escalation.kind, x.resolution.decision, x.resolution.by]), [['breaker-open', 'reject', 'dana']]);
  }
});
