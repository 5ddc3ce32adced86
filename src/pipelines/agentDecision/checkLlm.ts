/**
 * `npm run check:llm` (node side; scripts/check-llm.sh provisions the Python server and the weights): a real
 * OpenAI-compatible server on loopback — llama-cpp-python serving Gemma 3 270M — probed with
 * `breakwater llm probe`, then one agentDecision run on a real worker with the profile the probe suggested.
 * It asserts the wire behaviour (the probe's findings, recorded tokens, a clean escalation or completion),
 * not the model's quality: a 270M base model is expected to answer badly.
 *
 * Not part of `npm test` (it needs ~15 min to build llama.cpp once and minutes per run on 2 cores).
 */
import assert from 'node:assert/strict';
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { promisify } from 'node:util';
import path from 'node:path';
import { packageRoot } from '../../devstack/paths';
import { findFreePort } from '../../devstack/processes';
import { parseModelsConfig } from '../../activities/llm/models';
import type { CompatProfile } from '../../activities/llm/profiles';
import type { ProbeFindings } from '../../client/llmProbe';
import { renderProbe, suggestProfile } from '../../client/llmProbeProfile';
import { llmCalls, startAgentLayerStack } from '../testKit';
import type { LlmCallRow } from '../../store/llmCalls';
import { escalationQuery } from '../../contracts/messages';
import { agentDecision } from './workflow';

const arg = (name: string): string => {
  const i = process.argv.indexOf(`--${name}`);
  const v = i > 0 ? process.argv[i + 1] : undefined;
  if (!v) throw new Error(`check:llm: --${name} is required`);
  return v;
};
const MODEL = 'gemma-3-270m';
const MAX_OUTPUT = 48;
const log = (s: string) => process.stdout.write(`${s}\n`);

