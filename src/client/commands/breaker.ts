/** `breakwater breaker list | clear`: the circuit breakers (per pipeline + step) and clearing them by name. */
import type { Command } from 'commander';
import { authorize } from '../../store/auditLog';
import { createCircuitBreakerStore, isBreakerNotFoundError, type BreakerState } from '../../store/circuitBreakers';
import { InvalidInputError } from '../../errors';
import { createPool } from '../../store/db';
import { runsWaitingOnBreaker } from '../../store/runEscalations';
import { breakerClearedSignal } from '../../contracts/messages';
import { connectClient } from '../connection';
import { table } from '../output';
import type { CommandContext } from './index';

const name = (s: string, what: string): string => {
  const v = s.trim();
  if (!v || v.length > 200) throw new InvalidInputError(`${what} must be 1 to 200 characters`);
  return v;
};

/** The step's opt-in, if any: when the next probe is due, or which attempt is probing now. */
function probeCell(b: BreakerState): string {
  if (b.halfOpenAfterMs === null) return '-';
  if (b.probe) return `probing (${b.probe.workflowId ?? b.probe.owner}) until ${b.probe.leaseUntil}`;
  return b.state === 'open' ? `${b.probeDue ? 'due' : 'at'} ${b.probeDueAt}` : `after ${b.halfOpenAfterMs} ms`;
}

export function formatBreakers(list: BreakerState[]): string {
  if (list.length === 0) return 'no circuit breakers yet (one appears when a guarded step first fails)';
  return table([
    ['pipeline', 'step', 'state', 'failures', 'opened', 'first failure', 'half-open probe', 'cleared'],
    ...list.map((b) => [
      b.pipeline,
      b.step,
      b.state.toUpperCase(),
      `${b.consecutiveFailures}/${b.threshold}`,
      b.openedAt ?? '-',
      b.firstFailure ? `${b.firstFailure.at} ${b.firstFailure.error.slice(0, 60)}` : '-',
      probeCell(b),
      b.clearedBy ? `${b.clearedBy} at ${b.clearedAt}` : '-',
    ]),
  ]);
}

export function registerBreaker(program: Command, ctx: CommandContext): void {
  const breaker = program.command('breaker').description('circuit breakers: per pipeline + step, across all runs');

  breaker
    .command('list')
    .description('every breaker: state, consecutive failures, first failure, last clearing')
    .action(async (_opts: unknown, cmd: Command) => {
      const db = createPool(ctx.config().database, { max: 2 });
      try {
        const breakers = await createCircuitBreakerStore(db).list();
        ctx.output(cmd).result({ ok: true, breakers }, () => formatBreakers(breakers));
      } finally {
        await db.end();
      }
    });

  breaker
    .command('clear <pipeline> <step>')
    .description('close a breaker once its cause is fixed; runs waiting on it are woken at once')
    .requiredOption('--by <name>', 'who clears it (recorded)')
    .option('--reason <text>', 'why (recorded)')
    .action(async (pipeline: string, step: string, opts: { by: string; reason?: string }, cmd: Command) => {
      const req = { pipeline: name(pipeline, 'pipeline'), step: name(step, 'step'), by: name(opts.by, '--by'), reason: opts.reason, via: 'cli' };
      const config = ctx.config();
      const db = createPool(config.database, { max: 2 });
      try {
        const verdict = await authorize(db, config, { by: req.by, action: 'breaker:clear', target: `${req.pipeline}/${req.step}`, detail: { reason: req.reason } });
        if (!verdict.accepted) throw new InvalidInputError(verdict.reason);
        const result = await createCircuitBreakerStore(db)
          .clear(req)
          .catch((e: unknown) => {
            throw isBreakerNotFoundError(e) ? new InvalidInputError(e.message) : e;
          });
        const woken = await wakeWaitingRuns(ctx, req.pipeline, req.step, await runsWaitingOnBreaker(db, req.pipeline, req.step));
        ctx.output(cmd).result({ ok: true, ...result, woken }, () =>
          result.wasOpen
            ? `cleared ${pipeline}/${step} (by ${req.by} at ${result.breaker.clearedAt}); ${woken.length ? `woke ${woken.length} waiting run(s): ${woken.join(', ')}` : 'no run was waiting on it'}`
            : `${pipeline}/${step} was not open; the clearing is recorded anyway`,
        );
      } finally {
        await db.end();
      }
    });
}

/**
 * Tells each run waiting on the breaker to re-read it now. Best effort: a run that cannot be signalled (or
 * Temporal being unreachable) still resumes at its next re-check, so a failure here never fails the clear.
 */
async function wakeWaitingRuns(ctx: CommandContext, pipeline: string, step: string, runs: { workflowId: string; runId: string }[]): Promise<string[]> {
  if (!runs.length) return [];
  const client = await connectClient(ctx.config()).catch(() => undefined);
  if (!client) return [];
  try {
    const sent = await Promise.all(
      runs.map((r) =>
        client.workflow
          .getHandle(r.workflowId, r.runId)
          .signal(breakerClearedSignal, { pipeline, step })
          .then(
            () => r.workflowId,
            () => undefined,
          ),
      ),
    );
    return sent.filter((w): w is string => w !== undefined);
  } finally {
    await client.connection.close();
  }
}
