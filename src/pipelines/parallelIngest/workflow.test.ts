/** Parallel ingest of 5 loopback HTTP sources with overlapping ids, merged by the contract, on real Temporal. */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { Worker } from '@temporalio/worker';
import { startRecordSourceSimulator, type RecordSourceSimulator, type SimulatedRecord } from '../../simulators/recordSource';
import { startTestStack, type TestStack } from '../testKit';
import { recordHistory } from '../../devstack/histories';
import { waitForEscalation } from '../testKit';
import { parallelIngest } from './workflow';

let stack: TestStack;
let worker: Worker;
let running: Promise<void>;
let sim: RecordSourceSimulator;

const rec = (id: string, fields: SimulatedRecord['fields']): SimulatedRecord => ({ id, fields });
const sources: Record<string, SimulatedRecord[]> = {
  erp: [rec('p1', { name: 'Kettle', price: 20 }), rec('p2', { name: 'Mixer', price: 99 }), rec('p3', { name: 'Lamp', price: 15 })],
  shop: [rec('p2', { name: 'Mixer', price: 99 }), rec('p4', { name: 'Desk' })],
  pim: [rec('p3', { name: 'Lamp', colour: 'red' }), rec('p5', { name: 'Chair' })],
  // The conflict: the warehouse says the lamp costs 18, the ERP says 15.
  warehouse: [rec('p3', { price: 18 }), rec('p6', { name: 'Rug' }), rec('p1', { name: 'Kettle' })],
  legacy: [rec('p6', { name: 'Rug' }), rec('p7', { name: 'Vase' }), rec('p2', { name: 'Mixer' })],
};

before(async () => {
  sim = await startRecordSourceSimulator({ sources });
  stack = await startTestStack();
  worker = await stack.createWorker();
  running = worker.run();
});
after(async () => {
  worker?.shutdown();
  await running?.catch(() => undefined);
  await sim?.close();
  await stack?.teardown();
});

const input = (names: string[]) => ({ ingestId: `ingest-${names.length}`, sources: names.map((name) => ({ name, url: sim.sourceUrl(name) })) });

test('5 sources with overlapping ids: exactly the union deduplicated by id, and the conflicting value is reported', async () => {
  const result = await stack.env.client.workflow.execute(parallelIngest, { taskQueue: stack.taskQueue, workflowId: `ingest-${stack.schema}`, args: [input(Object.keys(sources))] });
  const all = Object.values(sources).flat();
  const union = [...new Set(all.map((r) => r.id))].sort();
  assert.deepEqual(result.records.map((r) => r.id), union, 'each id exactly once, none lost');
  assert.equal(result.recordsIn, all.length);
  assert.equal(result.duplicates, all.length - union.length);
  assert.deepEqual(result.conflicts, [{ id: 'p3', field: 'price', values: [{ source: 'erp', value: 15 }, { source: 'warehouse', value: 18 }] }]);
  const lamp = result.records.find((r) => r.id === 'p3');
  assert.deepEqual(lamp, { id: 'p3', fields: { colour: 'red', name: 'Lamp' }, sources: ['erp', 'pim', 'warehouse'] }, 'no source silently wins the price');
  assert.deepEqual(result.perSource, { erp: 3, shop: 2, pim: 2, warehouse: 3, legacy: 3 });
  assert.deepEqual(sim.hits(), { erp: 1, shop: 1, pim: 1, warehouse: 1, legacy: 1 }, 'every source read once, in parallel');
  const alerts = await stack.db.query<{ dedupe_key: string }>("SELECT dedupe_key FROM alerts WHERE dedupe_key = 'merge-conflict:ingest-5'");
  assert.equal(alerts.rows.length, 1, 'the conflict is surfaced to a person too');
});

test('a source that cannot be read escalates; approve merges the others without it', async () => {
  const handle = await stack.env.client.workflow.start(parallelIngest, { taskQueue: stack.taskQueue, workflowId: `ingest-missing-${stack.schema}`, args: [input(['erp', 'shop', 'gone'])] });
  const escalation = await waitForEscalation(handle, 'source-failed');
  assert.match(escalation.reason, /gone \(source 'gone' answered HTTP 404\)/);
  await handle.executeUpdate('resolve', { args: [{ decision: 'approve', by: 'ops' }] });
  const result = await handle.result();
  await recordHistory(handle, 'parallelIngest-source-missing-approved', stack.env.address);
  assert.equal(result.status, 'partial');
  assert.deepEqual(result.records.map((r) => r.id), ['p1', 'p2', 'p3', 'p4']);
  assert.deepEqual(result.skipped.map((s) => s.source), ['gone']);
});
