/**
 * `breakwater breaker list | clear`: the circuit breakers (per pipeline + step), and clearing one — through the
 * `clearBreaker` workflow, so the worker verifies the approver's signature (src/identity).
 */
import type { Command } from 'commander';
import { createCircuitBreakerStore, type BreakerState } from '../../store/circuitBreakers';
import { InvalidInputError } from '../../errors';
import { createPool } from '../../store/db';
import { clearBreakerClaim, type ClearBreakerResult } from '../../contracts/operatorDecisions';
import { runDecisionWorkflow } from '../operatorDecisions';
import { KEY_OPTION, proofFor } from '../signing';
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
    .description('close a breaker once its cause is fixed (the worker verifies who clears it); runs waiting on it are woken at once')
    .requiredOption('--by <name>', 'who clears it (recorded)')
    .option('--reason <text>', 'why (recorded)')
    .option(...KEY_OPTION)
    .action(async (pipeline: string, step: string, opts: { by: string; reason?: string; key?: string }, cmd: Command) => {
      const req = { pipeline: name(pipeline, 'pipeline'), step: name(step, 'step'), by: name(opts.by, '--by'), ...(opts.reason !== undefined ? { reason: opts.reason } : {}) };
      const config = ctx.config();
      const result = await runDecisionWorkflow<ClearBreakerResult>(config, 'clearBreaker', { ...req, ...proofFor(config, clearBreakerClaim(req), opts.key) });
      const { woken } = result;
      ctx.output(cmd).result({ ok: true, ...result }, () =>
        result.wasOpen
          ? `cleared ${pipeline}/${step} (by ${req.by} at ${result.breaker.clearedAt}); ${woken.length ? `woke ${woken.length} waiting run(s): ${woken.join(', ')}` : 'no run was waiting on it'}`
          : `${pipeline}/${step} was not open; the clearing is recorded anyway`,
      );
    });
}
