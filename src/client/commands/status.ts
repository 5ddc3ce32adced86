/** `breakwater status <workflowId>`: where a run stands — Temporal's view, Breakwater's status, its open escalation and progress. */
import { WorkflowNotFoundError } from '@temporalio/common';
import type { Command } from 'commander';
import type { QueryDefinition } from '@temporalio/common';
import { NotFoundError } from '../../errors';
import { connectClient, webUiLink } from '../connection';
import { withinMs } from '../escalations';
import { escalationQuery, progressQuery } from '../../contracts/messages';
import type { CommandContext } from './index';

export function registerStatus(program: Command, ctx: CommandContext): void {
  program
    .command('status <workflowId>')
    .description("a run's state, BreakwaterStatus, open escalation, progress and (when closed) result")
    .action(async (workflowId: string, _opts: unknown, cmd: Command) => {
      const config = ctx.config();
      const client = await connectClient(config);
      try {
        const handle = client.workflow.getHandle(workflowId);
        const d = await handle.describe().catch((e: unknown) => {
          throw e instanceof WorkflowNotFoundError ? new NotFoundError(`No workflow with id '${workflowId}'`) : e;
        });
        const attr = (k: string) => {
          const v = d.searchAttributes[k]?.[0];
          return v === undefined ? undefined : (v as string | number);
        };
        const running = d.status.name === 'RUNNING';
        const ask = <T>(query: QueryDefinition<T>) => (running ? withinMs(client, 3000, () => handle.query(query)).catch(() => undefined) : Promise.resolve(undefined));
        const [escalation, progress] = await Promise.all([ask(escalationQuery), ask(progressQuery)]);
        const result = d.status.name === 'COMPLETED' ? await handle.result().catch(() => undefined) : undefined;
        const view = {
          ok: true,
          workflowId,
          runId: d.runId,
          type: d.type,
          status: d.status.name,
          breakwaterStatus: attr('BreakwaterStatus'),
          pipeline: attr('BreakwaterPipeline'),
          startTime: d.startTime.toISOString(),
          closeTime: d.closeTime?.toISOString(),
          link: webUiLink(config, workflowId, d.runId),
          escalation: escalation?.open,
          progress,
          result,
        };
        ctx.output(cmd).result(view, () =>
          [
            `${workflowId} (${d.type}): ${view.status}${view.breakwaterStatus ? `, ${view.breakwaterStatus}` : ''}`,
            `  started ${view.startTime}${view.closeTime ? `, closed ${view.closeTime}` : ''}`,
            view.escalation ? `  waiting for a person: ${view.escalation.kind}: ${view.escalation.reason} (since ${view.escalation.since})` : '',
            progress && typeof progress === 'object' && 'phase' in progress ? `  phase: ${String((progress as { phase: unknown }).phase)}` : '',
            // Indented, not one long line: results can be large (coordination logs, lists of items).
            result ? `  result:\n${JSON.stringify(result, null, 2).split('\n').map((l) => `    ${l}`).join('\n')}` : '',
            `  ${view.link}`,
          ]
            .filter(Boolean)
            .join('\n'),
        );
      } finally {
        await client.connection.close();
      }
    });
}
