import { z } from 'zod';
import type { Resolution } from '../contracts/resolution';
import { Failure, raise } from '../failures';
import { createHumanGate } from './humanGate';
import { markPipeline, markStatus } from './status';

export const approvalRequestSchema = z.strictObject({
  subject: z.string().min(1).max(500),
  details: z.record(z.string(), z.unknown()).optional(),
});
export type ApprovalRequestInput = z.infer<typeof approvalRequestSchema>;

/**
 * A person signs off: run as a child workflow (or on its own) wherever a pipeline needs an explicit human
 * decision. It waits as long as it takes, shows up in `breakwater escalations` and the inbox, and returns
 * who decided what.
 */
export async function requestApproval(input: ApprovalRequestInput): Promise<Resolution> {
  const parsed = approvalRequestSchema.safeParse(input);
  if (!parsed.success) throw raise(Failure.InvalidInput, parsed.error.message);
  markPipeline('requestApproval');
  const gate = createHumanGate();
  const resolution = await gate.escalate({ kind: 'approval', reason: parsed.data.subject, details: parsed.data.details });
  markStatus(resolution.decision === 'reject' ? 'Rejected' : 'Completed');
  return resolution;
}
