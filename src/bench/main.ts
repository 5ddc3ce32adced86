/**
 * `npm run bench`: runs every benchmark (each measures its subject against a baseline in the same run) and
 * writes the figures to docs/benchmarks.md. `npm run bench -- NAME…` runs only some; their sections are
 * replaced in the file, the others kept. `scale` (issue 15: the cost curve against bare Temporal, ~25 min)
 * runs only when named: `npm run bench -- scale`, or `npm run bench -- scale --quick` for the small size;
 * `--loads 50,200,500` picks the concurrency steps of its throughput part, `--memory 100,500,1000` the waiting-run
 * levels of its memory part.
 * `accounting` (issue 23: every event and statement of a run, and the cost model) runs with the others;
 * `npm run bench -- accounting --quick` is its CI size (2 runs per cell, about a minute with the build).
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Runtime } from '@temporalio/worker';
import { packageRoot } from '../devstack/paths';
import { ensureStack } from '../devstack/stack';
import { ensureTemporalCli } from '../devstack/temporalTools';
import { createLogger, temporalLogger } from '../workers/logger';
import type { BenchSection } from './report';
import * as accounting from './accounting.bench';
import * as agentLayer from './agentLayer.bench';
import * as scale from './scale.bench';
import * as broker from './broker.bench';
import * as submitAndVerify from './submitAndVerify.bench';
import * as toolCall from './toolCall.bench';
import * as tracing from './tracing.bench';
import * as workflowBundle from './workflowBundle.bench';

const benches: Record<string, { bench: () => Promise<BenchSection> }> = {
  workflowBundle,
  submitAndVerify,
  agentLayer,
  broker,
  tracing,
  toolCall,
  accounting: { bench: () => accounting.bench({ quick }) },
  scale: { bench: () => scale.bench({ quick, loads, memoryLevels }) },
};
/** Run only when named on the command line (long, or measuring something else than one pipeline). */
const onlyWhenNamed = new Set(['scale']);

const args = process.argv.slice(2);
const quick = args.includes('--quick');
/** `--name 1,2,3`: positive whole numbers; a bad list exits 2 with what was expected. */
function numbersAfter(flag: string, example: string): { values?: number[]; at: number } {
  const at = args.indexOf(flag);
  if (at < 0) return { at };
  const raw = args[at + 1];
  const values = raw?.split(',').map(Number);
  if (!values || values.some((n) => !Number.isInteger(n) || n < 1)) {
    process.stderr.write(`${flag} takes positive whole numbers separated by commas, e.g. ${flag} ${example} (got ${raw ?? 'nothing'})\n`);
    process.exit(2);
  }
  return { values, at };
}
const { values: loads, at: loadsAt } = numbersAfter('--loads', '50,200,500');
const { values: memoryLevels, at: memoryAt } = numbersAfter('--memory', '100,500,1000');
const file = path.join(packageRoot(), 'docs', 'benchmarks.md');
const marker = (name: string, edge: 'start' | 'end') => `<!-- bench:${name}:${edge} -->`;

async function main(): Promise<void> {
  const flagValues = new Set([loadsAt, memoryAt].filter((i) => i >= 0).flatMap((i) => [i, i + 1]));
  const wanted = args.filter((a, i) => a !== '--quick' && !flagValues.has(i));
  const unknown = wanted.filter((w) => !(w in benches));
  if (unknown.length) {
    process.stderr.write(`unknown benchmark(s): ${unknown.join(', ')}; known: ${Object.keys(benches).join(', ')}\n`);
    process.exit(2);
  }
  Runtime.install({ logger: temporalLogger(createLogger('warn')) });
  const stack = await ensureStack();
  process.env.DATABASE_URL ??= stack.postgres.url;
  // Benches that start their own dev servers (the test harness) use the project's pinned CLI, never a download.
  process.env.TEMPORAL_CLI ??= ensureTemporalCli();
  let doc = existsSync(file) ? readFileSync(file, 'utf8') : '';
  const header = [
    '# Benchmarks',
    '',
    'Written by `npm run bench`. Every figure is measured against a baseline in the same run, on this machine:',
    `${os.cpus().length} cores (${os.cpus()[0]?.model ?? 'unknown'}), ${(os.totalmem() / 2 ** 30).toFixed(0)} GiB, Node ${process.version}.`,
    '',
  ].join('\n');
  doc = doc.startsWith('# Benchmarks') ? doc.replace(/^# Benchmarks[\s\S]*?\n\n(?=<!--|$)/, `${header}\n`) : header;
  for (const name of wanted.length ? wanted : Object.keys(benches).filter((b) => !onlyWhenNamed.has(b))) {
    process.stdout.write(`== ${name}\n`);
    const section = await benches[name]!.bench();
    const text = `${marker(name, 'start')}\n## ${section.title}\n\n_Measured ${new Date().toISOString().slice(0, 16)}Z._\n\n${section.markdown}\n${marker(name, 'end')}\n`;
    process.stdout.write(`${section.markdown}\n\n`);
    const re = new RegExp(`${marker(name, 'start')}[\\s\\S]*?${marker(name, 'end')}\\n?`);
    doc = re.test(doc) ? doc.replace(re, text) : `${doc.trimEnd()}\n\n${text}`;
  }
  writeFileSync(file, `${doc.trimEnd()}\n`);
  process.stdout.write(`figures written to ${path.relative(process.cwd(), file)}\n`);
}

main().catch((e: unknown) => {
  process.stderr.write(`bench failed: ${(e as Error).stack ?? String(e)}\n`);
  process.exit(1);
});
