/**
 * Dead letters end to end: a submission the portal accepted but did not show before the deadline ends
 * NOT_SUBMITTED (a person rejects) and lands in the DLQ with its context; `breakwater dlq replay` starts it
 * again, its fingerprint reopened: the replay reconciles, finds the existing submission — no second POST.
 * A replay sends the original input, never the redacted copy `dlq show` displays; a replay of a run whose
 * POST the portal silently lost reconciles, finds nothing and re-sends once.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { PortalSimulator } from '../../simulators/portal';
import type { TestStack } from '../testKit';
import { breakwaterCli, portalAdmin, postAttemptsFor, stackEnv, startPortalStack, waitFor } from './testKit';
import { getEscalationState, resolveEscalation } from '../../client/escalations';
import { startSubmitAndVerify } from './client';
import type { SubmitAndVerifyResult } from './contract';

let stack: TestStack;
let portal: PortalSimulator;
let stop: (() => Promise<void>) | undefined;
before(async () => ({ stack, portal, stop } = await startPortalStack(5_000)));
after(async () => stop?.());

test('a DLQ replay of a submit that had reached the portal does not submit again', async () => {
  const env = stackEnv(stack, portal.url);
  const recordId = `dlq-${stack.schema}`;
  // 1. The portal accepts the POST but shows it only after 5 s; we give up looking after 1.5 s.
  const handle = await startSubmitAndVerify(
    stack.env.client,
    { recordId, entityId: 'E-1', businessDate: '2026-11-22', payload: { amount: 10 }, options: { verifyDelay: '300 ms', verifyDeadline: '1500 ms', pollBackoff: { initial: '300 ms', factor: 1, max: '300 ms' } } },
    { taskQueue: stack.taskQueue },
  );
  await waitFor('the not-submitted escalation', async () => (await getEscalationState(stack.env.client, handle.workflowId)).open?.kind === 'not-submitted');
  await resolveEscalation(stack.env.client, handle.workflowId, { decision: 'reject', by: 'alice', reason: 'give up for now' });
  const result = await handle.result();
  assert.equal(result.status, 'NOT_SUBMITTED');
  assert.equal(await postAttemptsFor(portal.url, recordId), 1, 'the original run reached the portal once');

  // 2. It is a dead letter with its full context.
  const listed = await breakwaterCli(env, ['dlq', 'list', '--json']);
  assert.equal(listed.code, 0, listed.stderr);
  const letters = (JSON.parse(listed.stdout) as { deadLetters: { id: number; workflowId: string }[] }).deadLetters;
  const letter = letters.find((d) => d.workflowId === handle.workflowId);
  assert.ok(letter, 'the NOT_SUBMITTED run is in the DLQ');
  const shown = JSON.parse((await breakwaterCli(env, ['dlq', 'show', String(letter.id), '--json'])).stdout) as {
    deadLetter: { input: { recordId: string }; errors: { error: string }[]; pipeline: string; step: string };
  };
  assert.equal(shown.deadLetter.input.recordId, recordId);
  assert.equal(shown.deadLetter.pipeline, 'submitAndVerify');
  assert.equal(shown.deadLetter.step, 'not-visible-by-deadline');
  assert.match(shown.deadLetter.errors.at(-1)!.error, /NOT_SUBMITTED.*reject.*alice/);

  // 3. Replay once the portal shows the record: the fingerprint is reopened and reconciled — the portal holds it, so no POST.
  await waitFor('the submission to become visible', async () => portal.submissions().find((s) => s.recordId === recordId)?.visible, 15_000);
  const replay = await breakwaterCli(env, ['dlq', 'replay', String(letter.id), '--by', 'alice', '--json']);
  assert.equal(replay.code, 0, replay.stderr || replay.stdout);
  const { workflowId } = (JSON.parse(replay.stdout) as { replay: { workflowId: string } }).replay;
  const replayed = await stack.env.client.workflow.getHandle(workflowId).result();
  assert.equal(replayed.status, 'VERIFIED');
  assert.equal(replayed.status === 'VERIFIED' && replayed.via, 'reconciled', 'found at the portal, not re-sent');
  assert.equal(await postAttemptsFor(portal.url, recordId), 1, 'no second POST reached the portal');
  assert.equal(portal.submissions().filter((s) => s.recordId === recordId).length, 1);
  const again = JSON.parse((await breakwaterCli(env, ['dlq', 'show', String(letter.id), '--json'])).stdout) as { deadLetter: { replays: { by: string }[] } };
  assert.deepEqual(again.deadLetter.replays.map((r) => r.by), ['alice']);
});

test('malformed dlq arguments are usage errors and change nothing', async () => {
  const env = stackEnv(stack, portal.url);
  assert.equal((await breakwaterCli(env, ['dlq', 'show', 'abc', '--json'])).code, 2);
  assert.equal((await breakwaterCli(env, ['dlq', 'replay', '999999', '--by', 'alice', '--json'])).code, 2);
  assert.equal((await breakwaterCli(env, ['dlq', 'list', '--limit', '0', '--json'])).code, 2);
  assert.equal((await breakwaterCli(env, ['dlq', 'replay', '1', '--json'])).code, 2, '--by is required');
});

/** The replayed run's result — or a failed assertion naming the escalation it waits on instead. */
async function outcomeOf(workflowId: string): Promise<SubmitAndVerifyResult> {
  const handle = stack.env.client.workflow.getHandle(workflowId);
  const ended = await waitFor(`${workflowId} to end or to wait on a person`, async () => {
    if ((await handle.describe()).status.name !== 'RUNNING') return { result: (await handle.result()) as SubmitAndVerifyResult };
    const open = (await getEscalationState(stack.env.client, workflowId)).open;
    return open && { escalation: open };
  });
  if ('escalation' in ended && ended.escalation) assert.fail(`${workflowId} waits on a person instead of ending: ${ended.escalation.kind} — ${ended.escalation.reason}`);
  assert.ok('result' in ended);
  return ended.result;
}

