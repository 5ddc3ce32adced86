/**
 * Typed client helpers for the submit-and-verify pipeline, for users' own code and for the CLI: input is validated before anything is sent, so bad input is an InvalidInputError
 * (exit 2 in the CLI) and nothing is half-started.
 */
import type { Client, WorkflowHandleWithFirstExecutionRunId } from '@temporalio/client';
import { BreakwaterPipeline, BreakwaterStatus, PipelineStatus } from '../../contracts/searchAttributes';
import { describeIssues, withinMs } from '../../client/escalations';
import { progressQuery, SUBMIT_AND_VERIFY, submitAndVerifyInputSchema, type SubmitAndVerifyInput, type SubmitAndVerifyProgress } from './contract';
import { defaultSubmitWorkflowId } from '../../deterministic/fingerprintKey';
import { InvalidInputError } from '../../errors';
import type { submitAndVerify } from './workflow';

export interface StartSubmitOptions {
  taskQueue: string;
  /** Default: one id per fingerprint (`submitAndVerify:<record>:<entity>:<date>`). */
  workflowId?: string;
}

/** Validates a submitAndVerify input; throws InvalidInputError naming every problem. */
export function validateSubmitInput(input: unknown): SubmitAndVerifyInput {
  const parsed = submitAndVerifyInputSchema.safeParse(input);
  if (!parsed.success) {
    const issues = describeIssues(parsed.error.issues);
    throw new InvalidInputError(`Invalid submission: ${issues.join('; ')}`, issues);
  }
  return input as SubmitAndVerifyInput;
}

/**
 * Starts a submitAndVerify run. With the default workflow id, starting the same record again while a run
 * is in flight returns that run (USE_EXISTING); after it closed, a new run gets the fingerprint's cached
 * result and only verifies — either way the portal sees one submission.
 */
export async function startSubmitAndVerify(client: Client, input: SubmitAndVerifyInput, opts: StartSubmitOptions): Promise<WorkflowHandleWithFirstExecutionRunId<typeof submitAndVerify>> {
  const valid = validateSubmitInput(input);
  return client.workflow.start<typeof submitAndVerify>(SUBMIT_AND_VERIFY, {
    taskQueue: opts.taskQueue,
    workflowId: opts.workflowId ?? defaultSubmitWorkflowId(valid),
    args: [valid],
    workflowIdConflictPolicy: 'USE_EXISTING',
    typedSearchAttributes: [
      { key: BreakwaterPipeline, value: SUBMIT_AND_VERIFY },
      { key: BreakwaterStatus, value: PipelineStatus.Running },
    ],
  });
}

export async function getSubmitAndVerifyProgress(client: Client, workflowId: string, timeoutMs = 5000): Promise<SubmitAndVerifyProgress> {
  return withinMs(client, timeoutMs, () => client.workflow.getHandle(workflowId).query(progressQuery));
}
