/**
 * Bad input at every boundary, against the real servers: every workflow rejects malformed and oversized
 * input with BW_INVALID_INPUT before it does anything (no activity is ever scheduled), and every `--json`
 * CLI command rejects malformed and oversized arguments with exit 2 and a JSON error, changing nothing.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { WorkflowFailedError } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import { startTestStack, type TestStack } from '../testKit';
import { breakwaterCli } from '../submitAndVerify/testKit';

let stack: TestStack;
before(async () => {
  stack = await startTestStack();
  await stack.startWorker();
});
after(async () => {
  await stack?.teardown();
});

const big = (n: number) => 'x'.repeat(n);
const day = '2026-11-22';

/** Per workflow: one malformed and one oversized input (valid in shape, too large in one field). */
const workflowCases: [workflowType: string, malformed: unknown, oversized: unknown][] = [
  ['submitAndVerify', { recordId: 'r', entityId: 'e', businessDate: '2026-02-30' }, { recordId: 'r', entityId: 'e', businessDate: day, payload: { blob: big(150_000) } }],
  ['agentDecision', { requestId: 'r' }, { requestId: 'r', text: big(30_000) }],
  ['enrichCatalog', { skus: [] }, { skus: [big(500)] }],
  ['planExecuteReview', { taskId: '../etc', goal: 'g' }, { taskId: 't1', goal: big(5_000) }],
  ['supervisor', { taskId: 42 }, { taskId: 't', goal: big(50_000) }],
  ['subAgent', {}, { taskId: 't', subtask: { name: big(5_000) }, depth: 0, maxDepth: 2 }],
  ['parallelIngest', { ingestId: 'i', sources: [{ name: 'a', url: 'file:///etc/passwd' }] }, { ingestId: big(1_000), sources: [{ name: 'a', url: 'http://127.0.0.1:1/x' }] }],
  ['applySharedChange', { key: '', actor: 'a' }, { key: 'k', actor: 'a', set: { blob: big(300_000) } }],
  ['requestApproval', { subject: '' }, { subject: big(1_000) }],
];

describe('every workflow rejects bad input before doing anything', () => {
  for (const [type, malformed, oversized] of workflowCases) {
    for (const [kind, input] of [
      ['malformed', malformed],
      ['oversized', oversized],
    ] as const) {
      test(`${type}: ${kind} input → BW_INVALID_INPUT, no activity scheduled`, async () => {
        const handle = await stack.env.client.workflow.start(type, { taskQueue: stack.taskQueue, workflowId: `bad-${type}-${kind}-${stack.schema}`, args: [input] });
        await assert.rejects(handle.result(), (e: unknown) => {
          assert.ok(e instanceof WorkflowFailedError, String(e));
          assert.ok(e.cause instanceof ApplicationFailure && e.cause.type === 'BW_INVALID_INPUT', `cause: ${String(e.cause)}`);
          return true;
        });
        const history = await handle.fetchHistory();
        const scheduled = (history.events ?? []).filter((ev) => ev.activityTaskScheduledEventAttributes || ev.startChildWorkflowExecutionInitiatedEventAttributes);
        assert.equal(scheduled.length, 0, 'nothing was started on behalf of bad input');
      });
    }
  }
});

test('every --json CLI command rejects malformed and oversized arguments: exit 2, a JSON error, nothing changed', async () => {
  const env = { TEMPORAL_ADDRESS: stack.env.address, TEMPORAL_TASK_QUEUE: stack.taskQueue, DATABASE_URL: stack.config.database.url!, DATABASE_SCHEMA: stack.schema };
  const countWorkflows = async () => (await stack.env.client.workflow.count()).count;
  const countAudit = async () => Number((await stack.db.query<{ n: string }>('SELECT count(*) AS n FROM audit_log')).rows[0]!.n);
  const workflowsBefore = await countWorkflows();
  const auditBefore = await countAudit();

  const cases: string[][] = [
    ['doctor', '--timeout', 'soon'],
    ['submit', '--record', '', '--entity', 'E', '--date', day],
    ['submit', '--record', big(20_000), '--entity', 'E', '--date', day],
    ['submit', '--record', 'r', '--entity', 'E', '--date', '2026-13-01'],
    ['submit', '--record', 'r', '--entity', 'E', '--date', day, '--verify-delay', 'forever'],
    ['escalations', 'unexpected-argument'],
    ['resolve', 'wf-1', '--decision', 'maybe', '--by', 'alice'],
    ['resolve', big(2_000), '--decision', 'approve', '--by', 'alice'],
    ['resolve', 'wf-1', '--decision', 'approve', '--by', big(500)],
    ['status', big(2_000)],
    ['status', 'wf\u0007bell'],
    ['breaker', 'list', 'extra'],
    ['breaker', 'clear', 'p', 's', '--by', ''],
    ['breaker', 'clear', big(2_000), 's', '--by', 'alice'],
    ['budget', 'raise', 'wf-1', '--to', 'lots', '--by', 'alice'],
    ['budget', 'raise', 'wf-1', '--to', '-5', '--by', 'alice'],
    ['budget', 'show', big(2_000)],
    ['broker', 'status', '--minutes', 'abc'],
    ['broker', 'status', '--minutes', '999999'],
    ['dlq', 'list', '--limit', '-1'],
    ['dlq', 'show', 'abc'],
    ['dlq', 'replay', '1'],
    ['explain', big(2_000)],
    ['inbox', '--port', '99999'],
    ['llm', 'probe', '--base-url', 'not a url', '--model', 'm'],
    ['llm', 'probe', '--base-url', 'http://127.0.0.1:9/v1'],
    ['llm', 'probe', '--base-url', 'http://127.0.0.1:9/v1', '--model', 'm', '--timeout-ms', 'soon'],
    ['llm', 'probe', '--base-url', 'http://127.0.0.1:9/v1', '--model', big(20_000)],
    ['no-such-command'],
  ];
  for (const args of cases) {
    const r = await breakwaterCli(env, [...args, '--json']);
    const label = args.map((a) => (a.length > 40 ? `<${a.length} chars>` : a)).join(' ');
    assert.equal(r.code, 2, `${label}: exit ${r.code} ${r.stdout.slice(0, 200)} ${r.stderr.slice(0, 200)}`);
    const body = JSON.parse(r.stdout) as { error?: { code?: string; message?: string } };
    assert.match(body.error?.code ?? '', /^BW_/, `${label}: a JSON error with a stable code`);
    assert.ok((body.error?.message ?? '').length > 0 && (body.error?.message ?? '').length < 2_000, `${label}: a short, clear message`);
  }
  assert.equal(await countWorkflows(), workflowsBefore, 'no workflow was started by bad input');
  assert.equal(await countAudit(), auditBefore, 'no decision was recorded for bad input');
});
