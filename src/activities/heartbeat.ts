/**
 * Heartbeats while a long activity waits on something external (an LLM answer can take a minute). With a
 * heartbeat timeout on the activity, a worker that dies mid-call is noticed in seconds and the attempt is
 * retried elsewhere, instead of waiting out the whole start-to-close timeout.
 */
import { Context } from '@temporalio/activity';

export async function withHeartbeat<T>(work: () => Promise<T>, everyMs = 5_000): Promise<T> {
  let context: Context | undefined;
  try {
    context = Context.current();
  } catch {
    return work(); // called outside an activity (benchmarks, scripts): nothing to heartbeat to
  }
  const timer = setInterval(() => context.heartbeat(), everyMs);
  try {
    return await work();
  } finally {
    clearInterval(timer);
  }
}

/** Wraps an activity function so it heartbeats while it runs. */
export const heartbeating =
  <A extends unknown[], R>(fn: (...args: A) => Promise<R>, everyMs?: number) =>
  (...args: A): Promise<R> =>
    withHeartbeat(() => fn(...args), everyMs);
