/**
 * Issue 23, part 1: what one happy-path run costs, counted rather than timed. For each pipeline with a bare
 * baseline (src/bench/scale/bareWorkflows.ts), runs one at a time on one dev server and Postgres schema:
 * the Breakwater run on a Breakwater worker with the reference pipelines, the bare run on a plain Temporal
 * worker (bare bundle, no interceptors, no codec), both in this process and both on one counted pool. Per
 * run: the history's figures (historyCost, from fetchHistory — the history the server stores) and the
 * statements the pool sent while it ran (src/store/statementCounter.ts), by the activity that sent them.
 * Counts are deterministic up to background statements (breaker probes etc.), so the median run is kept.
 */
import { readFileSync } from 'node:fs';
import { Context } from '@temporalio/activity';
import type { Client } from '@temporalio/client';
import { Worker } from '@temporalio/worker';
import { decodeHistory } from '../../codec/decodeHistory';
import { readTimeline } from '../../observability/explainHistory';
import { addHistoryCosts, historyCost, type HistoryCost } from '../../observability/historyCost';
import { startSubmitAndVerify } from '../../pipelines/submitAndVerify/client';
import { countStatements } from '../../store/statementCounter';
import { createBareActivities } from '../scale/bareActivities';
import { startRecordSourceSimulator, type SimulatedRecord } from '../../simulators/recordSource';
import { bareClient, type Mode } from '../scale/load';
import { scenario, startScaleStack } from '../scale/stack';
import type { LlmScenario } from '../../simulators/llm';
import { startEnrichmentSimulator } from '../../simulators/enrichment';
import { testModels } from '../../testing/agentLayerKit';
import { loadShopExample } from './shopExample';
import { createApiWorkers } from '../../workers/apiWorkers';
import { searchApi } from '../../pipelines/researchAgent/tools';
import { enrichmentApi } from '../../pipelines/enrichCatalog/apiWorker';

export interface RunCost extends HistoryCost {
  statements: number;
  /** Statements by the activity type that sent them ('' = outside any activity: worker, starter). */
  statementsByActivity: Record<string, number>;
  /** Median time from an activity's start to its completion, by type (noisy on a shared machine). */
  activityMs: Record<string, number>;
  /** `activity\tVERB table` → count. */
  statementsByHead: Record<string, number>;
}

export type Pipeline = 'agentDecision' | 'submitAndVerify' | 'parallelIngest' | 'examples/shop' | 'researchAgent' | 'supervisor' | 'enrichCatalog' | 'planExecuteReview';
/** Three sources, overlapping ids, no conflicting value: the happy path (a conflict only adds an alert). */
const ingestSources: Record<string, SimulatedRecord[]> = {
  erp: [{ id: 'p1', fields: { name: 'Kettle', price: 20 } }, { id: 'p2', fields: { name: 'Mixer' } }],
  shop: [{ id: 'p2', fields: { name: 'Mixer', price: 99 } }, { id: 'p3', fields: { name: 'Desk' } }],
  pim: [{ id: 'p3', fields: { name: 'Desk', colour: 'oak' } }, { id: 'p4', fields: { name: 'Chair' } }],
};

export interface AccountingRow {
  pipeline: Pipeline;
  mode: Mode;
  runs: number;
  median: RunCost;
}

const activityType = () => {
  try {
    return Context.current().info.activityType;
  } catch {
    return undefined; // not inside an activity
  }
};

