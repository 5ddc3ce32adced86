/**
 * The agentDecision pipeline's agent schemas: a cheap router triages a customer request, a strong decider
 * picks the action with a confidence and its evidence. Pure: usable in workflows and activities.
 */
import { z } from 'zod';
import { defineAgentSchema, withConfidence } from '../../contracts/agentSchemas';

export const consequentialActions = ['refund', 'cancel_order', 'escalate_to_support'] as const;
export const requestActions = [...consequentialActions, 'answer_faq', 'no_action'] as const;

/** The router agent: what kind of request this is and which records it names. Cheap model. */
export const requestTriage = defineAgentSchema(
  'requestTriage',
  z.strictObject({
    category: z.enum(['billing', 'order', 'account', 'other']),
    orderIds: z.array(z.string().regex(/^ORD-\d{1,12}$/)).max(10),
    customerId: z.string().regex(/^CUS-\d{1,12}$/).nullable(),
  }),
);

/** The decider agent: which action to take, how sure it is, and on what evidence. Strong model. */
export const actionDecision = defineAgentSchema(
  'actionDecision',
  withConfidence({
    action: z.enum(requestActions),
    orderId: z.string().regex(/^ORD-\d{1,12}$/).nullable(),
  }),
);

export type RequestTriage = z.output<typeof requestTriage.schema>;
export type ActionDecision = z.output<typeof actionDecision.schema>;
