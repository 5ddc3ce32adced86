/** `breakwater submit`: start the submit-and-verify pipeline for one record, optionally waiting for its result. */
import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import { SubmitFailure, type SubmitAndVerifyResult } from './contract';
import { BreakwaterError, InvalidInputError } from '../../errors';
import { connectClient, webUiLink } from '../../client/connection';
import { startSubmitAndVerify, validateSubmitInput } from './client';
import type { CommandContext } from '../../client/commands/index';

interface SubmitOpts {
  record: string;
  entity: string;
  date: string;
  payloadFile?: string;
  wait?: boolean;
  workflowId?: string;
  verifyDelay?: string;
  verifyDeadline?: string;
}

function readPayload(file: string | undefined): Record<string, unknown> {
  if (!file) return {};
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    throw new InvalidInputError(`--payload-file ${file}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
  try {
    return JSON.parse(text) as Record<string, unknown>;
  } catch (e) {
    throw new InvalidInputError(`--payload-file ${file} is not valid JSON: ${(e as Error).message}`);
  }
}

/** `submit --wait` ended NOT_SUBMITTED. */
export class NotSubmittedError extends BreakwaterError {
  readonly code = SubmitFailure.NotSubmitted.type;
}

const asDuration = (v: string | undefined) => (v === undefined ? undefined : /^\d+$/.test(v) ? Number(v) : v);

export function formatResult(r: SubmitAndVerifyResult): string {
  if (r.status === 'VERIFIED') return `VERIFIED ${r.fingerprint}: confirmation ${r.confirmation}, submitted ${r.submittedAt}, seen ${r.verifiedAt} (${r.observations.length} look(s), ${r.via})`;
  const looks = r.evidence.map((o) => `  ${o.at}  ${o.error ? `error: ${o.error}` : o.visible ? 'visible' : 'not listed'}`).join('\n');
  return `NOT_SUBMITTED ${r.fingerprint}: ${r.reason}${r.resolution ? ` (${r.resolution.decision} by ${r.resolution.by})` : ''}${looks ? `\n${looks}` : ''}`;
}

export function registerSubmit(program: Command, ctx: CommandContext): void {
  program
    .command('submit')
    .description('submit one record to the portal exactly once, then verify it is visible (submitAndVerify)')
    .requiredOption('--record <id>', 'record id')
    .requiredOption('--entity <id>', 'entity id')
    .requiredOption('--date <YYYY-MM-DD>', 'business date')
    .option('--payload-file <file>', 'JSON object to submit as the payload')
    .option('--workflow-id <id>', 'workflow id (default: one per fingerprint)')
    .option('--verify-delay <duration>', 'wait before the first verification, e.g. 60s (default 60 s)')
    .option('--verify-deadline <duration>', 'give up verifying after, e.g. 10min (default 10 min)')
    .option('--wait', 'wait for the result (VERIFIED exits 0, NOT_SUBMITTED exits 1)', false)
    .action(async (opts: SubmitOpts, cmd: Command) => {
      const options = { verifyDelay: asDuration(opts.verifyDelay), verifyDeadline: asDuration(opts.verifyDeadline) };
      const input = validateSubmitInput({
        recordId: opts.record,
        entityId: opts.entity,
        businessDate: opts.date,
        payload: readPayload(opts.payloadFile),
        options: Object.fromEntries(Object.entries(options).filter(([, v]) => v !== undefined)),
      });
      const config = ctx.config();
      const client = await connectClient(config);
      try {
        const handle = await startSubmitAndVerify(client, input, { taskQueue: config.temporal.taskQueue, workflowId: opts.workflowId });
        const started = { workflowId: handle.workflowId, runId: handle.firstExecutionRunId, link: webUiLink(config, handle.workflowId) };
        if (!opts.wait) {
          ctx.output(cmd).result({ ok: true, ...started }, () => `started ${started.workflowId}\n  ${started.link}`);
          return;
        }
        const result = await handle.result();
        // NOT_SUBMITTED is an operational failure: exit 1, with the evidence one `breakwater status` away.
        if (result.status !== 'VERIFIED') throw new NotSubmittedError(`${formatResult(result)}\n(details: breakwater status ${started.workflowId} --json)`);
        ctx.output(cmd).result({ ok: true, ...started, result }, () => formatResult(result));
      } finally {
        await client.connection.close();
      }
    });
}
