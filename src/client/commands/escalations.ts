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
import type { BreakwaterConfig } from '../../config';
import { resolveClaim, type Resolution } from '../../contracts/resolution';
import { InvalidInputError } from '../../errors';
import { KEY_OPTION, proofFor } from '../signing';

/**
 * The resolution signed with the approver's key (when there is one), bound to the escalation it answers:
 * the one named, else the one open now (asked of the run), so the signature cannot answer a later one.
 */
export async function signResolution(client: Client, config: BreakwaterConfig, workflowId: string, r: Resolution, keyFile?: string): Promise<Resolution> {
  const escalation = r.escalation ?? (await getEscalationState(client, workflowId).catch(() => undefined))?.open?.id;
  const proof = proofFor(config, resolveClaim(workflowId, { ...r, escalation }), keyFile);
  if ('signature' in proof && !escalation) throw new InvalidInputError(`${workflowId} has no open escalation to answer (or no worker answered): name it with --escalation`);
  return validateResolution({ ...r, ...(escalation ? { escalation } : {}), ...proof });
}

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
    .option('--escalation <id>', 'the escalation you answer (from `breakwater escalations`; default: the one open now): refused if another one is open by then')
    .option(...KEY_OPTION)
    .action(async (workflowId: string, opts: { decision: string; by: string; reason?: string; escalation?: string; key?: string }, cmd: Command) => {
      const unsigned = validateResolution({
        decision: opts.decision,
        by: opts.by,
        ...(opts.reason === undefined ? {} : { reason: opts.reason }),
        ...(opts.escalation === undefined ? {} : { escalation: opts.escalation }),
      });
      const config = ctx.config();
      const client = await connectClient(config);
      try {
        const resolution = await signResolution(client, config, workflowId, unsigned, opts.key);
        const outcome = await resolveEscalation(client, workflowId, resolution);
        ctx.output(cmd).result({ ok: true, workflowId, ...outcome, resolution }, () => `resolved ${workflowId} (${outcome.escalation}): ${resolution.decision} by ${resolution.by}`);
      } finally {
        await client.connection.close();
      }
    });
}
