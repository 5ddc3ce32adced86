import assert from 'node:assert/strict';
import { test } from 'node:test';
import { plan, planIssues, type PlanStep } from './contract';
import { provenanceSchema } from '../../contracts/provenance';

const step = (id: string, agent = 'executor', resources: string[] = []): PlanStep => ({ id, agent, action: id, field: null, instructions: '', resources });

test('planIssues: unknown agents, resources outside the manifest and duplicate step ids', () => {
  const manifest = [{ id: 'tax', kind: 'taxonomy' as const, locator: 'product-taxonomy', purpose: '' }];
  assert.deepEqual(planIssues([step('a', 'executor', ['tax'])], manifest, ['executor']), []);
  assert.deepEqual(planIssues([step('a', 'wizard', ['ghost']), step('a')], manifest, ['executor'], []), [
    "step 'a' names agent 'wizard', which this task does not allow (allowed: executor)",
    "step 'a' uses resource 'ghost', which is not in the manifest",
    "step 'a' is defined twice",
  ]);
  assert.deepEqual(planIssues([step('b')], [], ['executor'], ['b']), ["step 'b' is defined twice"]);
});

test('the plan schema refuses an unknown resource kind and an empty plan', () => {
  assert.equal(plan.schema.safeParse({ summary: '', steps: [], manifest: [] }).success, false);
  assert.equal(plan.schema.safeParse({ summary: '', steps: [step('a')], manifest: [{ id: 'x', kind: 'ftp', locator: 'a', purpose: '' }] }).success, false);
  assert.equal(plan.schema.safeParse({ summary: '', steps: [step('a')], manifest: [{ id: 'x', kind: 'file', locator: '/a', purpose: '' }] }).success, true);
});

test('provenance: inferred values must say which agent, which model and how sure', () => {
  assert.equal(provenanceSchema.safeParse({ kind: 'agent-inferred', role: 'executor', model: 'gpt-4o', confidence: 0.9 }).success, true);
  assert.equal(provenanceSchema.safeParse({ kind: 'agent-inferred', role: 'executor' }).success, false);
  assert.equal(provenanceSchema.safeParse({ kind: 'human', by: '' }).success, false);
  assert.equal(provenanceSchema.safeParse({ kind: 'source-system', system: 'erp' }).success, true);
});
