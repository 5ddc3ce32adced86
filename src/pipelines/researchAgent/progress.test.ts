/**
 * Live progress of a running agent (issue 26), on the real dev server and Postgres: researchAgent runs
 * three turns of tool calls and stops at the approval of the irreversible publish, where its state holds
 * still. The query shows the tool calls and the cost so far without adding a history event; the viewer's
 * SSE route (behind the login) streams the changes until the run closes; `breakwater runs follow` prints them.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import path from 'node:path';
import { after, before, test } from 'node:test';
import type { WorkflowHandle } from '@temporalio/client';
import { webUiLink } from '../../client/connection';
import { launchChromium } from '../../devstack/chromium';
import { agentProgressQuery, type AgentProgress } from '../../contracts/agentProgress';
import { startInbox, type InboxServer } from '../../observability/inbox/server';
import type { ProgressView } from '../../observability/viewer/progressPanel';
import type { LlmScenario } from '../../simulators/llm';
import { llmCalls, waitForEscalation, type AgentLayerStack } from '../testKit';
import { breakwaterCli, stackEnv } from '../submitAndVerify/testKit';
import { startResearchStack, type ResearchStack } from './testKit';
import { researchAgent } from './workflow';

let research: ResearchStack | undefined;
let t: AgentLayerStack;
let viewer: InboxServer | undefined;
before(async () => {
  research = await startResearchStack('sim-large');
  t = research.t;
  // The inbox's trusted-proxy login (loopback only), as behind an authenticating proxy.
  viewer = await startInbox({ client: t.stack.env.client, db: t.stack.db, link: (id, run) => webUiLink(t.stack.config, id, run), auth: { userHeader: 'x-test-user' } });
});
after(async () => {
  await viewer?.close();
  await research?.stop();
});

type Responses = LlmScenario['rules'][number]['responses'];
const calls = (...c: { name: string; arguments: Record<string, string> }[]): Responses[number] => ({ toolCalls: c });
const SECRET = 'hunter2-very-secret';
const script: LlmScenario = {
  rules: [{
    id: 'agent',
    match: { schemaName: 'researchReport' },
    responses: [
      calls({ name: 'search', arguments: { query: 'tides' } }, { name: 'fetchPage', arguments: { url: 'https://docs.example/tides/1' } }),
      calls({ name: 'saveNote', arguments: { title: 'Moon', body: `The moon drives tides. password=${SECRET}`, source: 'https://docs.example/tides/1' } }),
      calls({ name: 'publish', arguments: { title: 'Tides', summary: 'The moon drives them.' } }),
      { json: { summary: 'Tides are driven by the moon.', sources: ['https://docs.example/tides/1'] } },
    ],
  }],
};

const env = () => ({ ...stackEnv(t.stack, 'http://127.0.0.1:9'), OPENAI_BASE_URL: `${t.sim.url}/v1`, BREAKWATER_MODELS_FILE: t.modelsFile });
const historyLength = async (h: WorkflowHandle) => (await h.fetchHistory()).events?.length ?? 0;
/** Waits until the run has nothing in flight: its escalation opened, the activities that record it done. */
async function settled(h: WorkflowHandle): Promise<number> {
  for (let last = -1; ; await new Promise((r) => setTimeout(r, 400))) {
    const [n, d] = [await historyLength(h), await h.describe()];
    if (n === last && (d.raw.pendingActivities ?? []).length === 0) return n;
    last = n;
  }
}
const steps = (p: AgentProgress) => p.recent.map((e) => [e.turn, e.kind, e.tool ?? '', e.state].join(' '));

/** Server-Sent Events off a fetch body: each `event:` with its parsed `data:`. */
async function* sse(res: Response): AsyncGenerator<{ event: string; data: unknown }> {
  const decoder = new TextDecoder();
  let buf = '';
  for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
    buf += decoder.decode(chunk, { stream: true });
    for (let i = buf.indexOf('\n\n'); i >= 0; i = buf.indexOf('\n\n')) {
      const block = buf.slice(0, i);
      buf = buf.slice(i + 2);
      const event = /^event: (.+)$/m.exec(block)?.[1];
      const data = /^data: (.+)$/m.exec(block)?.[1];
      if (event && data) yield { event, data: JSON.parse(data) };
    }
  }
}