const letterOf = async (workflowId: string): Promise<number> => {
  const listed = await breakwaterCli(stackEnv(stack, portal.url), ['dlq', 'list', '--json']);
  assert.equal(listed.code, 0, listed.stderr);
  const letter = (JSON.parse(listed.stdout) as { deadLetters: { id: number; workflowId: string }[] }).deadLetters.find((d) => d.workflowId === workflowId);
  assert.ok(letter, `${workflowId} is in the DLQ`);
  return letter.id;
};

const replayLetter = async (id: number, by: string): Promise<{ workflowId: string; reopened?: boolean }> => {
  const replay = await breakwaterCli(stackEnv(stack, portal.url), ['dlq', 'replay', String(id), '--by', by, '--json']);
  assert.equal(replay.code, 0, replay.stderr || replay.stdout);
  return (JSON.parse(replay.stdout) as { replay: { workflowId: string; reopened?: boolean } }).replay;
};

test('a DLQ replay re-sends the original input; `dlq show` displays the redacted copy', async () => {
  const env = stackEnv(stack, portal.url);
  const recordId = `dlq-original-${stack.schema}`;
  // Everything here is something src/redact.ts masks: a secret-named field, `key=value` text, 'Basic <word>'.
  const original = { apiKey: 'k-123', note: 'token=abc', text: 'Basic maintenance', amount: 3 };
  const redacted = { apiKey: '[REDACTED]', note: 'token=[REDACTED]', text: 'Basic [REDACTED]', amount: 3 };
  // 1. The portal fails every POST: the breaker opens after 2, a person rejects → NOT_SUBMITTED → DLQ.
  portal.configure({ mode: 'failing', lagMs: 0 });
  const handle = await startSubmitAndVerify(
    stack.env.client,
    { recordId, entityId: 'E-1', businessDate: '2026-11-23', payload: original, options: { verifyDelay: '300 ms', verifyDeadline: '3 s', pollBackoff: { initial: '300 ms', factor: 1, max: '300 ms' }, breakerPollInterval: '500 ms' } },
    { taskQueue: stack.taskQueue },
  );
  await waitFor('the breaker-open escalation', async () => (await getEscalationState(stack.env.client, handle.workflowId)).open?.kind === 'breaker-open');
  await resolveEscalation(stack.env.client, handle.workflowId, { decision: 'reject', by: 'alice', reason: 'portal down' });
  const result = await handle.result();
  assert.equal(result.status === 'NOT_SUBMITTED' && result.reason, 'breaker-open');
  const id = await letterOf(handle.workflowId);
  const stored = (await stack.db.query<{ o: string }>('SELECT original_input::text AS o FROM dead_letters WHERE id = $1', [id])).rows[0]!.o;
  assert.match(stored, /"\$sealed": "v1"/, 'the exact original is sealed with the payload keys in Postgres');
  for (const clear of ['k-123', 'token=abc', 'Basic maintenance']) assert.ok(!stored.includes(clear), `'${clear}' is not in the stored row`);

  // 2. What a person sees is redacted, in JSON and in text.
  const shown = await breakwaterCli(env, ['dlq', 'show', String(id), '--json']);
  assert.deepEqual((JSON.parse(shown.stdout) as { deadLetter: { input: { payload: unknown } } }).deadLetter.input.payload, redacted);
  const text = await breakwaterCli(env, ['dlq', 'show', String(id)]);
  for (const clear of ['k-123', 'token=abc', 'Basic maintenance']) {
    assert.ok(!shown.stdout.includes(clear) && !text.stdout.includes(clear), `'${clear}' is not displayed by dlq show`);
  }

  // 3. The portal is back and the breaker cleared: the replay sends what the original run would have sent.
  portal.configure({ mode: 'normal' });
  const cleared = await breakwaterCli(env, ['breaker', 'clear', 'submitAndVerify', 'portal.submit', '--by', 'alice', '--reason', 'portal is back']);
  assert.equal(cleared.code, 0, cleared.stderr || cleared.stdout);
  const { workflowId, reopened } = await replayLetter(id, 'alice');
  assert.ok(!reopened, 'a breaker-open letter has no unverified confirmation: its replay claims the fingerprint as before');
  const [sent] = await waitFor('the replay’s POST to reach the portal', async () => {
    const { submissions } = await portalAdmin(portal.url, recordId);
    return submissions.length > 0 && submissions;
  });
  assert.deepEqual(sent!.payload, original, 'the portal received the original payload, not the redacted display copy');
  const replayed = await outcomeOf(workflowId);
  assert.equal(replayed.status, 'VERIFIED');
  assert.equal(replayed.status === 'VERIFIED' && replayed.via, 'posted');
  assert.equal(await postAttemptsFor(portal.url, recordId), 3, 'two failed POSTs, then the replay’s one');
});

