/**
 * Demo: the retry storm that does not happen. N workflows × M enrichment calls (default 8 × 18, the
 * incident's shape) start together against the enrichment simulator's 100/min account limit; the broker
 * admits them against one shared quota, so the provider sees at most its limit per rolling minute and no
 * 429s, and `breakwater broker status` shows what happened.
 *
 * Needs the API workers (createApiWorkers, src/workers/apiWorkers.ts) running beside the demo's worker.
 */
import { maxInAnyWindow } from '../../deterministic/rollingWindow';
import { enrichCatalog } from './workflow';
import type { DemoContext, DemoRow } from '../../demo/context';

export interface BrokerDemoOptions {
  workflows?: number;
  callsPerWorkflow?: number;
}

interface SimLogEntry {
  timeMs: number;
  status: number;
}

export async function runBrokerDemo(ctx: DemoContext, options: BrokerDemoOptions = {}): Promise<DemoRow[]> {
  const workflows = options.workflows ?? 8;
  const calls = options.callsPerWorkflow ?? 18;
  const sim = ctx.simulators.enrichmentUrl.replace(/\/$/, '');
  await fetch(`${sim}/_admin/reset`, { method: 'POST' });
  const { config: simConfig } = (await (await fetch(`${sim}/_admin/config`)).json()) as { config: { limit: number; windowMs: number } };
  ctx.log(`broker: ${workflows} workflows × ${calls} enrichment calls against ${simConfig.limit} per ${simConfig.windowMs / 1000} s`);

  const started = Date.now();
  const results = await Promise.all(
    Array.from({ length: workflows }, (_, w) =>
      ctx.client.workflow.execute(enrichCatalog, {
        taskQueue: ctx.taskQueue,
        workflowId: `demo-enrich-${started}-${w}`,
        args: [{ skus: Array.from({ length: calls }, (_, i) => `DEMO-${w}-${i}`), concurrency: calls }],
      }),
    ),
  );
  const seconds = (Date.now() - started) / 1000;
  const { entries } = (await (await fetch(`${sim}/_admin/log`)).json()) as { entries: SimLogEntry[] };
  const refused = entries.filter((e) => e.status === 429).length;
  const maxWindow = maxInAnyWindow(entries.filter((e) => e.status !== 400).map((e) => e.timeMs), simConfig.windowMs);
  const enriched = results.reduce((n, r) => n + r.enriched.length, 0);
  ctx.log(`broker: ${enriched}/${workflows * calls} enriched in ${seconds.toFixed(1)} s; provider saw max ${maxWindow} per window, ${refused} × 429`);

  const status = await ctx.cli(['broker', 'status', '--api', 'enrichment', '--minutes', '10']);
  for (const line of status.stdout.trim().split('\n')) ctx.log(`  ${line}`);

  const ok = enriched === workflows * calls && maxWindow <= simConfig.limit && refused === 0;
  return [
    {
      scenario: `broker: ${workflows} workflows × ${calls} calls, ${simConfig.limit}/min API`,
      outcome: ok ? 'held the limit' : 'LIMIT BROKEN',
      detail: `${enriched} calls in ${seconds.toFixed(0)} s, max ${maxWindow} per rolling window, ${refused} × 429, longest queue ${Math.max(...results.map((r) => r.maxQueuedMs))} ms`,
    },
  ];
}
