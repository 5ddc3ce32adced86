/**
 * Supervisor → sub-agent delegation: the sub-task a child workflow receives and what its agent answers.
 * Pure: usable in workflows and activities.
 */
import { z } from 'zod';
import { confidenceField, defineAgentSchema } from '../../contracts/agentSchemas';
import { defineFailures } from '../../failures';

export const subtaskSchema = z.strictObject({
  id: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9_.:-]{0,63}$/),
  /** The agent role that works on it (config/models.json). */
  role: z.string().min(1).max(100),
  instruction: z.string().min(1).max(4000),
});
export type Subtask = z.infer<typeof subtaskSchema>;

/** The supervisor agent's split of a goal into sub-tasks (when the caller does not give them). */
export const delegationPlan = defineAgentSchema('delegationPlan', z.strictObject({ subtasks: z.array(subtaskSchema).min(1).max(20) }));

/**
 * A sub-agent's answer: the result, a further split (only below the supervisor's depth limit), or that it
 * cannot do the sub-task (a permanent failure of its child workflow).
 */
export const subAgentAnswer = defineAgentSchema(
  'subAgentAnswer',
  z.strictObject({
    outcome: z.enum(['answer', 'delegate', 'cannot']),
    answer: z.string().max(10_000).nullable(),
    subtasks: z.array(subtaskSchema).max(20),
    reason: z.string().max(2000).nullable(),
    confidence: confidenceField,
  }),
);
export type SubAgentAnswer = z.output<typeof subAgentAnswer.schema>;

/** The failures a supervisor or a sub-agent child workflow ends with; the parent sees them in its escalation. */
export const DelegationFailure = defineFailures({
  Cannot: { type: 'BW_SUBAGENT_CANNOT', retryable: false, meaning: 'The sub-agent said it cannot do its sub-task; details[0] has its reason.' },
  DepthExceeded: { type: 'BW_DELEGATION_DEPTH_EXCEEDED', retryable: false, meaning: 'A supervisor or sub-agent asked to delegate at the depth limit.' },
});