/** `breakwater runs follow` as a user runs it, its output readable while it runs. */
function follow(workflowId: string) {
  const child = spawn(process.execPath, [path.resolve(__dirname, '..', 'cli.js'), 'runs', 'follow', workflowId, '--interval', '300'], { env: { ...process.env, ...env() } });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (stdout += String(d)));
  child.stderr.on('data', (d: Buffer) => (stderr += String(d)));
  const exited = new Promise<number>((resolve) => child.on('exit', (code) => resolve(code ?? -1)));
  return {
    exited,
    output: () => ({ stdout, stderr }),
    async waitFor(re: RegExp, ms = 20_000) {
      for (const end = Date.now() + ms; Date.now() < end; await new Promise((r) => setTimeout(r, 100))) if (re.test(stdout)) return;
      assert.fail(`runs follow never printed ${re}: ${stdout}\n${stderr}`);
    },
  };
}

test('a running agent followed by query, SSE stream and runs follow: tool calls and cost so far, no history growth', async () => {
  t.sim.setScenario(script);
  const handle = await t.stack.env.client.workflow.start(researchAgent, { taskQueue: t.stack.taskQueue, workflowId: `progress-${t.stack.schema}`, args: [{ topic: 'tides' }] });
  await waitForEscalation(handle, 'tool-approval');

  // The query, while it waits: every tool call so far, and the cost of the three turns.
  const before = await settled(handle);
  const p = (await handle.query(agentProgressQuery))!;
  assert.deepEqual([p.role, p.step, p.status, p.turn, p.toolCalls, p.refused], ['researcher', 'research', 'waiting-approval', 3, 3, 0]);
  assert.deepEqual(steps(p), ['1 model  answered', '1 tool search ran', '1 tool fetchPage ran', '2 model  answered', '2 tool saveNote ran', '3 model  answered', '3 tool publish waiting-approval']);
  const spent = (await llmCalls(t.stack, handle.workflowId)).reduce((s, r) => s + Number(r.cost_usd), 0);
  assert.ok(spent > 0 && Math.abs(p.costUsd - spent) < 1e-6, `cost so far ${p.costUsd} vs the calls' ${spent}`);
  assert.match(p.recent[1]!.summary ?? '', /"query":"tides"} → .*docs\.example\/tides/);
  assert.match(p.recent[0]!.summary ?? '', /2 tool call\(s\): search, fetchPage/);
  assert.doesNotMatch(JSON.stringify(p), new RegExp(SECRET), 'a secret-shaped argument is masked');
  assert.match(JSON.stringify(p), /password=\[REDACTED\]/);
  assert.deepEqual(p.roles, ['researcher']);
  assert.equal(await handle.query(agentProgressQuery, 'nobody'), null);
  for (let i = 0; i < 5; i++) assert.equal((await handle.query(agentProgressQuery, 'researcher'))!.seq, p.seq, 'nothing moves while it waits');
  assert.equal(await historyLength(handle), before, 'seven queries added no history event');

  // The viewer: login required for the stream; an unknown run is a 404, not an endless stream.
  const origin = viewer!.url.replace(/\/$/, '');
  const streamUrl = `${origin}/runs/${encodeURIComponent(handle.workflowId)}/progress`;
  const unauth = await fetch(streamUrl);
  assert.equal(unauth.status, 401);
  assert.match(await unauth.text(), /BW_INBOX_UNAUTHENTICATED/);
  const as = { headers: { 'x-test-user': 'viewer' } };
  const unknown = await fetch(`${origin}/runs/no-such-run/progress`, as);
  assert.deepEqual([unknown.status, await unknown.text()], [404, "BW_NOT_FOUND: no run with id 'no-such-run'\n"]);
  // The run page: the panel as it stands, fed by the same-origin script the CSP allows (no inline script).
  const runPage = await fetch(`${origin}/runs/${encodeURIComponent(handle.workflowId)}`, as);
  const html = await runPage.text();
  assert.match(runPage.headers.get('content-security-policy') ?? '', /script-src 'self'; connect-src 'self'/);
  assert.match(html, /<section id="agent-progress" data-stream="\/runs\/progress-[^"]+\/progress"/);
  assert.match(html, /researcher · turn 3 · waiting-approval · 3 tool call\(s\), 0 refused/);
  assert.deepEqual(html.match(/<script[^>]*>/g), ['<script src="/viewer/progress.js">']);
  assert.doesNotMatch(html, new RegExp(SECRET));
  const js = await fetch(`${origin}/viewer/progress.js`, as);
  assert.deepEqual([js.status, js.headers.get('content-type')], [200, 'text/javascript; charset=utf-8']);
  assert.match(await js.text(), /new EventSource\(panel\.dataset\.stream\)/);

  // Follow it (stream and CLI), then approve: both see the wait, the publish, the final answer, the close.
  const stream = await fetch(streamUrl, as);
  assert.equal(stream.headers.get('content-type'), 'text/event-stream; charset=utf-8');
  const events = sse(stream);
  const first = (await events.next()).value as { event: string; data: ProgressView };
  assert.equal(first.event, 'progress');
  assert.equal(first.data.progress.status, 'waiting-approval');
  assert.match(first.data.head, /waiting-approval/);
  const cli = follow(handle.workflowId);
  await cli.waitFor(/waiting-approval/);
  await handle.executeUpdate('resolve', { args: [{ decision: 'approve', by: 'editor' }] });
  const seen: { event: string; data: unknown }[] = [first];
  for await (const e of events) seen.push(e);
  const progress = seen.filter((e) => e.event === 'progress').map((e) => (e.data as ProgressView).progress);
  assert.ok(new Set(progress.map((x) => x.seq)).size >= 2, 'at least two distinct progress events');
  const last = progress.at(-1)!;
  assert.deepEqual([last.status, last.turn, last.toolCalls], ['done', 4, 4]);
  assert.ok(last.costUsd > p.costUsd, 'the cost grew with the fourth turn');
  assert.deepEqual(steps(last).slice(-2), ['3 tool publish ran', '4 final  answered']);
  assert.deepEqual(seen.at(-1), { event: 'end', data: { status: 'COMPLETED' } }, 'the stream ends when the run closes');
  assert.equal((await handle.result()).status, 'completed');

  assert.equal(await cli.exited, 0, cli.output().stderr);
  const out = cli.output().stdout;
  assert.match(out, /researcher turn 3 · waiting-approval · 3 tool call\(s\), 0 refused · \$0\.\d{6}/);
  assert.match(out, / {2}turn 3 publish \[[^\]]+\] waiting-approval/);
  assert.match(out, / {2}turn 3 publish \[[^\]]+\] ran: .* → .*"url"/);
  assert.match(out, /researcher turn 4 · done · 4 tool call\(s\)/);
  assert.match(out, /run closed: COMPLETED\n$/);
  assert.equal(out.match(/turn 1 search \[/g)?.length, 1, 'a step is printed once, not again with every change');
  assert.doesNotMatch(out, new RegExp(SECRET));
});

