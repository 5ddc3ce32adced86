/**
 * `breakwater dlq list|show|replay`: work that exhausted its budgets. `list` and `show` display the redacted
 * copy of a letter; `replay` (through the `replayDeadLetter` workflow: the worker verifies who replays) starts the same workflow with the original input (as the run received it) as a
 * new run; fingerprints make it a no-op at any system the original already reached. A letter whose effect got
 * a confirmation no look ever saw (a silently lost call) has that fingerprint reopened first, in the replayer's
 * name: the replay reconciles with the system and re-sends only if the effect is absent, instead of
 * re-verifying the lost confirmation.
 */
import type { Command } from 'commander';
import { InvalidInputError } from '../../errors';
import { createPool } from '../../store/db';
import { createDeadLetterStore } from '../../store/deadLetters';
import { replayDeadLetterClaim, type ReplayDeadLetterResult } from '../../contracts/operatorDecisions';
import { webUiLink } from '../connection';
import { runDecisionWorkflow } from '../operatorDecisions';
import { KEY_OPTION, proofFor } from '../signing';
import { table } from '../output';
import type { CommandContext } from './index';
import { optionalSealerFor } from '../../codec/dataConverter';

const parseId = (raw: string): number => {
  if (!/^\d{1,15}$/.test(raw)) throw new InvalidInputError(`dead letter id must be a positive integer, got '${raw.slice(0, 50)}'`);
  return Number(raw);
};

export function registerDlq(program: Command, ctx: CommandContext): void {
  const dlq = program.command('dlq').description('dead letters: work that exhausted its retry and repair budgets');

  const withStore = async <T>(fn: (store: ReturnType<typeof createDeadLetterStore>, db: ReturnType<typeof createPool>) => Promise<T>) => {
    const config = ctx.config();
    const db = createPool(config.database);
    try {
      return await fn(createDeadLetterStore(db, { sealer: optionalSealerFor(config) }), db);
    } finally {
      await db.end();
    }
  };

  dlq
    .command('list')
    .description('the newest dead letters')
    .option('--limit <n>', 'how many', '50')
    .action(async (opts: { limit: string }, cmd: Command) => {
      const limit = Number(opts.limit);
      if (!Number.isInteger(limit) || limit < 1 || limit > 1000) throw new InvalidInputError('--limit must be an integer from 1 to 1000');
      const letters = await withStore((s) => s.list(limit));
      ctx.output(cmd).result({ ok: true, deadLetters: letters }, () =>
        letters.length === 0
          ? 'no dead letters'
          : table([
              ['id', 'at', 'pipeline', 'step', 'workflow', 'first error'],
              ...letters.map((d) => [String(d.id), d.at.slice(0, 19), d.pipeline, d.step ?? '', d.workflowId, (d.errors[0]?.error ?? '').slice(0, 60)]),
            ]),
      );
    });

  dlq
    .command('show <id>')
    .description('one dead letter with its full context')
    .action(async (rawId: string, _opts: unknown, cmd: Command) => {
      const id = parseId(rawId);
      const letter = await withStore((s) => s.get(id));
      if (!letter) throw new InvalidInputError(`no dead letter ${id}`);
      ctx.output(cmd).result({ ok: true, deadLetter: letter }, () =>
        [
          `dead letter ${letter.id} — ${letter.pipeline}${letter.step ? ` / ${letter.step}` : ''} at ${letter.at}`,
          `workflow   ${letter.workflowId} (${letter.workflowType}) ${letter.link ?? ''}`,
          `cost       ${letter.costUsd} USD`,
          `input      ${JSON.stringify(letter.input)}`,
          `           (redacted for display; ${letter.originalKept ? 'a replay sends the original, kept apart' : 'no original kept: a replay sends this copy only if nothing in it was redacted'})`,
          ...(letter.unverifiedEffect
            ? [`unverified confirmation ${letter.unverifiedEffect.confirmation} of ${letter.unverifiedEffect.fingerprint}: a replay reopens it (reconcile first, re-send only if absent)`]
            : []),
          'errors, first to last:',
          ...letter.errors.map((e, i) => `  ${i + 1}. ${e.at}  ${e.error}`),
          `replays    ${letter.replays.length ? letter.replays.map((r) => `${r.workflowId} by ${r.by}`).join(', ') : 'none'}`,
        ].join('\n'),
      );
    });

  dlq
    .command('replay <id>')
    .description('start the same work again as a new run, with the original input (the worker verifies who replays it; fingerprints prevent duplicate side effects)')
    .requiredOption('--by <name>', 'who replays it (signed with their key, verified by the worker)')
    .option(...KEY_OPTION)
    .action(async (rawId: string, opts: { by: string; key?: string }, cmd: Command) => {
      const id = parseId(rawId);
      if (!opts.by.trim() || opts.by.length > 100) throw new InvalidInputError('--by must name a person (1-100 characters)');
      const config = ctx.config();
      const req = { id, by: opts.by.trim() };
      const replayed = await runDecisionWorkflow<ReplayDeadLetterResult>(config, 'replayDeadLetter', { ...req, ...proofFor(config, replayDeadLetterClaim(req), opts.key) });
      const started = { ...replayed, link: webUiLink(config, replayed.workflowId) };
      ctx.output(cmd).result({ ok: true, replay: started }, () =>
        [`replay started: ${started.workflowId}  ${started.link}`, ...(started.reopened ? ['fingerprint reopened: the replay reconciles with the system before any re-send'] : [])].join('\n'),
      );
    });
}
