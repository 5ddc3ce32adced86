/**
 * Payload encryption end to end on a real dev server: a run with a planted secret-like input leaves only
 * ciphertext in its raw history (`temporal workflow show -o json`), a failing run leaves no failure message
 * or stack trace in clear (they are encoded attributes, encrypted by the codec) while `explain` still shows
 * them, and a key rotation in the middle of a run — workers and clients redeployed with a new key first, the
 * old one kept — keeps the run readable.
 */
import assert from 'node:assert/strict';
import { execFile, execFileSync } from 'node:child_process';
import { promisify } from 'node:util';
import { after, before, test } from 'node:test';
import { Client } from '@temporalio/client';
import { ApplicationFailure, defaultPayloadConverter, type Payload } from '@temporalio/common';
import { loadConfig } from '../config';
import { escalationQuery, resolveUpdate } from '../contracts/messages';
import { explainWorkflow } from '../observability/explainData';
import { doctor } from '../workflows/doctor';
import { ensureTemporalCli } from '../devstack/temporalTools';
import { isFailure, Failure } from '../failures';
import { startTestStack, type TestStack } from '../testing/harness';
import { createBreakwaterWorker } from '../workers/worker';
import { requestApproval } from '../workflows/requestApproval';
import { breakwaterDataConverter } from './dataConverter';
import { startCodecServer } from './codecServer';
import { generateKeySpec, parseKeyRing } from './keys';
import { createEncryptionCodec, ENCRYPTED_ENCODING, KEY_ID_METADATA } from './payloadCodec';

const SECRET = 'sk-live-PLANTED-51f3c9-do-not-log';
const K1 = generateKeySpec('k1');
const K2 = generateKeySpec('k2');
let stack: TestStack;

before(async () => {
  stack = await startTestStack({ env: { BREAKWATER_CODEC_KEYS: K1 } });
});
after(async () => {
  await stack?.teardown();
});

