/**
 * `clearBreaker` and `replayDeadLetter`: Breakwater workflows the CLI starts so that the worker verifies who
 * decided (src/activities/operatorDecisions.ts). One attempt each: a refusal, or any failure, ends the run
 * with the typed failure, and the caller signs again if it wants to retry (a signature is good once).
 */
import { proxyActivities } from '@temporalio/workflow';
import type { Activities } from '../activities';
import type { ClearBreakerRequest, ClearBreakerResult, ReplayDeadLetterRequest, ReplayDeadLetterResult } from '../contracts/operatorDecisions';

const { clearBreakerAsApprover, replayDeadLetterAsApprover } = proxyActivities<Activities>({
  startToCloseTimeout: '30 seconds',
  retry: { maximumAttempts: 1 },
});

export async function clearBreaker(request: ClearBreakerRequest): Promise<ClearBreakerResult> {
  return clearBreakerAsApprover(request);
}

export async function replayDeadLetter(request: ReplayDeadLetterRequest): Promise<ReplayDeadLetterResult> {
  return replayDeadLetterAsApprover(request);
}
