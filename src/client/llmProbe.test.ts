/**
 * `breakwater llm probe` against the LLM simulator's personalities, through the real CLI binary over HTTP:
 * what it measures, the profile it suggests, and its exit codes.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import path from 'node:path';
import { test, type TestContext } from 'node:test';
import { packageRoot } from '../devstack/paths';
import { findFreePort } from '../devstack/processes';
import { startLlmSimulator } from '../simulators/llm';
import type { LlmPersonality } from '../simulators/llmPersonality';

const bin = path.join(packageRoot(), 'bin', 'breakwater.js');
const run = (args: string[]) =>
  new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
    execFile(process.execPath, [bin, ...args], { env: { ...process.env, OPENAI_API_KEY: '' } }, (error, stdout, stderr) => resolve({ code: error ? Number(error.code ?? 1) : 0, stdout, stderr }));
  });

async function probe(t: TestContext, personality: LlmPersonality, extra: string[] = []) {
  const sim = await startLlmSimulator({ scenario: { personality, rules: [{ match: {}, responses: [{ json: { answer: 'yes' } }] }] } });
  t.after(() => sim.close());
  const r = await run(['llm', 'probe', '--base-url', `${sim.url}/v1`, '--model', 'local-model', '--json', ...extra]);
  return { ...r, sim, body: JSON.parse(r.stdout) as { findings: Record<string, unknown> & { structuredOutput: { mode: string; supported: boolean; status: number | null }[]; tokenLimit: { param: string; honoured: boolean | null; completionTokens: number | null }[] }; profile: Record<string, unknown>; paste: { models: Record<string, { compat: unknown }> } } };
}

test('an OpenAI-like endpoint: every mode works, max_completion_tokens honoured, the openai profile (nothing to paste)', async (t) => {
  const { code, body } = await probe(t, {});
  assert.equal(code, 0);
  assert.deepEqual(body.findings.structuredOutput.map((m) => [m.mode, m.supported]), [['json_schema_strict', true], ['json_schema', true], ['json_object', true], ['tool_call', true]]);
  assert.deepEqual(body.profile, { structuredOutput: 'json_schema_strict', tokenLimitParam: 'max_completion_tokens', stripKeywords: [], systemMessages: true, usage: 'reported' });
  assert.deepEqual(body.paste.models['local-model']!.compat, {});
});

test('a llama-cpp-python-like endpoint: json_schema refused, max_completion_tokens ignored, system dropped, crashes on pattern', async (t) => {
  const { code, body, sim } = await probe(t, { refusesJsonSchema: true, ignoresMaxCompletionTokens: 4079, dropsSystemMessages: true, crashesOnPattern: true }, ['--check-keywords']);
  assert.equal(code, 0);
  assert.deepEqual(body.findings.tokenLimit.map((l) => [l.param, l.honoured, l.completionTokens]), [['max_completion_tokens', false, 4079], ['max_tokens', true, 4]]);
  assert.deepEqual(body.findings.structuredOutput.map((m) => [m.mode, m.supported, m.status]), [['json_schema_strict', false, 500], ['json_schema', false, 500], ['json_object', true, 200], ['tool_call', true, 200]]);
  assert.equal(body.findings.systemMessagesKept, false);
  assert.deepEqual(body.findings.patternKeyword, [{ mode: 'tool_call', status: null, crashed: true, error: (body.findings.patternKeyword as { error: string }[])[0]!.error }]);
  assert.deepEqual(body.paste.models['local-model']!.compat, { structuredOutput: 'tool_call', tokenLimitParam: 'max_tokens', stripKeywords: ['pattern'], systemMessages: false });
  assert.ok(sim.log().length <= 12, `a handful of requests, not ${sim.log().length}`);
});

test('no usage: reported as absent, usage estimated in the profile; text output for people', async (t) => {
  const sim = await startLlmSimulator({ scenario: { personality: { noUsage: true }, rules: [{ match: {}, responses: [{ json: { answer: 'no' } }] }] } });
  t.after(() => sim.close());
  const r = await run(['llm', 'probe', '--base-url', `${sim.url}/v1`, '--model', 'm']);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /usage reported\s+no/);
  assert.match(r.stdout, /"usage": "estimated"/);
});

test('bad arguments exit 2 with a typed error; an endpoint nobody answers exits 1', async () => {
  const bad = await run(['llm', 'probe', '--base-url', 'ftp://x', '--model', 'm', '--json']);
  assert.equal(bad.code, 2);
  assert.equal((JSON.parse(bad.stdout) as { error: { code: string } }).error.code, 'BW_INVALID_INPUT');
  assert.match(bad.stdout, /--base-url/);
  const missing = await run(['llm', 'probe', '--base-url', 'http://127.0.0.1:9/v1', '--json']);
  assert.equal(missing.code, 2);
  const down = await run(['llm', 'probe', '--base-url', `http://127.0.0.1:${await findFreePort()}/v1`, '--model', 'm', '--json', '--timeout-ms', '2000']);
  assert.equal(down.code, 1);
  assert.match(down.stdout, /no answer from/);
});