test('a letter filed before originals were kept is not replayed with a redacted input', async () => {
  const { rows } = await stack.db.query<{ id: string }>(
    `INSERT INTO dead_letters (pipeline, workflow_type, workflow_id, run_id, task_queue, step, input, errors)
     VALUES ('submitAndVerify', 'submitAndVerify', $1, 'r-1', $2, 'not-visible-by-deadline', $3, '[{"error":"NOT_SUBMITTED","at":"2026-01-01T00:00:00Z"}]') RETURNING id`,
    [`old-letter-${stack.schema}`, stack.taskQueue, JSON.stringify({ recordId: 'OLD', entityId: 'E', businessDate: '2026-01-01', payload: { note: 'token=[REDACTED]' } })],
  );
  const id = rows[0]!.id;
  const replay = await breakwaterCli(stackEnv(stack, portal.url), ['dlq', 'replay', id, '--by', 'alice', '--json']);
  assert.equal(replay.code, 2, replay.stdout);
  assert.match(replay.stdout, /filed before originals were kept.*\[REDACTED\]/);
  const shown = JSON.parse((await breakwaterCli(stackEnv(stack, portal.url), ['dlq', 'show', id, '--json'])).stdout) as { deadLetter: { replays: unknown[]; originalKept: boolean } };
  assert.deepEqual([shown.deadLetter.replays, shown.deadLetter.originalKept], [[], false]);
});

