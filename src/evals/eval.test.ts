/**
 * `breakwater eval` end to end: a real run (real worker, Temporal dev server, Postgres, the LLM simulator over
 * HTTP) records its calls in llm_calls; the real CLI binary captures them as case files and replays them
 * against the simulator: answers that still pass (exit 0), one that regresses (exit 1, the case named), bad
 * input (exit 2, nothing sent).
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { packageRoot } from '../devstack/paths';
import { decimalToNano } from '../deterministic/budget';
import type { LlmScenario } from '../simulators/llm';
import { startAgentLayerStack, type AgentLayerStack } from '../testing/agentLayerKit';
import type { EvalFile } from './caseFile';
import type { EvalReport } from './runEval';
import type * as fixtures from './fixtures/evalWorkflows';

const bin = path.join(packageRoot(), 'bin', 'breakwater.js');
const dir = mkdtempSync(path.join(tmpdir(), 'bw-eval-'));
const casesFile = path.join(dir, 'evals', 'tickets.json');
const SECRET = 'sk-evalsecret12345678';

const billing = 'My card was charged twice for order 17';
const shipping = `The parcel is two weeks late (my api key is ${SECRET}, in case you need it)`;
const usage = { prompt_tokens: 100, completion_tokens: 20 };

/** Answers by ticket text (and, when given, only to requests whose system prompt holds `system`). */
type Answer = { queue: string; urgent: boolean; confidence: number };
function answers(billingAnswer: Answer, shippingAnswers: Answer[], system?: string): LlmScenario {
  const m = (user: string) => ({ user, ...(system ? { system } : {}) });
  return {
    rules: [
      { id: 'billing', match: m('charged twice'), responses: [{ json: billingAnswer, usage }] },
      { id: 'shipping', match: m('parcel'), responses: shippingAnswers.map((json) => ({ json, usage })) },
    ],
  };
}

let t: AgentLayerStack;
let env: NodeJS.ProcessEnv;
const workflowId = () => `eval-tickets-${t.stack.schema}`;

const cli = (args: string[], extraEnv: NodeJS.ProcessEnv = {}) =>
  new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
    execFile(process.execPath, [bin, ...args], { env: { ...env, ...extraEnv }, cwd: dir }, (error, stdout, stderr) => resolve({ code: error ? Number(error.code ?? 1) : 0, stdout, stderr }));
  });
const report = (stdout: string) => JSON.parse(stdout) as EvalReport & { ok: boolean };

before(async () => {
  t = await startAgentLayerStack({
    worker: { workflowsPath: path.join(__dirname, 'fixtures', 'evalWorkflows.js') },
    // The shipping ticket's first answer is outside the schema: the accepted one comes after a repair round.
    // (The repair request's last user message is the validation error, answered by a rule of its own.)
    scenario: {
      rules: [
        { id: 'repair', match: { user: 'does not match the required JSON schema' }, responses: [{ json: { queue: 'shipping', urgent: false, confidence: 0.8 }, usage }] },
        ...answers({ queue: 'billing', urgent: true, confidence: 0.9 }, [{ queue: 'postal', urgent: false, confidence: 0.8 }]).rules,
      ],
    },
  });
  env = Object.fromEntries(Object.entries(t.stack.settings).filter(([, v]) => v !== undefined));
  const routed = await t.stack.env.client.workflow.execute<typeof fixtures.routeTickets>('routeTickets', { taskQueue: t.stack.taskQueue, workflowId: workflowId(), args: [[billing, shipping]], workflowExecutionTimeout: '90 seconds' });
  assert.deepEqual(routed, [{ queue: 'billing', urgent: true, confidence: 0.9 }, { queue: 'shipping', urgent: false, confidence: 0.8 }]);
});
after(async () => t?.stop());

