/**
 * One load cell: `n` runs of one pipeline started at once on one task queue, each timed from its start
 * call to its result. Throughput is completed runs over the wall time from the first start to the last
 * completion; a run without its result within `executionTimeoutMs` of its start counts as a timeout.
 */
import { Client, WorkflowFailedError } from '@temporalio/client';
import { startSubmitAndVerify } from '../../pipelines/submitAndVerify/client';
import { percentile } from '../report';

export type Pipeline = 'agentDecision' | 'submitAndVerify';
export type Mode = 'breakwater' | 'bare';

export interface LoadFigures {
  n: number;
  completed: number;
  timeouts: number;
  failed: number;
  wallMs: number;
  runsPerSec: number;
  p50: number;
  p99: number;
  firstError?: string;
  /** Workflow ids of the completed runs. */
  ids: string[];
}

let seq = 0;

const plainClients = new WeakMap<Client, Client>();
/**
 * The same connection without Breakwater's payload codec: bare Temporal's runs are started and read in plain
 * payloads, as its plain workers expect (the codec is part of what Breakwater's side pays for).
 */
export function bareClient(client: Client): Client {
  let plain = plainClients.get(client);
  if (!plain) plainClients.set(client, (plain = new Client({ connection: client.connection, namespace: client.options.namespace })));
  return plain;
}

/** Starts one run; resolves its handle. Breakwater runs go through the pipelines' own start helpers. */
async function start(withCodec: Client, pipeline: Pipeline, mode: Mode, taskQueue: string, tag: string) {
  const client = mode === 'bare' ? bareClient(withCodec) : withCodec;
  const id = `${tag}-${++seq}`;
  const common = { taskQueue, workflowId: id };
  if (pipeline === 'agentDecision') {
    const input = { requestId: id, text: 'Order ORD-1001 arrived damaged, please refund.' };
    return client.workflow.start(mode === 'breakwater' ? 'agentDecision' : 'bareDecision', { ...common, args: [input] });
  }
  if (mode === 'bare') return client.workflow.start('bareSubmit', { ...common, args: [{ recordId: id, entityId: 'E', payload: { n: seq } }] });
  return startSubmitAndVerify(
    client,
    { recordId: id, entityId: 'E', businessDate: '2025-01-01', payload: { n: seq }, options: { verifyDelay: 0, verifyDeadline: '60s', pollBackoff: { initial: 100, factor: 1, max: 100 } } },
    common,
  );
}

export async function runLoad(o: { client: Client; pipeline: Pipeline; mode: Mode; taskQueue: string; n: number; tag: string; executionTimeoutMs?: number; /** Each completed run's time is pushed here too. */ collect?: number[] }): Promise<LoadFigures> {
  const timeoutMs = o.executionTimeoutMs ?? 5 * 60_000;
  const t0 = performance.now();
  const outcomes = await Promise.all(
    Array.from({ length: o.n }, async () => {
      const started = performance.now();
      try {
        const handle = await start(o.client, o.pipeline, o.mode, o.taskQueue, o.tag);
        let timer: NodeJS.Timeout | undefined;
        const deadline = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error('timeout')), timeoutMs)));
        const result = (await Promise.race([handle.result(), deadline]).finally(() => clearTimeout(timer))) as { status?: string };
        if (o.pipeline === 'submitAndVerify' && o.mode === 'breakwater' && result.status !== 'VERIFIED') throw new Error(`ended ${result.status}`);
        if (o.pipeline === 'agentDecision' && result.status !== 'completed') throw new Error(`ended ${result.status}`);
        return { ms: performance.now() - started, end: performance.now(), id: handle.workflowId };
      } catch (e) {
        const timedOut = (e as Error).message === 'timeout' || (e instanceof WorkflowFailedError && /timed? ?out/i.test(`${e.message} ${e.cause?.message ?? ''}`));
        return { error: timedOut ? 'timeout' : `${(e as Error).message} ${(e as Error).cause ? String((e as Error).cause) : ''}`.trim() };
      }
    }),
  );
  const ok = outcomes.filter((x): x is { ms: number; end: number; id: string } => 'ms' in x);
  const errors = outcomes.filter((x): x is { error: string } => 'error' in x);
  const wallMs = Math.max(...ok.map((x) => x.end), t0) - t0;
  const ms = ok.map((x) => x.ms);
  o.collect?.push(...ms);
  return {
    n: o.n,
    completed: ok.length,
    timeouts: errors.filter((e) => e.error === 'timeout').length,
    failed: errors.filter((e) => e.error !== 'timeout').length,
    wallMs,
    runsPerSec: wallMs > 0 ? (ok.length * 1000) / wallMs : 0,
    p50: percentile(ms, 50),
    p99: percentile(ms, 99),
    ids: ok.map((x) => x.id),
    firstError: errors.find((e) => e.error !== 'timeout')?.error,
  };
}
