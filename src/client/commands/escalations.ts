/**
 * `breakwater escalations`: every run waiting for a person (search attribute BreakwaterStatus="AwaitingHuman"),
 * with why; `breakwater resolve <workflowId>`: answer one through the validated `resolve` Update.
 */
import type { Client } from '@temporalio/client';
import type { Command } from 'commander';
import type { Escalation } from '../../contracts/resolution';
import { connectClient, webUiLink } from '../connection';
import { table } from '../output';
import { getEscalationState, resolveEscalation, validateResolution } from '../escalations';
import type { CommandContext } from './index';

export const AWAITING_HUMAN_QUERY = 'BreakwaterStatus = "AwaitingHuman" AND ExecutionStatus = "Running"';

export interface EscalationRow {
  workflowId: string;
  runId: string;
  workflowType: string;
  pipeline: string | undefined;
  startTime: string;
  link: string;
  /** From the run's `escalation` query; undefined when no worker answered in time. */
  escalation: Escalation | undefined;
}

export async function listEscalations(client: Client, link: (workflowId: string, runId: string) => string, queryTimeoutMs = 3000): Promise<EscalationRow[]> {
  const rows: EscalationRow[] = [];
  for await (const wf of client.workflow.list({ query: AWAITING_HUMAN_QUERY })) {
    const pipeline = wf.searchAttributes.BreakwaterPipeline?.[0];
    const escalation = await getEscalationState(client, wf.workflowId, queryTimeoutMs).then(
      (s) => s.open,
      () => undefined,
    );
    rows.push({
      workflowId: wf.workflowId,
      runId: wf.runId,
      workflowType: wf.type,
      pipeline: typeof pipeline === 'string' ? pipeline : undefined,
      startTime: wf.startTime.toISOString(),
      link: link(wf.workflowId, wf.runId),
      escalation,
    });
  }
  return rows;
}

export function registerEscalations(program: Command, ctx: CommandContext): void {
  program
    .command('escalations')
    .description('runs waiting for a person (BreakwaterStatus = AwaitingHuman), with the reason and context')
    .action(async (_opts: unknown, cmd: Command) => {
      const config = ctx.config();
      const client = await connectClient(config);
      try {
        const rows = await listEscalations(client, (id, run) => webUiLink(config, id, run));
        ctx.output(cmd).result({ ok: true, escalations: rows }, () =>
          rows.length === 0
            ? 'no run is waiting for a person'
            : table([
                ['workflow', 'pipeline', 'escalation', 'since', 'reason'],
                ...rows.map((r) => [r.workflowId, r.pipeline ?? r.workflowType, r.escalation?.id ?? '?', r.escalation?.since ?? r.startTime, r.escalation?.reason ?? '(no worker answered)']),
              ]) + `\n\nresolve: breakwater resolve <workflow> --decision approve|reject|retry --by <you> [--reason <text>] [--escalation <id>]`,
        );
      } finally {
        await client.connection.close();
      }
    });

  program
    .command('resolve <workflowId>')
    .description("answer a run's open escalation (the validated `resolve` Update)")
    .requiredOption('--decision <decision>', 'approve | reject | retry')
    .requiredOption('--by <name>', 'who decides (recorded)')
    .option('--reason <text>', 'why (recorded)')
    .option('--escalation <id>', 'the escalation you answer (from `breakwater escalations`): refused if another one is open by then')
    .action(async (workflowId: string, opts: { decision: string; by: string; reason?: string; escalation?: string }, cmd: Command) => {
      const resolution = validateResolution({
        decision: opts.decision,
        by: opts.by,
        ...(opts.reason === undefined ? {} : { reason: opts.reason }),
        ...(opts.escalation === undefined ? {} : { escalation: opts.escalation }),
      });
      const config = ctx.config();
      const client = await connectClient(config);
      try {
        const outcome = await resolveEscalation(client, workflowId, resolution);
        ctx.output(cmd).result({ ok: true, workflowId, ...outcome, resolution }, () => `resolved ${workflowId} (${outcome.escalation}): ${resolution.decision} by ${resolution.by}`);
      } finally {
        await client.connection.close();
      }
    });
}
