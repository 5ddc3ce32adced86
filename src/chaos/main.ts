/**
 * `npm run chaos` — `node dist/chaos/main.js [--seed N] [--pipelines M] [--duration S] [--settle S] [--workers W] [--faults-per-minute F] [--cluster] [--temporal-restarts N] [--out FILE]`:
 * one chaos run; the figures go to docs/reliability.md (with the seed and the command to rerun), or with
 * `--cluster` (against the production-configured Temporal cluster instead of the dev server) to
 * docs/reliability-cluster.md. Exit 0 when every invariant held, 1 when one did not, 2 for bad arguments.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { KEPT_BEGIN, KEPT_END, renderReliability, rerunCommand } from './report';

/** The hand-kept section of the file being replaced (the other Temporal's figures), carried over as it is. */
function keptSection(file: string): string | undefined {
  if (!existsSync(file)) return undefined;
  const text = readFileSync(file, 'utf8');
  const a = text.indexOf(KEPT_BEGIN);
  const b = text.indexOf(KEPT_END);
  return a >= 0 && b > a ? text.slice(a, b + KEPT_END.length) : undefined;
}
import { runChaos } from './runner';

const chaosDefaults = { seed: 42, pipelines: 6, duration: 150, settle: 300, workers: 2, faultsPerMinute: 4 };

function int(name: string, raw: string | undefined, fallback: number, min: number, max: number): number {
  if (raw === undefined) return fallback;
  const n = Number(raw);
  if (!/^\d+$/.test(raw) || n < min || n > max) throw new Error(`--${name} must be an integer from ${min} to ${max}, got '${raw}'`);
  return n;
}

async function main(): Promise<number> {
  let o;
  try {
    const { values } = parseArgs({
      options: { seed: { type: 'string' }, pipelines: { type: 'string' }, duration: { type: 'string' }, settle: { type: 'string' }, workers: { type: 'string' }, 'faults-per-minute': { type: 'string' }, cluster: { type: 'boolean' }, 'temporal-restarts': { type: 'string' }, out: { type: 'string' } },
      strict: true,
    });
    o = {
      seed: int('seed', values.seed, chaosDefaults.seed, 0, 2 ** 31 - 1),
      perKind: int('pipelines', values.pipelines, chaosDefaults.pipelines, 1, 50),
      durationS: int('duration', values.duration, chaosDefaults.duration, 20, 3600),
      settleS: int('settle', values.settle, chaosDefaults.settle, 10, 3600),
      workers: int('workers', values.workers, chaosDefaults.workers, 1, 16),
      faultsPerMinute: int('faults-per-minute', values['faults-per-minute'], chaosDefaults.faultsPerMinute, 0, 120),
      temporal: values.cluster ? ('cluster' as const) : ('dev' as const),
      temporalRestarts: int('temporal-restarts', values['temporal-restarts'], 1, 1, 10),
      out: values.out ?? path.resolve(__dirname, '..', '..', 'docs', values.cluster ? 'reliability-cluster.md' : 'reliability.md'),
    };
  } catch (e) {
    process.stderr.write(`chaos: ${(e as Error).message}\nusage: node dist/chaos/main.js [--seed N] [--pipelines M] [--duration S] [--settle S] [--workers W] [--faults-per-minute F] [--cluster] [--temporal-restarts N] [--out FILE]\n`);
    return 2;
  }
  const log = (line: string) => process.stdout.write(`[${new Date().toISOString().slice(11, 19)}] ${line}\n`);
  const result = await runChaos({ ...o, log });
  writeFileSync(o.out, renderReliability(result, new Date(), keptSection(o.out)));
  const f = result.figures;
  const share = f.autoRecoveredShare === null ? 'n/a' : `${(100 * f.autoRecoveredShare).toFixed(1)} %`;
  log(`lost ${f.lost} · duplicate submissions ${f.duplicateSubmissions} · stuck ${f.stuck} · budget overruns ${f.budgetOverruns} · wrong results ${f.wrongResults}`);
  log(`completed without a human ${f.completedWithoutHuman}/${f.runs} · escalated with context ${f.escalatedWithContext}/${f.escalated} · auto-recovered ${share} (${f.autoRecovered}/${f.hitByTransientFault}), 95 % lower bound ${f.autoRecoveredLowerBound === null ? 'n/a' : `${(100 * f.autoRecoveredLowerBound).toFixed(1)} %`}`);
  log(`wrong VERIFIED ${f.wrongVerified} · stale decisions applied ${f.stale.applied}/${f.stale.sent} · alerts lost ${f.alerts.lost}/${f.alerts.recorded} · fault points never fired: ${f.unfiredPoints.join(', ') || 'none'}`);
  for (const n of f.notRecovered) log(`not recovered: ${n}`);
  log(`figures written to ${o.out}; rerun: ${rerunCommand(result)}`);
  return result.violations.length ? 1 : 0;
}

main().then(
  (code) => process.exit(code),
  (e: unknown) => {
    process.stderr.write(`chaos: ${(e as Error).stack ?? String(e)}\n`);
    process.exit(1);
  },
);
