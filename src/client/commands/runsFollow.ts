/**
 * `breakwater runs follow <workflowId> [--interval ms]`: prints a running agent's progress as it changes —
 * one line per change (status, turn, counts, cost so far), then each step that is new or moved on — and
 * exits 0 when the run closes. With `--json`, one JSON object per line. An id that is invalid or names no
 * run is a bad argument: BW_INVALID_INPUT, exit 2.
 */
import type { Command } from 'commander';
import type { AgentProgress } from '../../contracts/agentProgress';
import { InvalidInputError, isNotFoundError } from '../../errors';
import { followAgentProgress, formatProgressEntry, formatProgressLine } from '../agentFollow';
import { connectClient } from '../connection';
import type { CommandContext } from './index';

/** The lines to print for a change: the head line, and each step not printed before as it is now. */
export function progressLines(p: AgentProgress, printed: Map<string, string>): string[] {
  const lines = [formatProgressLine(p)];
  for (const e of p.recent) {
    const key = `${p.role}|${e.turn}|${e.kind}|${e.callId ?? ''}`;
    const line = `  ${formatProgressEntry(e)}`;
    if (printed.get(key) === line) continue;
    printed.set(key, line);
    lines.push(line);
  }
  return lines;
}

export function registerRunsFollow(runs: Command, ctx: CommandContext): void {
  runs
    .command('follow <workflowId>')
    .description("follow a running agent step by step (tool calls, answers, cost so far) until the run closes")
    .option('--interval <ms>', 'between polls (default 1000)')
    .action(async (workflowId: string, opts: { interval?: string }, cmd: Command) => {
      const intervalMs = opts.interval === undefined ? 1000 : Number(opts.interval);
      if (!Number.isInteger(intervalMs) || intervalMs < 100 || intervalMs > 60_000) throw new InvalidInputError('--interval: a whole number of milliseconds from 100 to 60000');
      const json = ctx.output(cmd).json;
      const client = await connectClient(ctx.config());
      const printed = new Map<string, string>();
      const write = (s: string) => process.stdout.write(`${s}\n`);
      try {
        for await (const ev of followAgentProgress(client, workflowId, { intervalMs })) {
          if (ev.kind === 'end') write(json ? JSON.stringify({ event: 'end', status: ev.status }) : `run closed: ${ev.status}`);
          else write(json ? JSON.stringify({ event: 'progress', progress: ev.progress }) : progressLines(ev.progress, printed).join('\n'));
        }
      } catch (e) {
        if (isNotFoundError(e)) throw new InvalidInputError(`workflowId: no run with id '${workflowId}'`);
        throw e;
      } finally {
        await client.connection.close();
      }
    });
}
