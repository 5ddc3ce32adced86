/**
 * `npm run check:llm` (node side; scripts/check-llm.sh provisions llama-server and the weights): a real
 * llama.cpp `llama-server` on loopback serving SmolLM2-135M-Instruct, probed with `breakwater llm probe`, then
 * 10 agentDecision and 3 researchAgent runs on a real worker with the profile the probe suggested.
 *
 * The goal it checks (issue 24): every run ends either with output the pipeline accepted or escalated to a
 * person with a precise reason — none failed, none stuck. It prints per run how it ended, the tokens and the
 * time per model call (from the run's history), and exits 1 when a run failed or got stuck. A 135M model is
 * not expected to decide well; it is expected to produce schema-valid JSON under the server's grammar.
 *
 * Not part of `npm test` (llama-server is built once, ~5–25 min on 2 cores, and each run takes tens of seconds).
 */
import assert from 'node:assert/strict';
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { promisify } from 'node:util';
import path from 'node:path';
import { NativeConnection } from '@temporalio/worker';
import type { Client, WorkflowHandle } from '@temporalio/client';
import { decodeHistory } from '../../codec/decodeHistory';
import { readTimeline } from '../../observability/explainHistory';
import { packageRoot } from '../../devstack/paths';
import { findFreePort } from '../../devstack/processes';
import { parseModelsConfig } from '../../activities/llm/models';
import type { CompatProfile } from '../../activities/llm/profiles';
import type { ProbeFindings } from '../../client/llmProbe';
import { renderProbe, suggestProfile } from '../../client/llmProbeProfile';
import { temporalConnectionOptions } from '../../client/connection';
import { createApiWorkers } from '../../workers/apiWorkers';
import { escalationQuery } from '../../contracts/messages';
import { llmCalls, startAgentLayerStack } from '../testKit';
import { searchApi } from '../researchAgent/tools';
import { researchAgent } from '../researchAgent/workflow';
import { agentDecision } from './workflow';

const arg = (name: string): string => {
  const i = process.argv.indexOf(`--${name}`);
  const v = i > 0 ? process.argv[i + 1] : undefined;
  if (!v) throw new Error(`check:llm: --${name} is required`);
  return v;
};
const MODEL = 'smollm2-135m-instruct';
const RUN_DEADLINE_MS = 10 * 60_000;
const log = (s: string) => process.stdout.write(`${s}\n`);

const REQUESTS = [
  'My order ORD-1001 arrived damaged. Please refund it.',
  'Where is my parcel? Order ORD-1002 was due on Monday.',
  'Please cancel order ORD-1003 before it ships.',
  'I was charged twice for order ORD-1004.',
  'Can I change the delivery address of ORD-1005?',
  'The shoes in ORD-1006 are the wrong size, I want to exchange them.',
  'Your website is great, thanks!',
  'Refund ORD-1008 now or I will call my bank.',
  'How do I reset my password?',
  'The discount code SAVE10 did not apply to ORD-1010.',
];
const TOPICS = ['the history of the bicycle', 'how bees make honey', 'tidal energy'];