let seq = 0;
async function startOne(client: Client, pipeline: Pipeline, mode: Mode, taskQueue: string, sourceUrl: (name: string) => string): Promise<{ id: string; done: Promise<unknown> }> {
  const id = `acct-${pipeline.replace('/', '-')}-${mode}-${Date.now().toString(36)}-${++seq}`;
  const common = { taskQueue, workflowId: id };
  const c = mode === 'bare' ? bareClient(client) : client;
  let handle;
  if (pipeline === 'planExecuteReview') {
    handle = await c.workflow.start(mode === 'breakwater' ? 'planExecuteReview' : 'barePlanExecuteReview', { ...common, args: [{ taskId: `T-${seq}`, goal: 'Give every record a title.', records: [{ id: 'R-1', fields: { name: 'mug', title: null } }] }] });
  } else if (pipeline === 'enrichCatalog') {
    handle = await c.workflow.start(mode === 'breakwater' ? 'enrichCatalog' : 'bareEnrich', { ...common, args: [{ skus: ['SKU-A', 'SKU-B', 'SKU-C'] }] });
  } else if (pipeline === 'supervisor') {
    handle = await c.workflow.start(mode === 'breakwater' ? 'supervisor' : 'bareSupervisor', { ...common, args: [{ taskId: 'T-1', goal: 'Answer the customer about order ORD-1001.' }] });
  } else if (pipeline === 'researchAgent') {
    handle = await c.workflow.start(mode === 'breakwater' ? 'researchAgent' : 'bareResearch', { ...common, args: [{ topic: 'tides' }] });
  } else if (pipeline === 'examples/shop') {
    // A new SKU each run: the publish fingerprint is per SKU, and a second run of one SKU is not the happy path.
    const product = { sku: `SKU-${seq}`, title: 'Blue mug', description: 'Blue mug, as the supplier describes it' };
    handle = await c.workflow.start(mode === 'breakwater' ? 'listProduct' : 'bareShop', { ...common, args: [product] });
  } else if (pipeline === 'parallelIngest') {
    const sources = Object.keys(ingestSources).map((name) => ({ name, url: sourceUrl(name) }));
    handle = await c.workflow.start(mode === 'breakwater' ? 'parallelIngest' : 'bareIngest', { ...common, args: [mode === 'breakwater' ? { ingestId: id, sources } : { sources }] });
  } else if (pipeline === 'agentDecision') {
    handle = await c.workflow.start(mode === 'breakwater' ? 'agentDecision' : 'bareDecision', { ...common, args: [{ requestId: id, text: 'Order ORD-1001 arrived damaged, please refund.' }] });
  } else if (mode === 'bare') {
    handle = await c.workflow.start('bareSubmit', { ...common, args: [{ recordId: id, entityId: 'E', payload: { n: seq } }] });
  } else {
    const input = { recordId: id, entityId: 'E', businessDate: '2025-01-01', payload: { n: seq }, options: { verifyDelay: 0, verifyDeadline: '60s', pollBackoff: { initial: 100, factor: 1, max: 100 } } };
    handle = await startSubmitAndVerify(c, input, common);
  }
  return { id, done: handle.result() };
}

/**
 * The run's history cost with every child workflow's (recursively) added: a supervisor's sub-agents are
 * histories of their own, stored and replayed like the parent's. Activity times are merged the same way.
 */
async function runAndChildren(client: Client, workflowId: string): Promise<HistoryCost & { activityMs: Record<string, number> }> {
  const h = await client.workflow.getHandle(workflowId).fetchHistory();
  let cost: HistoryCost = historyCost(h);
  let activityMs = await activityTimes(client, h);
  for (const e of h.events ?? []) {
    const child = e.childWorkflowExecutionStartedEventAttributes?.workflowExecution?.workflowId;
    if (!child) continue;
    const c = await runAndChildren(client, child);
    cost = addHistoryCosts(cost, c);
    activityMs = { ...c.activityMs, ...activityMs };
  }
  return { ...cost, activityMs };
}

/** Start → completion of each activity, by type (median over a run's activities of that type), from explain's timeline. */
async function activityTimes(client: Client, h: Parameters<typeof historyCost>[0]): Promise<Record<string, number>> {
  const times: Record<string, number[]> = {};
  for (const s of readTimeline(await decodeHistory(client, h)).steps) {
    if (s.kind === 'activity' && s.outcome === 'completed') (times[s.name] ??= []).push(s.endedAt! - (s.startedAt ?? s.endedAt!));
  }
  return Object.fromEntries(Object.entries(times).map(([k, v]) => [k, median(v)]));
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor((xs.length - 1) / 2)] ?? 0;

