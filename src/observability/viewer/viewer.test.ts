/**
 * The viewer's pure parts: what an LLM (or a failing system) wrote never becomes markup or leaks a secret,
 * and open escalations sharing a cause are one incident with the one action that resolves it.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Explanation } from '../explain';
import type { RunEscalation } from '../../store/runEscalations';
import type { LlmCallDetail } from '../../store/viewerReads';
import { progressLines } from '../../client/commands/runsFollow';
import { groupIncidents } from './incidents';
import { renderProgressPanel } from './progressPanel';
import { renderRunPage } from './runPage';

const evil = '<script>alert(1)</script><img src=x onerror=alert(2)>';

test('the run page escapes LLM output, step text and findings, and redacts secrets', () => {
  const e: Explanation = {
    workflowId: `wf-${evil}`,
    workflowType: 'agentDecision',
    status: 'completed',
    startedAt: '2026-01-01T00:00:00.000Z',
    closedAt: '2026-01-01T00:00:02.000Z',
    durationMs: 2000,
    steps: [{ n: 1, kind: 'activity', name: 'callModel', activityId: '1', start: '2026-01-01T00:00:00.100Z', end: '2026-01-01T00:00:00.500Z', startOffsetMs: 100, durationMs: 400, attempt: 2, outcome: 'completed', input: `role=decider ${evil}`, output: evil, failedAttempts: [{ attempt: 1, at: '2026-01-01T00:00:00.200Z', errorType: 'X', message: `${evil} Bearer abcdefghijklmnop` }] }],
    findings: [{ kind: 'retry', severity: 'info', message: evil }],
    actions: [{ at: '2026-01-01T00:00:01.000Z', who: evil, action: 'budget:raise', accepted: true, text: evil }],
  };
  const call: LlmCallDetail = { id: '1', at: '2026-01-01T00:00:00.300Z', activityId: '1', attempt: 2, repair: 0, role: 'decider', model: 'm', schema: 's', outcome: 'ok', inputTokens: 1, outputTokens: 2, costUsd: 0, latencyMs: 3, error: null, messages: [{ role: 'user', content: `${evil} sk-abcdefghijklmnopqrstuv` }], output: { note: evil } };
  const html = renderRunPage(e, [call]);
  assert.doesNotMatch(html, /<script>|<img /);
  assert.match(html, /&lt;script&gt;alert\(1\)&lt;\/script&gt;/);
  assert.doesNotMatch(html, /abcdefghijklmnop|sk-abcdefghij/, 'secrets are masked');
  assert.match(html, /<svg class="waterfall"/);
  assert.match(html, /<svg class="sequence"/);
});

const escalation = (workflowId: string, over: Partial<RunEscalation> = {}): RunEscalation => ({
  workflowId, runId: 'r', escalation: 'breaker-open-1', kind: 'breaker-open', reason: '2 consecutive failures of portal.submit', step: 'portal.submit', openedAt: '2026-01-01T00:00:00.000Z',
  details: { breaker: { pipeline: 'submitAndVerify', step: 'portal.submit' } }, closedAt: null, ended: null, decision: null, decidedBy: null, reasonGiven: null, ...over,
});

test('runs waiting on one breaker are one incident, resolved by one breaker clear; others stay their own', () => {
  const incidents = groupIncidents([
    escalation('a'),
    escalation('b', { openedAt: '2025-12-31T23:59:00.000Z' }),
    escalation('c', { kind: 'low-confidence', escalation: 'low-confidence-1', details: {} }),
    escalation('d', { closedAt: '2026-01-01T00:01:00.000Z' }),
  ]);
  assert.equal(incidents.length, 2);
  assert.deepEqual(incidents[0]!.runs.map((r) => r.workflowId), ['a', 'b']);
  assert.equal(incidents[0]!.since, '2025-12-31T23:59:00.000Z');
  assert.equal(incidents[0]!.action, 'breakwater breaker clear submitAndVerify portal.submit --by <you> --reason <why>');
  assert.match(incidents[1]!.action, /breakwater resolve c /);
});

test('the live progress panel escapes what a model or a tool wrote and redacts secrets; runs follow prints each step once', () => {
  const p = {
    role: 'researcher', step: 'research', status: 'running-tools' as const, turn: 2, toolCalls: 1, refused: 0, costUsd: 0.0012, updatedAt: '2026-01-01T00:00:01.000Z', seq: 7, roles: ['researcher'],
    recent: [
      { turn: 1, kind: 'model' as const, state: 'answered' as const, summary: `1 tool call(s): ${evil}`, costUsd: 0.0012 },
      { turn: 2, kind: 'tool' as const, tool: evil, callId: 'c1', state: 'running' as const, summary: '{"q":"Bearer abcdefghijklmnop"}' },
    ],
  };
  const html = renderProgressPanel(`wf-${evil}`, p);
  assert.doesNotMatch(html, /<img |<script>alert/);
  assert.doesNotMatch(html, /abcdefghijklmnop/);
  assert.match(html, /data-stream="\/runs\/wf-%3Cscript%3E[^"]*\/progress"/);
  assert.match(html, /researcher · turn 2 · running-tools · 1 tool call\(s\), 0 refused · 0\.001200 USD so far/);
  const printed = new Map<string, string>();
  assert.equal(progressLines(p, printed).length, 3);
  const moved = { ...p, seq: 8, recent: [p.recent[0]!, { ...p.recent[1]!, state: 'ran' as const }] };
  const again = progressLines(moved, printed);
  assert.equal(again.length, 2, 'the head and the step that moved on');
  assert.match(again[1]!, /^ {2}turn 2 .* \[c1\] ran/);
});