test('capture: the accepted calls become cases with the original prompt (redacted), the schema from history and the baseline cost', async () => {
  const r = await cli(['eval', 'capture', workflowId(), '--out', casesFile, '--expect', 'queue,urgent', '--json']);
  assert.equal(r.code, 0, r.stdout + r.stderr);
  assert.deepEqual(JSON.parse(r.stdout), { ok: true, file: casesFile, cases: 2, roles: ['router'], historyProblems: [] });
  const text = readFileSync(casesFile, 'utf8');
  assert.ok(!text.includes(SECRET), 'the case file holds the redacted prompt only');
  const file = JSON.parse(text) as EvalFile;
  assert.deepEqual(file.cases.map((c) => c.name), ['router-1', 'router-2']);
  const [first, second] = file.cases as [EvalFile['cases'][number], EvalFile['cases'][number]];
  assert.deepEqual(second.messages.map((m) => m.role), ['system', 'user'], 'the repair round (rejected answer + validation error) is not part of the prompt');
  assert.match(second.messages[1]!.content, /\[REDACTED\]/);
  assert.deepEqual(second.baseline.output, { queue: 'shipping', urgent: false, confidence: 0.8 });
  assert.equal(second.baseline.repairs, 1);
  // The CLI process never imported the schema: its JSON Schema came from the callModel input in the history.
  assert.deepEqual((second.jsonSchema.properties as Record<string, { enum?: string[] }>).queue?.enum, ['billing', 'shipping', 'other']);
  assert.deepEqual(first.expect, [{ path: 'queue', baseline: true }, { path: 'urgent', baseline: true }]);
  // Baseline cost: both rounds of the shipping call, as recorded.
  const { rows } = await t.stack.db.query<{ agent_role: string; cost: string; n: string }>(
    "SELECT sum(cost_usd)::text AS cost, count(*)::text AS n FROM llm_calls WHERE workflow_id = $1 AND activity_id = (SELECT activity_id FROM llm_calls WHERE workflow_id = $1 AND outcome = 'invalid-output')",
    [workflowId()],
  );
  assert.equal(rows[0]!.n, '2');
  assert.equal(decimalToNano(second.baseline.costUsd), decimalToNano(rows[0]!.cost));
  assert.equal(second.baseline.inputTokens, 200);
  assert.equal(second.baseline.model, 'sim-small');
});

test('run: answers that keep the checked fields pass (exit 0) on another model and system prompt, priced exactly', async () => {
  const prompt = path.join(dir, 'prompt.txt');
  writeFileSync(prompt, 'NEW ROUTING PROMPT v2');
  // Only requests carrying the new system prompt are answered: the override must reach the endpoint.
  t.sim.setScenario(answers({ queue: 'billing', urgent: true, confidence: 0.55 }, [{ queue: 'shipping', urgent: false, confidence: 0.6 }], 'NEW ROUTING PROMPT v2'));
  const before = t.sim.log().length;
  const r = await cli(['eval', 'run', path.dirname(casesFile), '--model', 'sim-large', '--system-prompt-file', prompt, '--json']);
  assert.equal(r.code, 0, r.stdout + r.stderr);
  const body = report(r.stdout);
  assert.deepEqual(body.cases.map((c) => [c.name, c.status, c.model]), [['router-1', 'pass', 'sim-large'], ['router-2', 'pass', 'sim-large']]);
  assert.equal(body.regressions, 0);
  // sim-large: 2.5 USD / 1M in, 10 USD / 1M out; 100 + 20 tokens a call.
  assert.deepEqual(body.cases.map((c) => [c.inputTokens, c.outputTokens, c.costUsd]), [[100, 20, '0.000450000'], [100, 20, '0.000450000']]);
  assert.equal(body.costUsd, '0.000900000');
  const sent = t.sim.log().slice(before);
  assert.deepEqual(sent.map((e) => [e.model, e.schemaName, e.status]), [['sim-large', 'evalTicketRoute', 200], ['sim-large', 'evalTicketRoute', 200]]);
  // Nothing of production is written: eval calls stay out of llm_calls.
  const { rows } = await t.stack.db.query<{ n: string }>('SELECT count(*)::text AS n FROM llm_calls');
  assert.equal(rows[0]!.n, '3');
});

test('run: a case whose answer changes a checked field is a regression (exit 1, the case named); a baseline-failing check is known', async () => {
  t.sim.setScenario(answers({ queue: 'billing', urgent: true, confidence: 0.9 }, [{ queue: 'billing', urgent: false, confidence: 0.8 }]));
  const r = await cli(['eval', 'run', casesFile]);
  assert.equal(r.code, 1, r.stdout + r.stderr);
  assert.match(r.stdout, /^PASS\s+tickets\.json:router-1\s+sim-small/m);
  assert.match(r.stdout, /^FAIL\s+tickets\.json:router-2\s+sim-small\s+in 100 out 20\s+0\.000027000 USD\s+\d+ ms\s+queue: got "billing", baseline "shipping"$/m);
  assert.match(r.stdout, /2 case\(s\): 1 passed, 1 failed \(1 regression\(s\)\)/);

  // A check the baseline already fails (confidence ≥ 0.95; it was 0.9) is shown as known, and does not fail the command.
  const file = JSON.parse(readFileSync(casesFile, 'utf8')) as EvalFile;
  const known = path.join(dir, 'known.json');
  writeFileSync(known, JSON.stringify({ ...file, cases: [{ ...file.cases[0], expect: [{ path: 'confidence', min: 0.95 }] }] }));
  const k = await cli(['eval', 'run', known, '--json']);
  assert.equal(k.code, 0, k.stdout + k.stderr);
  assert.deepEqual(report(k.stdout).cases.map((c) => [c.status, c.regression, c.baselinePassed, c.reason]), [['fail', false, false, 'confidence: got 0.9, expected ≥ 0.95']]);
});