/** The run whose statement count is the median (its other figures with it, so a row is one real run). */
function medianRun(costs: RunCost[]): RunCost {
  const m = median(costs.map((c) => c.statements));
  return costs.find((c) => c.statements === m)!;
}

/** The reference agents' test models plus examples/shop's own roles and prices (its config/models.json). */
function modelsWith(shopModelsFile: string): object {
  const shopModels = JSON.parse(readFileSync(shopModelsFile, 'utf8')) as typeof testModels;
  return { ...testModels, roles: { ...testModels.roles, researcher: { model: 'sim-large', maxOutputTokens: 512 }, supervisor: { model: 'sim-large', maxOutputTokens: 512 }, planner: { model: 'sim-small', maxOutputTokens: 1024 }, executor: { model: 'sim-small', maxOutputTokens: 1024 }, reviewer: { model: 'sim-small', maxOutputTokens: 1024 }, ...shopModels.roles }, models: { ...testModels.models, ...shopModels.models } };
}

/**
 * The research agent's scripted model, three turns: a search; a page fetch and a note saved (two calls at
 * once); the report. No publish: it waits for a person, not the happy path of a run left alone.
 */
/** planExecuteReview's happy path: a one-step plan with no external resource, its values done, approved. */
const planScript: LlmScenario['rules'] = [
  { match: { schemaName: 'plan' }, responses: [{ json: { summary: 'Fill the titles.', steps: [{ id: 'fill-title', agent: 'executor', action: 'fill-title', field: 'title', instructions: 'Write a title for each record.', resources: [] }], manifest: [] } }] },
  { match: { schemaName: 'stepResult' }, responses: [{ json: { outcome: 'done', values: [{ recordId: 'R-1', value: 'Blue mug', confidence: 0.95 }], request: null } }] },
  { match: { schemaName: 'stepReview' }, responses: [{ json: { verdict: 'approve', issues: [], confidence: 0.9 } }] },
];

/** The supervisor's split into two sub-tasks (two children), each answered in one call. */
const supervisorScript: LlmScenario['rules'] = [
  { match: { schemaName: 'delegationPlan' }, responses: [{ json: { subtasks: [{ id: 'facts', role: 'router', instruction: 'Find the order facts.' }, { id: 'reply', role: 'decider', instruction: 'Draft the reply.' }] } }] },
  { match: { schemaName: 'subAgentAnswer' }, responses: [{ json: { outcome: 'answer', answer: 'done', subtasks: [], reason: null, confidence: 0.9 } }] },
];

const researchScript: LlmScenario['rules'][number] = {
  id: 'research',
  match: { schemaName: 'researchReport' },
  responses: [
    { toolCalls: [{ name: 'search', arguments: { query: 'tides' } }] },
    { toolCalls: [{ name: 'fetchPage', arguments: { url: 'https://docs.example/tides/1' } }, { name: 'saveNote', arguments: { title: 'Moon', body: 'The moon drives the tides.', source: 'https://docs.example/tides/1' } }] },
    { json: { summary: 'Tides are driven by the moon.', sources: ['https://docs.example/tides/1'] } },
  ],
};

