/** An alert to a person: what went wrong, where, and the context to act on it. Pure. */
import { z } from 'zod';
import { failureContextSchema } from './resolution';

export const alertSchema = z.object({
  title: z.string().min(1).max(200),
  message: z.string().max(4000),
  /** ntfy priorities: 1 min … 5 max. */
  priority: z.number().int().min(1).max(5).default(4),
  tags: z.array(z.string().max(50)).max(10).default([]),
  /** Groups repeats of one condition: a channel is sent at most one alert per key per window. */
  dedupeKey: z.string().max(300).optional(),
  workflowId: z.string().optional(),
  runId: z.string().optional(),
  pipeline: z.string().optional(),
  step: z.string().optional(),
  /** Link a person clicks: the run in the Temporal Web UI. */
  link: z.string().optional(),
  firstFailure: failureContextSchema.optional(),
  latestFailure: failureContextSchema.optional(),
  details: z.record(z.string(), z.unknown()).optional(),
});
export type Alert = z.input<typeof alertSchema>;
export type AlertOut = z.output<typeof alertSchema>;