async function startServer(server: string, gguf: string, port: number): Promise<ChildProcess> {
  // --jinja: the model's own chat template, which OpenAI-style tools need; -c 4096: a research turn's tools fit.
  const args = ['-m', gguf, '--alias', MODEL, '--host', '127.0.0.1', '--port', String(port), '-c', '4096', '-t', '2', '--jinja', '--no-webui'];
  const child = spawn(server, args, { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr!.on('data', (d: Buffer) => void (stderr = (stderr + d.toString()).slice(-4000)));
  for (const deadline = Date.now() + 120_000; Date.now() < deadline; await new Promise((r) => setTimeout(r, 500))) {
    if (child.exitCode !== null) throw new Error(`llama-server exited ${child.exitCode}: ${stderr}`);
    if (await fetch(`http://127.0.0.1:${port}/health`).then((r) => r.ok, () => false)) return child;
  }
  child.kill();
  throw new Error(`llama-server did not become healthy within 120 s: ${stderr}`);
}

async function stopServer(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((r) => child.once('exit', r));
  child.kill('SIGTERM');
  await exited;
}

type Ending = { kind: 'accepted' | 'escalated' | 'failed' | 'stuck'; detail: string };

/** Follows a run to its end; every escalation is answered `reject` (the check is no judge of the answers). */
async function follow(handle: WorkflowHandle): Promise<Ending> {
  const escalations: string[] = [];
  for (const deadline = Date.now() + RUN_DEADLINE_MS; Date.now() < deadline; await new Promise((r) => setTimeout(r, 1000))) {
    const d = await handle.describe();
    if (d.status.name !== 'RUNNING') {
      if (d.status.name !== 'COMPLETED') return { kind: 'failed', detail: `${d.status.name}: ${await handle.result().then(() => '', (e: Error) => e.message)}` };
      const result = (await handle.result()) as { status: string };
      if (escalations.length > 0) return { kind: 'escalated', detail: `${escalations.join('; ')} → ${result.status}` };
      return result.status === 'completed' ? { kind: 'accepted', detail: JSON.stringify(result).slice(0, 200) } : { kind: 'failed', detail: `closed ${result.status} without an escalation` };
    }
    const open = (await handle.query(escalationQuery)).open;
    if (open) {
      escalations.push(`${open.kind} at ${open.step}: ${open.reason}`);
      const decision = open.allowed?.includes('reject') ? 'reject' : (open.allowed?.[0] ?? 'reject');
      await handle.executeUpdate('resolve', { args: [{ decision, by: 'check-llm', reason: 'check:llm answers every escalation with reject' }] });
    }
  }
  return { kind: 'stuck', detail: `still running after ${RUN_DEADLINE_MS / 1000} s (${escalations.length} escalation(s))` };
}

/** Milliseconds of each model-call activity (scheduled → closed, repairs inside it), from the run's history. */
async function callMs(client: Client, handle: WorkflowHandle): Promise<number[]> {
  const { steps } = readTimeline(await decodeHistory(client, await handle.fetchHistory()));
  return steps.flatMap((s) => (s.kind === 'activity' && s.name === 'callModel' && s.endedAt !== undefined ? [s.endedAt - s.scheduledAt] : []));
}

async function main(): Promise<void> {
  const started = Date.now();
  const port = await findFreePort();
  const baseUrl = `http://127.0.0.1:${port}/v1`;
  const server = await startServer(arg('server'), arg('gguf'), port);
  try {
    log(`== probe: breakwater llm probe --base-url ${baseUrl} --model ${MODEL} --check-keywords --json`);
    const cli = path.join(packageRoot(), 'bin', 'breakwater.js');
    const { stdout } = await promisify(execFile)(process.execPath, [cli, 'llm', 'probe', '--base-url', baseUrl, '--model', MODEL, '--check-keywords', '--json', '--timeout-ms', '240000'], { maxBuffer: 10 << 20 });
    const probe = JSON.parse(stdout) as { findings: ProbeFindings; profile: CompatProfile };
    log(renderProbe(probe.findings, suggestProfile(probe.findings)));
    // What makes a small model's output valid is the server's grammar: the probe must have found it.
    assert.ok(['json_schema_strict', 'json_schema'].includes(probe.profile.structuredOutput), `the probe found schema-constrained output (got ${probe.profile.structuredOutput})`);

    const models = {
      provider: 'llama-server',
      roles: { router: { model: MODEL, maxOutputTokens: 128 }, decider: { model: MODEL, maxOutputTokens: 160 }, researcher: { model: MODEL, maxOutputTokens: 256 } },
      models: { [MODEL]: { inputUsdPerMillion: 0.1, outputUsdPerMillion: 0.2, compat: probe.profile } },
    };
    const t = await startAgentLayerStack({ startWorker: false, models, env: { OPENAI_BASE_URL: baseUrl, ALERT_WEBHOOK_URL: '', ALERT_NTFY_URL: '' } });
    const connection = await NativeConnection.connect(temporalConnectionOptions(t.stack.config));
    try {
      const [api] = await createApiWorkers({ config: t.stack.config, connection, taskQueue: t.stack.taskQueue, apis: [searchApi({ db: t.stack.db })] });
      t.stack.runUntilTeardown(api!);
      const worker = await t.stack.createWorker({ llm: { models: parseModelsConfig(models), requestTimeoutMs: 170_000 } });
      const runs = [
        ...REQUESTS.map((text, i) => ({ name: `agentDecision #${i + 1}`, start: (id: string) => t.stack.env.client.workflow.start(agentDecision, { taskQueue: t.stack.taskQueue, workflowId: id, args: [{ requestId: `check-llm-${i + 1}`, text }] }) })),
        ...TOPICS.map((topic, i) => ({ name: `researchAgent #${i + 1}`, start: (id: string) => t.stack.env.client.workflow.start(researchAgent, { taskQueue: t.stack.taskQueue, workflowId: id, args: [{ topic, maxTurns: 4, deadline: '8 minutes' }] }) })),
      ];
      const endings: Ending[] = [];
      await worker.runUntil(async () => {
        for (const [i, run] of runs.entries()) {
          const id = `check-llm-${t.stack.schema}-${i + 1}`;
          const t0 = Date.now();
          const handle = await run.start(id);
          const ending = await follow(handle);
          endings.push(ending);
          const rows = await llmCalls(t.stack, id);
          const ms = await callMs(t.stack.env.client, handle);
          const tokens = rows.map((r) => `${r.input_tokens}/${r.output_tokens}`).join(' ');
          log(`${run.name}: ${ending.kind.toUpperCase()} in ${Math.round((Date.now() - t0) / 1000)} s — ${ending.detail}`);
          log(`   ${rows.length} call(s) [${rows.map((r) => r.outcome).join(', ')}], tokens in/out ${tokens || '-'}, ms per call ${ms.join(' ') || '-'}`);
        }
      });
      const count = (k: Ending['kind']) => endings.filter((e) => e.kind === k).length;
      log(`== ${endings.length} runs: ${count('accepted')} accepted, ${count('escalated')} escalated, ${count('failed')} failed, ${count('stuck')} stuck`);
      assert.equal(count('failed') + count('stuck'), 0, 'no run failed or got stuck');
    } finally {
      await t.stop();
      await connection.close().catch(() => undefined);
    }
    log(`check:llm passed in ${Math.round((Date.now() - started) / 1000)} s`);
  } finally {
    await stopServer(server);
  }
}

main().then(
  () => process.exit(0),
  (e: unknown) => {
    process.stderr.write(`check:llm FAILED: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
    process.exit(1);
  },
);