async function startServer(python: string, gguf: string, port: number): Promise<ChildProcess> {
  const args = ['-m', 'llama_cpp.server', '--model', gguf, '--model_alias', MODEL, '--host', '127.0.0.1', '--port', String(port), '--chat_format', 'gemma', '--n_ctx', '1024', '--n_threads', '2'];
  const server = spawn(python, args, { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  server.stderr!.on('data', (d: Buffer) => void (stderr = (stderr + d.toString()).slice(-4000)));
  for (const deadline = Date.now() + 120_000; Date.now() < deadline; await new Promise((r) => setTimeout(r, 500))) {
    if (server.exitCode !== null) throw new Error(`llama-cpp-python server exited ${server.exitCode}: ${stderr}`);
    if (await fetch(`http://127.0.0.1:${port}/v1/models`).then((r) => r.ok, () => false)) return server;
  }
  server.kill();
  throw new Error(`llama-cpp-python server did not listen within 120 s: ${stderr}`);
}

async function stopServer(server: ChildProcess): Promise<void> {
  if (server.exitCode !== null || server.signalCode !== null) return;
  const exited = new Promise((r) => server.once('exit', r));
  server.kill('SIGTERM');
  await exited;
}

function checkProbe(f: ProbeFindings, profile: CompatProfile): void {
  const mode = (m: string) => f.structuredOutput.find((s) => s.mode === m)!;
  for (const m of ['json_schema_strict', 'json_schema']) {
    assert.equal(mode(m).status, 500, `${m} is refused with a 500`);
    assert.match(mode(m).error ?? '', /Input should be 'text' or 'json_object'/);
  }
  assert.equal(mode('json_object').status, 200, 'json_object accepted');
  assert.equal(mode('tool_call').supported, true, 'a forced tool call is answered as a tool call');
  assert.deepEqual(f.tokenLimit.map((t) => [t.param, t.honoured]), [['max_completion_tokens', false], ['max_tokens', true]]);
  assert.equal(f.usageReported, true);
  assert.equal(f.systemMessagesKept, false, 'the gemma chat format drops system messages');
  assert.ok(f.patternKeyword?.some((p) => p.crashed), 'a pattern keyword takes the server down');
  assert.deepEqual({ ...profile, structuredOutput: undefined }, { structuredOutput: undefined, tokenLimitParam: 'max_tokens', stripKeywords: ['pattern'], systemMessages: false, usage: 'reported' });
}

function checkCalls(rows: LlmCallRow[]): void {
  assert.ok(rows.length > 0, 'calls were recorded');
  for (const r of rows) {
    assert.ok(['ok', 'invalid-output'].includes(r.outcome), `call ${r.id} ${r.outcome}: ${r.error ?? ''} (no HTTP or network error with the suggested profile)`);
    assert.ok(r.input_tokens > 0 && r.output_tokens > 0, `call ${r.id} recorded its tokens (${r.input_tokens} in, ${r.output_tokens} out)`);
    assert.ok(r.output_tokens <= MAX_OUTPUT && !r.over_reservation, `call ${r.id} stayed within max_tokens ${MAX_OUTPUT} (${r.output_tokens})`);
    assert.equal(r.cost_estimated, false, 'usage came from the server');
    assert.equal(r.cost_usd, (r.input_tokens * 0.1e-6 + r.output_tokens * 0.2e-6).toFixed(9), 'recorded cost = tokens × price');
  }
}

async function main(): Promise<void> {
  const started = Date.now();
  const python = arg('python');
  const gguf = arg('gguf');
  const port = await findFreePort();
  const baseUrl = `http://127.0.0.1:${port}/v1`;
  let server = await startServer(python, gguf, port);
  try {
    log(`== probe: breakwater llm probe --base-url ${baseUrl} --model ${MODEL} --check-keywords --json`);
    const cli = path.join(packageRoot(), 'bin', 'breakwater.js');
    const { stdout } = await promisify(execFile)(process.execPath, [cli, 'llm', 'probe', '--base-url', baseUrl, '--model', MODEL, '--check-keywords', '--json', '--timeout-ms', '240000'], { maxBuffer: 10 << 20 });
    const probe = JSON.parse(stdout) as { findings: ProbeFindings; profile: CompatProfile };
    log(renderProbe(probe.findings, suggestProfile(probe.findings)));
    checkProbe(probe.findings, probe.profile);
    log('probe findings: as expected');

    await stopServer(server); // the pattern keyword crashed it; a fresh one for the run
    server = await startServer(python, gguf, port);
    log(`== agentDecision with the suggested profile: ${JSON.stringify(probe.profile)}`);
    const models = { provider: 'llama-cpp-python', roles: { router: { model: MODEL, maxOutputTokens: MAX_OUTPUT }, decider: { model: MODEL, maxOutputTokens: MAX_OUTPUT } }, models: { [MODEL]: { inputUsdPerMillion: 0.1, outputUsdPerMillion: 0.2, compat: probe.profile } } };
    const t = await startAgentLayerStack({ startWorker: false, models, env: { OPENAI_BASE_URL: baseUrl, ALERT_WEBHOOK_URL: '', ALERT_NTFY_URL: '' } });
    try {
      const worker = await t.stack.createWorker({ llm: { models: parseModelsConfig(models), requestTimeoutMs: 110_000 } });
      const outcome = await worker.runUntil(async () => {
        const handle = await t.stack.env.client.workflow.start(agentDecision, { taskQueue: t.stack.taskQueue, workflowId: `check-llm-${t.stack.schema}`, args: [{ requestId: 'check-llm', text: 'My order ORD-1001 arrived damaged. Please refund it.' }] });
        for (const deadline = Date.now() + 15 * 60_000; Date.now() < deadline; await new Promise((r) => setTimeout(r, 2000))) {
          const d = await handle.describe();
          if (d.status.name !== 'RUNNING') return { closed: d.status.name, result: await handle.result().catch((e: Error) => e.message) };
          const open = (await handle.query(escalationQuery)).open;
          if (open) {
            await handle.executeUpdate('resolve', { args: [{ decision: 'reject', by: 'check-llm', reason: 'wire check done' }] });
            return { escalation: open.kind, step: open.step, issues: open.details?.issues, result: await handle.result() };
          }
        }
        throw new Error('the run neither finished nor escalated within 15 minutes');
      });
      const rows = await llmCalls(t.stack, `check-llm-${t.stack.schema}`);
      log(JSON.stringify(outcome));
      log(rows.map((r) => `  llm_calls ${r.agent_role} repair ${r.repair} attempt ${r.attempt}: ${r.outcome}, ${r.input_tokens} in / ${r.output_tokens} out tokens, ${r.cost_usd} USD`).join('\n'));
      assert.ok('closed' in outcome ? outcome.closed === 'COMPLETED' : ['invalid-output', 'low-confidence'].includes(outcome.escalation), `a clean completion or escalation (invalid-output, low-confidence), not ${JSON.stringify(outcome)}`);
      checkCalls(rows);
    } finally {
      await t.stop();
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