test('the same history with and without following: a followed run and an unfollowed one have as many events', async () => {
  // No parallel calls and no approval: the event count does not depend on timing.
  const sequential: LlmScenario = { rules: [{ id: 'agent', match: { schemaName: 'researchReport' }, responses: [script.rules[0]!.responses[1]!, calls({ name: 'fetchPage', arguments: { url: 'https://docs.example/tides/2' } }), script.rules[0]!.responses[3]!] }] };
  const lengths: number[] = [];
  for (const followed of [false, true]) {
    t.sim.setScenario(sequential);
    const handle = await t.stack.env.client.workflow.start(researchAgent, { taskQueue: t.stack.taskQueue, workflowId: `progress-${followed}-${t.stack.schema}`, args: [{ topic: 'tides' }] });
    let polls = 0;
    if (followed) {
      const stream = await fetch(`${viewer!.url}runs/${encodeURIComponent(handle.workflowId)}/progress`, { headers: { 'x-test-user': 'viewer' } });
      for await (const e of sse(stream)) polls += e.event === 'progress' ? 1 : 0;
      assert.ok(polls >= 1);
    }
    assert.equal((await handle.result()).status, 'completed');
    lengths.push(await historyLength(handle));
  }
  assert.equal(lengths[1], lengths[0], `events: unfollowed ${lengths[0]}, followed ${lengths[1]}`);
});