test('run: --base-url and --profile reach the endpoint as given; --max-cost-usd refuses a request before it is sent', async () => {
  // An endpoint that refuses response_format json_schema (500), as llama-cpp-python's server does.
  t.sim.setScenario({ ...answers({ queue: 'billing', urgent: true, confidence: 0.9 }, [{ queue: 'shipping', urgent: false, confidence: 0.8 }]), personality: { refusesJsonSchema: true } });
  const dead = { OPENAI_BASE_URL: 'http://127.0.0.1:9/v1' }; // the configured endpoint is down: --base-url must win
  const refused = await cli(['eval', 'run', casesFile, '--base-url', `${t.sim.url}/v1`, '--json'], dead);
  assert.equal(refused.code, 1, refused.stdout + refused.stderr);
  assert.deepEqual(report(refused.stdout).cases.map((c) => [c.status, c.regression]), [['fail', true], ['fail', true]]);
  const before = t.sim.log().length;
  const r = await cli(['eval', 'run', casesFile, '--base-url', `${t.sim.url}/v1`, '--profile', 'llama-cpp-python', '--json'], dead);
  assert.equal(r.code, 0, r.stdout + r.stderr);
  assert.deepEqual(report(r.stdout).cases.map((c) => c.status), ['pass', 'pass']);
  assert.deepEqual(t.sim.log().slice(before).map((e) => [e.status, e.schemaName]), [[200, 'evalTicketRoute'], [200, 'evalTicketRoute']]);

  const capped = await cli(['eval', 'run', casesFile, '--max-cost-usd', '0.000001', '--json']);
  assert.equal(capped.code, 1, capped.stdout + capped.stderr);
  const body = report(capped.stdout);
  assert.deepEqual(body.cases.map((c) => [c.status, c.regression, c.costUsd]), [['fail', true, '0.000000000'], ['fail', true, '0.000000000']]);
  assert.match(body.cases[0]!.reason!, /^BW_LLM_RUN_BUDGET: /);
  assert.equal(t.sim.log().length, before + 2, 'the capped requests were never sent');
});

test('bad input exits 2 with a typed error and sends nothing', async () => {
  const broken = path.join(dir, 'broken.json');
  writeFileSync(broken, '{"breakwaterEval": 1, "cases": [');
  const noMessages = path.join(dir, 'nomessages.json');
  const file = JSON.parse(readFileSync(casesFile, 'utf8')) as EvalFile;
  writeFileSync(noMessages, JSON.stringify({ ...file, cases: [{ ...file.cases[0], messages: [], expect: [{ path: 'queue' }] }] }));
  const before = t.sim.log().length;
  const cases: [string[], string, RegExp][] = [
    [['eval', 'run', broken, '--json'], 'BW_INVALID_INPUT', /broken\.json: not JSON/],
    [['eval', 'run', noMessages, '--json'], 'BW_INVALID_INPUT', /cases\.0\.messages: Too small.*cases\.0\.expect\.0: a check needs at least one predicate/],
    [['eval', 'run', path.join(dir, 'missing.json'), '--json'], 'BW_INVALID_INPUT', /no such eval case file/],
    [['eval', 'run', casesFile, '--profile', 'nope', '--json'], 'BW_INVALID_INPUT', /--profile: one of openai/],
    [['eval', 'run', casesFile, '--model', 'unpriced', '--json'], 'BW_CONFIG_INVALID', /model 'unpriced' has no price/],
    [['eval', 'run', casesFile, '--bogus', '--json'], 'BW_USAGE', /unknown option/],
    [['eval', 'capture', workflowId(), '--expect', 'queue..x', '--json'], 'BW_INVALID_INPUT', /--expect: 'queue\.\.x' is not a path/],
    [['eval', 'capture', 'no-such-run', '--json'], 'BW_NOT_FOUND', /no accepted model calls/],
  ];
  for (const [args, code, message] of cases) {
    const r = await cli(args);
    const err = (JSON.parse(r.stdout) as { error: { code: string; message: string } }).error;
    assert.equal(err.code, code, `${args.join(' ')}: ${r.stdout}`);
    assert.match(err.message, message);
    assert.equal(r.code, code === 'BW_NOT_FOUND' ? 1 : 2, args.join(' '));
  }
  assert.equal(t.sim.log().length, before, 'bad input sends no request');
});
