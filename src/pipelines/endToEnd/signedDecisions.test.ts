/**
 * Decisions that cannot be forged by naming someone: resolve, budget raise, breaker clear and dlq replay are
 * verified BY THE WORKER (its keys, its development-mode switch — the caller's environment plays no part).
 * An unsigned or wrongly signed `--by` is refused and audited with whom the worker verified (nobody); a
 * signed one passes, audited with the verified approver.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { promisify } from 'node:util';
import { WorkflowUpdateFailedError } from '@temporalio/client';
import { escalationQuery, resolveSignal } from '../../contracts/messages';
import { resolveClaim } from '../../contracts/resolution';
import { loadConfig } from '../../config';
import { failureTypeOf } from '../../failures';
import { judgeDecision, verifyDecision } from '../../identity/verifier';
import { createCircuitBreakerStore } from '../../store/circuitBreakers';
import { createDeadLetterStore } from '../../store/deadLetters';
import { createTestApprover } from '../../testing/approvers';
import { requestApproval } from '../../workflows/requestApproval';
import { agentDecision } from '../agentDecision/workflow';
import { breakwaterCli } from '../submitAndVerify/testKit';
import { searchAttribute, startAgentLayerStack, waitForEscalation, type AgentLayerStack } from '../testKit';

const alice = createTestApprover('alice');
const bob = createTestApprover('bob');
let t: AgentLayerStack;
let cliEnv: Record<string, string>;
before(async () => {
  t = await startAgentLayerStack({ stack: { approvers: [alice, bob] } });
  cliEnv = {
    TEMPORAL_ADDRESS: t.stack.env.address,
    TEMPORAL_TASK_QUEUE: t.stack.taskQueue,
    DATABASE_URL: t.stack.config.database.url!,
    DATABASE_SCHEMA: t.stack.schema,
    // No key of alice's where the CLI looks: `--by alice` alone goes unsigned.
    BREAKWATER_APPROVER_KEY_DIR: mkdtempSync(path.join(os.tmpdir(), 'bw-nokeys-')),
    // The caller switching development mode on for itself changes nothing: the worker decides.
    BREAKWATER_DEV_MODE: '1',
  };
});
after(async () => t?.stop());

const cli = (args: string[]) => breakwaterCli(cliEnv, [...args, '--json']);
type AuditRow = { actor: string; accepted: boolean; verified_by: string | null; verification: string; code: string | null };
const audit = async (action: string, target: string) =>
  (
    await t.stack.db.query<AuditRow>(
      "SELECT actor, accepted, verified_by, verification, detail->>'code' AS code FROM audit_log WHERE action LIKE $1 AND target = $2 ORDER BY id",
      [action, target],
    )
  ).rows;
const refusedRow = (actor: string, code: string): AuditRow => ({ actor, accepted: false, verified_by: null, verification: 'none', code });
const signedRow = (actor: string): AuditRow => ({ actor, accepted: true, verified_by: actor, verification: 'signature', code: null });

test('development mode is off by default: a worker config without BREAKWATER_DEV_MODE refuses unsigned decisions', () => {
  const config = loadConfig({});
  assert.equal(config.identity.devMode, false);
  const v = judgeDecision(config, { by: 'alice', action: 'resolve:approve', target: 'wf' });
  assert.deepEqual([v.accepted, v.code], [false, 'BW_DECISION_UNSIGNED']);
  const dev = judgeDecision(loadConfig({ BREAKWATER_DEV_MODE: '1' }), { by: 'alice', action: 'resolve:approve', target: 'wf' });
  assert.deepEqual([dev.accepted, dev.verification, dev.verifiedBy], [true, 'dev-mode', undefined], 'explicit development mode: accepted, unverified');
});

test('resolve: unsigned and forged Updates, an unsigned signal and the CLI without the key are refused by the worker and audited; a signed one passes', async () => {
  const handle = await t.stack.env.client.workflow.start(requestApproval, { taskQueue: t.stack.taskQueue, workflowId: `approve-${t.stack.schema}`, args: [{ subject: 'ship it?' }] });
  const open = await waitForEscalation(handle, 'approval');
  const updateFails = async (payload: object) => {
    const e = await handle.executeUpdate('resolve', { args: [payload] }).then(
      () => assert.fail('the Update was accepted'),
      (err: unknown) => err,
    );
    assert.ok(e instanceof WorkflowUpdateFailedError);
    return failureTypeOf(e);
  };
  assert.equal(await updateFails({ decision: 'approve', by: 'alice', escalation: open.id }), 'BW_DECISION_UNSIGNED');
  // bob signs a decision in alice's name: the worker checks it with alice's key.
  const forged = { decision: 'approve' as const, by: 'alice', escalation: open.id, ...bob.sign(resolveClaim(handle.workflowId, { decision: 'approve', by: 'alice', escalation: open.id })) };
  assert.equal(await updateFails(forged), 'BW_DECISION_FORGED');
  // A field changed after signing (reject signed, approve sent).
  const signedReject = alice.resolution(handle.workflowId, { decision: 'reject', escalation: open.id });
  assert.equal(await updateFails({ ...signedReject, decision: 'approve' }), 'BW_DECISION_FORGED');
  // Signed an hour ago: outside the window.
  const old = { decision: 'approve' as const, by: 'alice', escalation: open.id, ...alice.sign(resolveClaim(handle.workflowId, { decision: 'approve', by: 'alice', escalation: open.id }), new Date(Date.now() - 3600_000).toISOString()) };
  assert.equal(await updateFails(old), 'BW_DECISION_EXPIRED');

  await handle.signal(resolveSignal, { decision: 'approve', by: 'alice', escalation: open.id });
  for (let i = 0; i < 100 && (await handle.query(escalationQuery)).ignored.length === 0; i++) await new Promise((r) => setTimeout(r, 100));
  const state = await handle.query(escalationQuery);
  assert.match(state.ignored[0]?.why ?? '', /BW_DECISION_UNSIGNED/, 'the unsigned signal is recorded as ignored');
  assert.equal(state.open?.id, open.id, 'still waiting');

  const unsignedCli = await cli(['resolve', handle.workflowId, '--decision', 'approve', '--by', 'alice']);
  assert.equal(unsignedCli.code, 2, unsignedCli.stdout + unsignedCli.stderr);
  assert.match(unsignedCli.stdout + unsignedCli.stderr, /unsigned decision/);
  const forgedCli = await cli(['resolve', handle.workflowId, '--decision', 'approve', '--by', 'alice', '--key', bob.keyFile]);
  assert.equal(forgedCli.code, 2, forgedCli.stdout + forgedCli.stderr);
  assert.match(forgedCli.stdout + forgedCli.stderr, /does not verify with alice's key/);

  const ok = await cli(['resolve', handle.workflowId, '--decision', 'approve', '--by', 'alice', '--key', alice.keyFile, '--reason', 'looks right']);
  assert.equal(ok.code, 0, ok.stdout + ok.stderr);
  assert.equal((await handle.result()).by, 'alice');

  assert.deepEqual(await audit('resolve:%', handle.workflowId), [
    refusedRow('alice', 'BW_DECISION_UNSIGNED'),
    refusedRow('alice', 'BW_DECISION_FORGED'),
    refusedRow('alice', 'BW_DECISION_FORGED'),
    refusedRow('alice', 'BW_DECISION_EXPIRED'),
    refusedRow('alice', 'BW_DECISION_UNSIGNED'),
    refusedRow('alice', 'BW_DECISION_UNSIGNED'),
    refusedRow('alice', 'BW_DECISION_FORGED'),
    signedRow('alice'),
  ]);
});

test('a signature is good for one decision: the same signed claim verified twice is refused the second time', async () => {
  const request = { by: 'alice', action: 'resolve:approve', target: 'wf-once', claim: resolveClaim('wf-once', { decision: 'approve', by: 'alice', escalation: 'approval-1' }) };
  const proof = alice.sign(request.claim);
  assert.equal((await verifyDecision(t.stack.db, t.stack.config, { ...request, proof })).accepted, true);
  const again = await verifyDecision(t.stack.db, t.stack.config, { ...request, proof });
  assert.deepEqual([again.accepted, again.code], [false, 'BW_DECISION_REPLAYED']);
});

test('budget raise: unsigned and forged `--by` refused by the worker (exit 2, audited, budget unchanged); signed passes', async () => {
  const triage = { category: 'order', orderIds: ['ORD-1001'], customerId: 'CUS-7' };
  t.sim.setScenario({
    rules: [
      { id: 'triage', match: { schemaName: 'requestTriage' }, responses: [{ json: triage, usage: { prompt_tokens: 1000, completion_tokens: 1100 } }] },
      { id: 'decide', match: { schemaName: 'actionDecision' }, responses: [{ json: { action: 'refund', orderId: 'ORD-1001', confidence: 0.93, evidence: ['damaged'] } }] },
    ],
  });
  const handle = await t.stack.env.client.workflow.start(agentDecision, {
    taskQueue: t.stack.taskQueue,
    workflowId: `budget-${t.stack.schema}`,
    args: [{ requestId: 'req-budget', text: 'Order ORD-1001 arrived damaged, please refund', budgetUsd: 0.001 }],
  });
  await waitForEscalation(handle, 'budget-exhausted');
  const unsigned = await cli(['budget', 'raise', handle.workflowId, '--to', '0.05', '--by', 'alice']);
  assert.equal(unsigned.code, 2, unsigned.stdout + unsigned.stderr);
  assert.match(unsigned.stdout + unsigned.stderr, /BW_DECISION_UNSIGNED|unsigned decision/);
  const forged = await cli(['budget', 'raise', handle.workflowId, '--to', '0.05', '--by', 'alice', '--key', bob.keyFile]);
  assert.equal(forged.code, 2, forged.stdout + forged.stderr);
  assert.equal(await searchAttribute(handle, 'BreakwaterBudgetState'), 'exhausted', 'nothing changed');
  const ok = await cli(['budget', 'raise', handle.workflowId, '--to', '0.05', '--by', 'alice', '--key', alice.keyFile]);
  assert.equal(ok.code, 0, ok.stdout + ok.stderr);
  assert.equal((await handle.result()).status, 'completed');
  assert.deepEqual(await audit('budget:raise', handle.workflowId), [refusedRow('alice', 'BW_DECISION_UNSIGNED'), refusedRow('alice', 'BW_DECISION_FORGED'), signedRow('alice')]);
});

test('breaker clear: the worker refuses unsigned and forged `--by` (breaker stays open, audited); a signed clear closes it', async () => {
  const breakers = createCircuitBreakerStore(t.stack.db);
  for (let i = 0; i < 5; i++) await breakers.recordFailure('p', 's', { error: `503 #${i}`, at: new Date().toISOString(), input: { i } });
  assert.equal((await breakers.get('p', 's'))?.state, 'open');
  const unsigned = await cli(['breaker', 'clear', 'p', 's', '--by', 'alice']);
  assert.equal(unsigned.code, 2, unsigned.stdout + unsigned.stderr);
  assert.match(unsigned.stdout + unsigned.stderr, /BW_DECISION_UNSIGNED/);
  const forged = await cli(['breaker', 'clear', 'p', 's', '--by', 'alice', '--key', bob.keyFile]);
  assert.equal(forged.code, 2, forged.stdout + forged.stderr);
  assert.match(forged.stdout + forged.stderr, /BW_DECISION_FORGED/);
  assert.equal((await breakers.get('p', 's'))?.state, 'open', 'still open');
  const ok = await cli(['breaker', 'clear', 'p', 's', '--by', 'alice', '--key', alice.keyFile, '--reason', 'fixed upstream']);
  assert.equal(ok.code, 0, ok.stdout + ok.stderr);
  assert.equal((await breakers.get('p', 's'))?.state, 'closed');
  assert.deepEqual(await audit('breaker:clear', 'p/s'), [refusedRow('alice', 'BW_DECISION_UNSIGNED'), refusedRow('alice', 'BW_DECISION_FORGED'), signedRow('alice')]);
});

test('dlq replay: the worker refuses unsigned and forged `--by` (no run started, audited); a signed replay starts the run', async () => {
  const letters = createDeadLetterStore(t.stack.db);
  const id = await letters.add({
    pipeline: 'requestApproval',
    workflowType: 'requestApproval',
    workflowId: `dead-${t.stack.schema}`,
    runId: 'r1',
    taskQueue: t.stack.taskQueue,
    input: { subject: 'replayed' },
    errors: [{ error: 'gave up', at: new Date().toISOString() }],
  });
  const unsigned = await cli(['dlq', 'replay', String(id), '--by', 'alice']);
  assert.equal(unsigned.code, 2, unsigned.stdout + unsigned.stderr);
  const forged = await cli(['dlq', 'replay', String(id), '--by', 'alice', '--key', bob.keyFile]);
  assert.equal(forged.code, 2, forged.stdout + forged.stderr);
  assert.deepEqual((await letters.get(id))?.replays, [], 'no replay started');
  const ok = await cli(['dlq', 'replay', String(id), '--by', 'alice', '--key', alice.keyFile]);
  assert.equal(ok.code, 0, ok.stdout + ok.stderr);
  const { replay } = JSON.parse(ok.stdout) as { replay: { workflowId: string } };
  const started = t.stack.env.client.workflow.getHandle(replay.workflowId);
  assert.equal((await waitForEscalation(started, 'approval')).reason, 'replayed');
  assert.deepEqual(await audit('dlq:replay', String(id)), [refusedRow('alice', 'BW_DECISION_UNSIGNED'), refusedRow('alice', 'BW_DECISION_FORGED'), signedRow('alice')]);
  await started.terminate('test done');
});

test('the stock temporal CLI path: `breakwater sign resolve` prints a payload that `temporal workflow signal` delivers and the worker accepts', async () => {
  const temporal = process.env.TEMPORAL_CLI;
  if (!temporal) return assert.fail('TEMPORAL_CLI is not set (the stack provisions it: npm run stack)');
  const handle = await t.stack.env.client.workflow.start(requestApproval, { taskQueue: t.stack.taskQueue, workflowId: `stock-cli-${t.stack.schema}`, args: [{ subject: 'via the temporal CLI' }] });
  const open = await waitForEscalation(handle, 'approval');
  const signed = await cli(['sign', 'resolve', handle.workflowId, '--decision', 'approve', '--by', 'alice', '--escalation', open.id, '--key', alice.keyFile]);
  assert.equal(signed.code, 0, signed.stdout + signed.stderr);
  const { payload } = JSON.parse(signed.stdout) as { payload: object };
  const run = (input: object) =>
    promisify(execFile)(temporal, ['workflow', 'signal', '--address', t.stack.env.address, '--workflow-id', handle.workflowId, '--name', 'resolve', '--input', JSON.stringify(input)]);
  await run({ decision: 'approve', by: 'alice', escalation: open.id }); // unsigned: recorded as ignored
  await run(payload);
  assert.equal((await handle.result()).by, 'alice');
  const state = await handle.query(escalationQuery);
  assert.match(state.ignored[0]?.why ?? '', /BW_DECISION_UNSIGNED/);
  // Signal handlers run concurrently: the two checks may finish in either order.
  const rows = (await audit('resolve:%', handle.workflowId)).sort((a, b) => Number(a.accepted) - Number(b.accepted));
  assert.deepEqual(rows, [refusedRow('alice', 'BW_DECISION_UNSIGNED'), signedRow('alice')]);
});
