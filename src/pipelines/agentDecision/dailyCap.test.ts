/**
 * The global daily spend cap, across workflows: three concurrent agentDecision runs hit it; all pause
 * (AwaitingHuman, kind daily-cap), none fails, and no request that could cross the cap is ever sent.
 * Raising today's cap and answering `retry` resumes them with nothing lost.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { startAgentLayerStack, searchAttribute, waitForEscalation, type AgentLayerStack } from '../testKit';
import { createDailyCap, isDailySpendCapError } from '../../store/dailySpend';
import { agentDecision } from './workflow';

// Output tokens cost 1000 USD per 1M (1 mUSD each); input is free. Each call reserves its worst case,
// 100 output tokens = 0.10 USD, and really costs 50 tokens = 0.05 USD. With a cap of 0.12 USD exactly
// one request fits: after it, 0.05 spent + 0.10 worst case > 0.12.
const models = {
  roles: { router: { model: 'cap-model', maxOutputTokens: 100 }, decider: { model: 'cap-model', maxOutputTokens: 100 } },
  models: { 'cap-model': { inputUsdPerMillion: 0, outputUsdPerMillion: 1000 } },
};

let t: AgentLayerStack;
before(async () => {
  t = await startAgentLayerStack({
    models,
    env: { DAILY_SPEND_CAP_USD: '0.12' },
    scenario: {
      rules: [
        { id: 'triage', match: { schemaName: 'requestTriage' }, responses: [{ json: { category: 'order', orderIds: ['ORD-9'], customerId: null }, usage: { prompt_tokens: 10, completion_tokens: 50 } }] },
        { id: 'decide', match: { schemaName: 'actionDecision' }, responses: [{ json: { action: 'no_action', orderId: null, confidence: 0.9, evidence: [] }, usage: { prompt_tokens: 10, completion_tokens: 50 } }] },
      ],
    },
  });
});
after(async () => t?.stop());

test('global daily cap hit by 3 concurrent workflows: all pause, none fails, no call over the cap is sent', async () => {
  const handles = await Promise.all(
    [1, 2, 3].map((i) =>
      t.stack.env.client.workflow.start(agentDecision, {
        taskQueue: t.stack.taskQueue,
        workflowId: `cap-${i}-${t.stack.schema}`,
        args: [{ requestId: `req-${i}`, text: `Request number ${i}`, budgetUsd: 100 }],
      }),
    ),
  );
  for (const h of handles) {
    const e = await waitForEscalation(h, 'daily-cap');
    assert.equal(e.details?.capUsd, 0.12);
    assert.equal(await searchAttribute(h, 'BreakwaterStatus'), 'AwaitingHuman');
    assert.equal((await h.describe()).status.name, 'RUNNING');
  }

  const completions = t.sim.log().filter((e) => e.outcome === 'completion');
  assert.equal(completions.length, 1, 'exactly one request fitted under the cap');
  const { rows } = await t.stack.db.query<{ spent: string; reserved: string; refusals: number }>('SELECT spent_usd::text AS spent, reserved_usd::text AS reserved, refusals FROM llm_daily_spend');
  assert.deepEqual(rows, [{ spent: '0.050000000', reserved: '0.000000000', refusals: 3 }]);
  const refused = await t.stack.db.query<{ n: string }>("SELECT count(*) AS n FROM llm_calls WHERE outcome = 'refused-daily-cap' AND cost_usd = 0");
  assert.equal(Number(refused.rows[0]!.n), 3);

  // Nothing lost: a person raises today's cap and says retry; every run finishes its work.
  await t.stack.db.query('UPDATE llm_daily_spend SET cap_usd = 10');
  for (const h of handles) await h.executeUpdate('resolve', { args: [{ decision: 'retry', by: 'finance' }] });
  const results = await Promise.all(handles.map((h) => h.result()));
  assert.deepEqual(results.map((r) => r.status), ['completed', 'completed', 'completed']);
  assert.equal(t.sim.log().filter((e) => e.outcome === 'completion').length, 6, 'each run made its two calls once');
  const spent = await t.stack.db.query<{ spent: string }>('SELECT spent_usd::text AS spent FROM llm_daily_spend');
  assert.equal(spent.rows[0]!.spent, '0.300000000');
});

test('a reservation never settled (its worker died) stops counting against the cap after its expiry', async () => {
  const cap = createDailyCap(t.stack.db, 0.12);
  const day = '2001-02-03'; // a day of its own: the test above raised today's cap
  const worstCase = 100_000_000; // 0.10 USD
  await cap.reserve(worstCase, day, 1500); // the worker dies holding it: never settled
  await assert.rejects(cap.reserve(worstCase, day, 1500), isDailySpendCapError, 'while it lives, it counts');
  assert.equal((await cap.today(day)).reservedUsd, 0.1);

  await new Promise((r) => setTimeout(r, 1600));
  assert.equal((await cap.today(day)).reservedUsd, 0, 'expired: it no longer counts');
  const next = await cap.reserve(worstCase, day, 60_000);
  assert.equal((await cap.today(day)).reservedUsd, 0.1, 'only the live reservation counts');
  const { rows } = await t.stack.db.query<{ reserved: string }>('SELECT reserved_usd::text AS reserved FROM llm_daily_spend WHERE day = $1', [day]);
  assert.equal(rows[0]!.reserved, '0.100000000', 'the expired reservation was reclaimed from the ledger');

  // Settling the live one releases it and adds the real cost.
  await t.stack.db.query(`WITH ${cap.settleSql(1)} SELECT 1`, cap.settleParams(next, 50_000_000));
  assert.deepEqual(await cap.today(day), { spentUsd: 0.05, reservedUsd: 0, capUsd: 0.12 });
});