/** The raw history, as an operator without the keys sees it. */
function rawHistory(workflowId: string): string {
  return execFileSync(ensureTemporalCli(), ['workflow', 'show', '--workflow-id', workflowId, '--address', stack.env.address, '--namespace', 'default', '--output', 'json'], { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
}

/**
 * Every payload in a history JSON (objects with metadata.encoding), except search attributes (indexed by the
 * server, never ours to encrypt), the SDK's patch markers (the patch id) and headers (the trace context of
 * the tracing interceptors): the SDK writes those without the codec, and none holds pipeline data.
 */
function payloadsOf(json: string): { path: string; payload: Payload }[] {
  const found: { path: string; payload: Payload }[] = [];
  const walk = (v: unknown, path: string): void => {
    if (!v || typeof v !== 'object') return;
    const o = v as Record<string, unknown>;
    const meta = o.metadata as Record<string, string> | undefined;
    if (meta && typeof meta === 'object' && typeof meta.encoding === 'string') {
      found.push({ path, payload: { metadata: Object.fromEntries(Object.entries(meta).map(([k, x]) => [k, Buffer.from(x, 'base64')])), data: Buffer.from(String(o.data ?? ''), 'base64') } });
      return;
    }
    for (const [k, x] of Object.entries(o)) if (!['searchAttributes', 'patch-data', 'header'].includes(k)) walk(x, `${path}.${k}`);
  };
  walk(JSON.parse(json), '$');
  return found;
}

/** Every base64 string in the JSON, decoded: where a plaintext value would hide. */
function decodedStrings(json: string): string[] {
  const out: string[] = [];
  JSON.parse(json, (_k, v: unknown) => {
    if (typeof v === 'string') out.push(v, /^[A-Za-z0-9+/]+={0,2}$/.test(v) ? Buffer.from(v, 'base64').toString('latin1') : '');
    return v;
  });
  return out;
}

const text = (b?: Uint8Array | null) => Buffer.from(b ?? new Uint8Array()).toString('utf8');

async function waitOpen(handle: { query: (q: typeof escalationQuery) => Promise<{ open?: unknown }> }) {
  for (let i = 0; i < 100; i++) {
    if ((await handle.query(escalationQuery)).open) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error('escalation never opened');
}

test('a run with a planted secret-like input: its raw history shows ciphertext only; Breakwater clients read it', async () => {
  const worker = await stack.createWorker();
  await worker.runUntil(async () => {
    const handle = await stack.env.client.workflow.start(requestApproval, { taskQueue: stack.taskQueue, workflowId: `secret-${stack.schema}`, args: [{ subject: `refund card ${SECRET}?` }] });
    await waitOpen(handle);
    await handle.executeUpdate(resolveUpdate, { args: [{ decision: 'approve', by: 'alice', reason: `checked ${SECRET}` }] });
    assert.equal((await handle.result()).reason, `checked ${SECRET}`, 'the Breakwater client decrypts');
    const json = rawHistory(handle.workflowId);
    assert.ok(!json.includes(SECRET) && !decodedStrings(json).some((s) => s.includes(SECRET)), 'the secret is nowhere in the raw history, not even base64-encoded');
    const payloads = payloadsOf(json);
    assert.ok(payloads.length >= 4, `input, update, query answers and result are payloads (found ${payloads.length})`);
    for (const { path, payload } of payloads) {
      assert.equal(text(payload.metadata?.encoding), ENCRYPTED_ENCODING, `${path} is encrypted`);
      assert.equal(text(payload.metadata?.[KEY_ID_METADATA]), 'k1', `${path} names its key`);
    }
    // The stock CLI shows plaintext through the codec server, with its token — and only with it.
    const token = `cli-${generateKeySpec('t').slice(2)}`;
    const server = await startCodecServer({ codec: createEncryptionCodec(parseKeyRing(K1)), token, uiOrigin: 'http://127.0.0.1:8233', port: 0 });
    try {
      // (asynchronously: the codec server answers from this process's event loop)
      const show = (auth: string) => promisify(execFile)(ensureTemporalCli(), ['workflow', 'show', '--workflow-id', handle.workflowId, '--address', stack.env.address, '--namespace', 'default', '--output', 'json', '--codec-endpoint', server.url, '--codec-auth', auth], { maxBuffer: 64 * 1024 * 1024, timeout: 60_000 });
      const shown = (await show(`Bearer ${token}`)).stdout;
      assert.ok(decodedStrings(shown).some((s) => s.includes(SECRET)), 'temporal workflow show --codec-endpoint decodes the input');
      const refused = await show('Bearer wrong-token').then((r) => r.stdout, (e: { stdout?: string }) => e.stdout ?? '');
      assert.ok(!refused.includes(SECRET) && (refused.trim() === '' || !decodedStrings(refused).some((s) => s.includes(SECRET))), 'a wrong token decodes nothing');
    } finally {
      await server.close();
    }
  });
});

/** Every failure object in a history JSON (each event's failure, lastFailure, and their causes). */
function failuresOf(json: string): { path: string; failure: Record<string, unknown> }[] {
  const found: { path: string; failure: Record<string, unknown> }[] = [];
  const walk = (v: unknown, path: string): void => {
    if (!v || typeof v !== 'object') return;
    for (const [k, x] of Object.entries(v as Record<string, unknown>)) {
      if (['failure', 'lastFailure', 'cause'].includes(k) && x && typeof x === 'object' && 'message' in x) found.push({ path: `${path}.${k}`, failure: x as Record<string, unknown> });
      walk(x, `${path}.${k}`);
    }
  };
  walk(JSON.parse(json), '$');
  return found;
}

test('a failing activity: its message and stack trace are encrypted in the raw history; explain shows them', async () => {
  // Not secret-shaped, so no redaction pattern masks it: only encryption can keep it out of the history.
  const planted = 'Jane-Roe-PLANTED-4e8a1c';
  const worker = await stack.createWorker({
    activities: {
      checkDatabase: async () => {
        throw ApplicationFailure.nonRetryable(`the portal answered 422: account of ${planted} is closed`, 'PortalRejected');
      },
    },
  });
  const workflowId = `failure-${stack.schema}`;
  await worker.runUntil(async () => {
    const handle = await stack.env.client.workflow.start(doctor, { taskQueue: stack.taskQueue, workflowId });
    await assert.rejects(handle.result(), (e: Error & { cause?: Error & { cause?: Error } }) => {
      assert.match(e.cause?.cause?.message ?? '', new RegExp(planted), 'a Breakwater client reads the message');
      return true;
    });
  });
  const json = rawHistory(workflowId);
  assert.ok(!json.includes(planted) && !decodedStrings(json).some((s) => s.includes(planted)), 'the message is nowhere in the raw history, not even base64-encoded');
  const failures = failuresOf(json);
  assert.ok(failures.length >= 3, `the activity's failure, the run's and its cause (found ${failures.length})`);
  for (const { path, failure } of failures) {
    // Written by the activity worker and by the workflow sandbox alike: both use the encoding failure converter.
    assert.equal(failure.message, 'Encoded failure', `${path}: the message is an encoded attribute`);
    assert.ok(!failure.stackTrace, `${path}: no stack trace in clear`);
  }
  const explanation = JSON.stringify(await explainWorkflow({ client: stack.env.client }, workflowId));
  assert.ok(explanation.includes(`account of ${planted} is closed`), `explain decodes the failure: ${explanation.slice(0, 600)}`);
  assert.ok(!explanation.includes('Encoded failure'), 'explain shows the real messages, not the placeholder');
});

test('key rotation mid-run: redeployed with k2 first and k1 kept, the run finishes and every payload stays readable', async () => {
  const workflowId = `rotate-${stack.schema}`;
  const oldWorker = await stack.createWorker();
  const oldRun = oldWorker.run();
  const handle = await stack.env.client.workflow.start(requestApproval, { taskQueue: stack.taskQueue, workflowId, args: [{ subject: `rotate ${SECRET}` }] });
  await waitOpen(handle);
  oldWorker.shutdown();
  await oldRun;

  // The redeploy: the new key first (it writes), the old one after it (it still reads).
  const rotated = loadConfig({ ...stack.settings, BREAKWATER_CODEC_KEYS: `${K2},${K1}` });
  const newWorker = await createBreakwaterWorker({ config: rotated, db: stack.db, connection: stack.env.nativeConnection, taskQueue: stack.taskQueue, alertRelay: false });
  const client = new Client({ connection: stack.env.client.connection, dataConverter: breakwaterDataConverter(rotated) });
  await newWorker.runUntil(async () => {
    const h = client.workflow.getHandle<typeof requestApproval>(workflowId);
    assert.ok((await h.query(escalationQuery)).open, 'the new worker replays the k1 history and still waits');
    await h.executeUpdate(resolveUpdate, { args: [{ decision: 'approve', by: 'bob', reason: 'after rotation' }] });
    assert.deepEqual(await h.result(), { decision: 'approve', by: 'bob', reason: 'after rotation' });
  });

  const payloads = payloadsOf(rawHistory(workflowId));
  const ids = new Set(payloads.map((p) => text(p.payload.metadata?.[KEY_ID_METADATA])));
  assert.deepEqual([...ids].sort(), ['k1', 'k2'], 'written before the rotation with k1, after it with k2');
  const ring = createEncryptionCodec(parseKeyRing(`${K2},${K1}`));
  const decoded = await ring.decode(payloads.map((p) => p.payload));
  const values = decoded.map((p) => String(JSON.stringify(defaultPayloadConverter.fromPayload(p))));
  assert.ok(values.some((v) => v.includes(`rotate ${SECRET}`)), 'the k1 input still decodes with the rotated ring');
  assert.ok(values.some((v) => v.includes('after rotation')), 'the k2 result decodes');
  // And the old ring alone cannot read what k2 wrote: rotation really switched the writing key.
  await assert.rejects(createEncryptionCodec(parseKeyRing(K1)).decode(payloads.filter((p) => text(p.payload.metadata?.[KEY_ID_METADATA]) === 'k2').map((p) => p.payload)), (e) => isFailure(e, Failure.CodecKeyUnknown));
});