test('runs follow: a bad or unknown workflow id is a typed usage error (exit 2)', async () => {
  const unknown = await breakwaterCli(env(), ['runs', 'follow', 'no-such-run', '--json']);
  assert.equal(unknown.code, 2, unknown.stderr);
  assert.deepEqual(JSON.parse(unknown.stdout), { error: { code: 'BW_INVALID_INPUT', message: "workflowId: no run with id 'no-such-run'" } });
  const bad = await breakwaterCli(env(), ['runs', 'follow', 'x', '--interval', 'soon']);
  assert.equal(bad.code, 2);
  assert.match(bad.stderr, /--interval: a whole number of milliseconds/);
});

test("the run page's live panel in Chromium: the same-origin script runs under the CSP and follows the run to its close", async () => {
  t.sim.setScenario({ rules: [{ id: 'agent', match: { schemaName: 'researchReport' }, responses: script.rules[0]!.responses.slice(2) }] });
  const handle = await t.stack.env.client.workflow.start(researchAgent, { taskQueue: t.stack.taskQueue, workflowId: `progress-browser-${t.stack.schema}`, args: [{ topic: 'tides' }] });
  await waitForEscalation(handle, 'tool-approval');
  const browser = await launchChromium();
  try {
    await browser.context.setExtraHTTPHeaders({ 'x-test-user': 'viewer' });
    const page = await browser.context.newPage();
    const problems: string[] = [];
    // The browser's own favicon request is the only 404 a viewer page may cause.
    page.on('console', (m) => void (m.type() === 'error' && !m.location().url.endsWith('/favicon.ico') && problems.push(`${m.text()} ${m.location().url}`)));
    page.on('pageerror', (e) => problems.push(e.message));
    await page.goto(`${viewer!.url}runs/${encodeURIComponent(handle.workflowId)}`);
    await page.locator('#agent-progress .progress-state', { hasText: 'Live: updated' }).waitFor({ timeout: 15_000 });
    assert.match(await page.locator('#agent-progress .progress-head').innerText(), /turn 1 · waiting-approval/);
    await handle.executeUpdate('resolve', { args: [{ decision: 'approve', by: 'editor' }] });
    await page.locator('#agent-progress[data-closed="true"]').waitFor({ timeout: 20_000 });
    assert.match(await page.locator('#agent-progress .progress-state').innerText(), /The run closed \(COMPLETED\)/);
    assert.match(await page.locator('#agent-progress .progress-head').innerText(), /turn 2 · done · 1 tool call\(s\)/);
    const items = await page.locator('#agent-progress li.step').allInnerTexts();
    assert.match(items[0] ?? '', /^turn 1 model answered \(\$0\.\d{6}\): 1 tool call\(s\): publish$/);
    assert.match(items.at(-1) ?? '', /^turn 2 final answer \(\$0\.\d{6}\): \{"summary":"Tides are driven by the moon\.",/);
    assert.equal(await page.locator('#agent-progress li.step.ran').count(), 1, 'the publish, ran');
    assert.deepEqual(problems, [], 'no CSP violation, no script error');
  } finally {
    await browser.close();
  }
});
