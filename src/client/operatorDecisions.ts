/**
 * Starts one of Breakwater's decision workflows (`clearBreaker`, `replayDeadLetter`) on the task queue and
 * waits for it: the worker verifies who decided. A refusal is an InvalidInputError (exit 2) naming why.
 */
import { randomUUID } from 'node:crypto';
import { TimeoutFailure, WorkflowFailedError } from '@temporalio/client';
import type { BreakwaterConfig } from '../config';
import { InvalidInputError } from '../errors';
import { Failure, failureTypeOf } from '../failures';
import { connectClient } from './connection';

export async function runDecisionWorkflow<T>(config: BreakwaterConfig, workflowType: 'clearBreaker' | 'replayDeadLetter', request: object, timeoutMs = 60_000): Promise<T> {
  const client = await connectClient(config);
  try {
    const handle = await client.workflow.start(workflowType, {
      taskQueue: config.temporal.taskQueue,
      workflowId: `breakwater-${workflowType}-${randomUUID()}`,
      args: [request],
      workflowExecutionTimeout: `${timeoutMs} ms`,
    });
    try {
      return (await handle.result()) as T;
    } catch (e) {
      if (!(e instanceof WorkflowFailedError)) throw e;
      const type = failureTypeOf(e);
      let cause: unknown = e;
      while ((cause as { cause?: unknown }).cause) cause = (cause as { cause?: unknown }).cause;
      const why = (cause as Error).message;
      if (type && type !== Failure.Failed.type) throw new InvalidInputError(`${type}: ${why}`, [why]);
      if (cause instanceof TimeoutFailure) throw new Error(`${workflowType}: no Breakwater worker on task queue '${config.temporal.taskQueue}' finished it within ${timeoutMs / 1000} s (the worker verifies who decides; is one running?)`);
      throw new Error(`${workflowType} failed: ${why}`);
    }
  } finally {
    await client.connection.close();
  }
}