export async function measureAccounting(o: { runs: number }): Promise<AccountingRow[]> {
  const shopExample = loadShopExample();
  const s = await startScaleStack({ llmDelayMs: 0, portalLatencyMs: 0, models: modelsWith(shopExample.modelsFile) });
  // The shop's classifier answers confidently (the happy path); the reference agents keep their answers.
  // Set again before every run: the research script's turns are counted per scenario, so each run starts at turn 1.
  const resetModel = () => s.t.sim.setScenario({ rules: [researchScript, ...supervisorScript, ...planScript, { match: { schemaName: shopExample.productCategory.name }, responses: [{ json: { category: 'kitchen', confidence: 0.95, evidence: ['the title'] } }] }, ...scenario(0).rules] });
  const sim = await startRecordSourceSimulator({ sources: ingestSources });
  const shop = await shopExample.startShopServer();
  // examples/shop's catalog and enrichCatalog's API: one simulator, its quota far above what the runs use (no 429).
  const catalog = await startEnrichmentSimulator({ limit: 100_000, windowMs: 60_000 });
  const stack = s.t.stack;
  const counter = countStatements(stack.db, activityType);
  const rows: AccountingRow[] = [];
  const bwQueue = stack.taskQueue;
  const bareQueue = `${stack.taskQueue}-bare`;
  const bw = await stack.createWorker();
  const bare = await Worker.create({
    connection: stack.env.nativeConnection,
    namespace: stack.config.temporal.namespace,
    taskQueue: bareQueue,
    workflowBundle: { codePath: s.bareBundle },
    activities: createBareActivities({ db: stack.db, openaiBaseUrl: stack.config.openai.baseUrl ?? '', portalUrl: s.portal.url, catalogUrl: catalog.url, shopUrl: shop.url, schemas: { [shopExample.productCategory.name]: shopExample.productCategory.schema } }),
    shutdownGraceTime: 1000,
  });
  // examples/shop on its own worker (its createWorker: its workflows + the Breakwater plugin, its catalog API worker), own task queue.
  const shopQueue = `${stack.taskQueue}-shop`;
  const shopWorkers = await shopExample.createWorker({ config: { ...stack.config, temporal: { ...stack.config.temporal, taskQueue: shopQueue } }, db: stack.db, connection: stack.env.nativeConnection, shopUrl: shop.url, catalogUrl: catalog.url });
  // researchAgent's search and enrichCatalog's enrichment run on their APIs' broker workers (as the reference worker's main runs them).
  const apiWorkers = await createApiWorkers({ config: stack.config, connection: stack.env.nativeConnection, taskQueue: bwQueue, apis: [searchApi({ db: stack.db }), enrichmentApi({ db: stack.db, reference: { portalUrl: s.portal.url, enrichmentUrl: catalog.url, enrichmentRateLimitPerMinute: 100_000 } })] });
  const others = [...shopWorkers, ...apiWorkers];
  const running = [bw.run(), bare.run(), ...others.map((w) => w.run())];
  try {
    for (const pipeline of ['agentDecision', 'submitAndVerify', 'parallelIngest', 'examples/shop', 'researchAgent', 'supervisor', 'planExecuteReview', 'enrichCatalog'] as Pipeline[]) {
      for (const mode of ['breakwater', 'bare'] as Mode[]) {
        const costs: RunCost[] = [];
        // One warm-up run first: caches (model routes, breaker rows, prepared pools) fill once per worker, not per run.
        for (let i = 0; i <= o.runs; i++) {
          const before = new Map(counter.byTag);
          const beforeHeads = new Map(counter.byStatement);
          const total0 = counter.total;
          resetModel();
          const queue = mode === 'bare' ? bareQueue : pipeline === 'examples/shop' ? shopQueue : bwQueue;
          const run = await startOne(stack.env.client, pipeline, mode, queue, (name) => sim.sourceUrl(name));
          await run.done;
          const statements = counter.total - total0;
          const byActivity: Record<string, number> = {};
          for (const [tag, n] of counter.byTag) if (n - (before.get(tag) ?? 0) > 0) byActivity[tag] = n - (before.get(tag) ?? 0);
          const byHead: Record<string, number> = {};
          for (const [k, n] of counter.byStatement) if (n - (beforeHeads.get(k) ?? 0) > 0) byHead[k] = n - (beforeHeads.get(k) ?? 0);
          if (i > 0) costs.push({ ...(await runAndChildren(stack.env.client, run.id)), statements, statementsByActivity: byActivity, statementsByHead: byHead });
        }
        rows.push({ pipeline, mode, runs: o.runs, median: medianRun(costs) });
      }
    }
  } finally {
    counter.stop();
    bw.shutdown();
    bare.shutdown();
    for (const w of others) w.shutdown();
    await Promise.allSettled(running);
    await s.stop();
    await Promise.all([sim.close(), shop.close(), catalog.close()]);
  }
  return rows;
}