test('a DLQ replay of a run rejected after a silently lost POST reconciles, re-sends once and ends VERIFIED', async () => {
  const recordId = `dlq-lost-${stack.schema}`;
  // 1. The portal answers 201 and drops the submission; no look sees it; a person rejects → NOT_SUBMITTED → DLQ.
  portal.configure({ mode: 'silently-lost', lagMs: 0 });
  const handle = await startSubmitAndVerify(
    stack.env.client,
    { recordId, entityId: 'E-1', businessDate: '2026-11-24', payload: { amount: 11 }, options: { verifyDelay: '300 ms', verifyDeadline: '1500 ms', pollBackoff: { initial: '300 ms', factor: 1, max: '300 ms' } } },
    { taskQueue: stack.taskQueue },
  );
  await waitFor('the not-submitted escalation', async () => (await getEscalationState(stack.env.client, handle.workflowId)).open?.kind === 'not-submitted');
  await resolveEscalation(stack.env.client, handle.workflowId, { decision: 'reject', by: 'alice', reason: 'lost' });
  const result = await handle.result();
  assert.ok(result.status === 'NOT_SUBMITTED' && result.reason === 'not-visible-by-deadline' && result.confirmation, JSON.stringify(result));
  const lost = result.confirmation;
  assert.equal(await postAttemptsFor(portal.url, recordId), 1);
  const id = await letterOf(handle.workflowId);

  // 2. The portal is back; bob replays. The lost confirmation is not trusted: the run asks the portal, finds nothing, POSTs once.
  portal.configure({ mode: 'normal' });
  const first = await replayLetter(id, 'bob');
  assert.equal(first.reopened, true);
  const replayed = await outcomeOf(first.workflowId);
  assert.equal(replayed.status, 'VERIFIED');
  if (replayed.status !== 'VERIFIED') return;
  assert.notEqual(replayed.confirmation, lost, 'a new confirmation, not the lost POST’s');
  assert.equal(replayed.via, 'posted');
  assert.equal(await postAttemptsFor(portal.url, recordId), 2, 'the lost POST and exactly one new one');
  assert.deepEqual((await portalAdmin(portal.url, recordId)).submissions.map((s) => s.confirmation), [replayed.confirmation]);
  const reopens = async () =>
    (
      await stack.db.query<{ actor: string; accepted: boolean; detail: { reason: string; confirmation: string } }>(
        "SELECT actor, accepted, detail FROM audit_log WHERE action = 'fingerprint.reopen' AND target = $1 ORDER BY id",
        [`fingerprint:${result.fingerprint}`],
      )
    ).rows;
  const audit = await reopens();
  assert.deepEqual(audit.map((a) => [a.actor, a.accepted, a.detail.confirmation]), [['bob', true, lost]], 'the reopen is audited in the name of who replayed');
  assert.match(audit[0]!.detail.reason, new RegExp(`dead letter ${id}`));

  // 3. Replaying the letter again changes nothing at the portal: the fingerprint now holds a verified confirmation, kept as it is.
  const second = await replayLetter(id, 'bob');
  assert.equal(second.reopened, false);
  const again = await outcomeOf(second.workflowId);
  assert.equal(again.status === 'VERIFIED' && again.confirmation, replayed.confirmation);
  assert.equal(await postAttemptsFor(portal.url, recordId), 2, 'no further POST');
  assert.deepEqual((await reopens()).map((a) => a.accepted), [true, false], 'the second attempt is audited, and refused');
});
