/**
 * `GET /runs/<workflowId>/progress`: a running agent's progress as Server-Sent Events, for the run page's
 * panel. Polls the run's agentProgressQuery every second while the run is open and this client is
 * connected (src/client/agentFollow.ts), sends `progress` when it changed and `end` when the run closed.
 * Served behind the inbox's login like every viewer route. Cost: 0 history events, 0 SQL statements.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { WorkflowNotFoundError, type Client } from '@temporalio/client';
import { followAgentProgress, parseWorkflowId } from '../../client/agentFollow';
import { Failure } from '../../failures';
import { redactText } from '../../redact';
import { progressView } from './progressPanel';

export const PROGRESS_ROUTE = /^\/runs\/([^/]+)\/progress$/;

export interface ProgressStreamOptions {
  client: Client;
  /** Between polls. Default 1000 ms. */
  intervalMs?: number;
  /** One connection's longest life; the browser reconnects after it. Default 30 minutes. */
  maxMs?: number;
  /** Headers every inbox response carries (session cookie, frame options). */
  headers?: Record<string, string>;
}

export async function streamAgentProgress(o: ProgressStreamOptions, rawId: string, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const plain = (status: number, text: string) => {
    res.writeHead(status, { 'content-type': 'text/plain; charset=utf-8', 'cache-control': 'no-store', ...o.headers });
    res.end(`${text}\n`);
  };
  let workflowId: string;
  try {
    workflowId = parseWorkflowId(decodeURIComponent(rawId));
  } catch {
    return plain(400, `${Failure.InvalidInput.type}: invalid workflow id`);
  }
  // An unknown run is a 404 before the stream starts (an EventSource would otherwise retry it forever).
  try {
    await o.client.workflow.getHandle(workflowId).describe();
  } catch (e) {
    if (e instanceof WorkflowNotFoundError) return plain(404, `${Failure.NotFound.type}: no run with id '${workflowId.slice(0, 200)}'`);
    throw e;
  }
  res.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-store', 'x-accel-buffering': 'no', ...o.headers });
  res.write('retry: 2000\n\n');
  const stop = new AbortController();
  req.on('close', () => stop.abort());
  const event = (name: string, data: unknown) => res.write(`event: ${name}\ndata: ${JSON.stringify(data)}\n\n`);
  try {
    for await (const ev of followAgentProgress(o.client, workflowId, { intervalMs: o.intervalMs, maxMs: o.maxMs ?? 30 * 60_000, signal: stop.signal })) {
      if (ev.kind === 'end') event('end', { status: ev.status });
      else event('progress', progressView(ev.progress));
    }
  } catch (e) {
    if (!stop.signal.aborted) event('problem', { message: redactText((e as Error).message) });
  } finally {
    res.end();
  }
}
