/**
 * The human gate's record of each escalation, as activities: opened when a run starts waiting for a person,
 * closed with how the wait ended. Inputs are validated here (they cross the workflow → activity boundary).
 */
import { z } from 'zod';
import type { Db } from '../store/db';
import { recordEscalationClosed, recordEscalationOpened } from '../store/runEscalations';
import { redactValue } from '../redact';

const opened = z.object({
  workflowId: z.string().min(1).max(500),
  runId: z.string().min(1).max(200),
  escalation: z.string().min(1).max(200),
  pipeline: z.string().max(200).optional(),
  kind: z.string().min(1).max(100),
  reason: z.string().max(2000),
  step: z.string().max(200).optional(),
  openedAt: z.iso.datetime(),
  details: z.record(z.string(), z.unknown()).optional(),
});

const closed = z.object({
  workflowId: z.string().min(1).max(500),
  runId: z.string().min(1).max(200),
  escalation: z.string().min(1).max(200),
  closedAt: z.iso.datetime(),
  ended: z.enum(['resolved', 'condition', 'timeout']),
  decision: z.string().max(50).optional(),
  decidedBy: z.string().max(200).optional(),
  reasonGiven: z.string().max(2000).optional(),
});

export type EscalationOpenedInput = z.input<typeof opened>;
export type EscalationClosedInput = z.input<typeof closed>;

export function createEscalationRecordActivities(db: Db) {
  return {
    async recordEscalationOpened(input: EscalationOpenedInput): Promise<void> {
      await recordEscalationOpened(db, redactValue(opened.parse(input)));
    },
    async recordEscalationClosed(input: EscalationClosedInput): Promise<void> {
      await recordEscalationClosed(db, redactValue(closed.parse(input)));
    },
  };
}
