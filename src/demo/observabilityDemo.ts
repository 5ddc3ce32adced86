/**
 * Demo: observability. A submit-and-verify run against a portal that needs 3 s before a submission is
 * visible, verified 1 s after the submit; `breakwater explain` names the gap and the lag; then GET /metrics
 * (this process's worker) shows the metrics of everything the demo ran, with non-zero values.
 * Run it last: the metrics then cover every scenario before it.
 */
import { parsePrometheusText } from '../observability/promText';
import { startMetricsServer } from '../observability/metricsServer';
import { submitAndVerify } from '../pipelines/submitAndVerify/workflow';
import type { DemoContext, DemoRow } from './context';

async function portalConfig(url: string, patch?: Record<string, unknown>): Promise<Record<string, unknown>> {
  const res = await fetch(`${url}/_admin/config`, patch ? { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(patch) } : {});
  return ((await res.json()) as { config: Record<string, unknown> }).config;
}

export async function runObservabilityDemo(ctx: DemoContext): Promise<DemoRow[]> {
  const rows: DemoRow[] = [];
  const before = await portalConfig(ctx.simulators.portalUrl);
  await portalConfig(ctx.simulators.portalUrl, { lagMs: 3000, mode: 'normal', errorRate: 0 });
  try {
    const workflowId = `demo-explain-${Date.now()}`;
    const handle = await ctx.client.workflow.start(submitAndVerify, {
      taskQueue: ctx.taskQueue,
      workflowId,
      args: [{ recordId: `EXPLAIN-${Date.now()}`, entityId: 'E-1', businessDate: '2025-03-04', options: { verifyDelay: '1s', verifyDeadline: '20s', pollBackoff: { initial: 1000 } } }],
      staticSummary: 'observability demo: verify 1 s after submit, portal lag 3 s',
    });
    const result = await handle.result();
    const explained = await ctx.cli(['explain', workflowId]);
    ctx.log(explained.stdout.trimEnd());
    const findings = await ctx.cli(['explain', workflowId, '--json']);
    const f = (JSON.parse(findings.stdout) as { findings: { kind: string; message: string }[] }).findings;
    const gap = f.find((x) => x.kind === 'verify-gap');
    const lag = f.find((x) => x.kind === 'portal-lag');
    rows.push({ scenario: 'explain: submit/verify lag', outcome: gap && lag ? `${result.status}; gap and lag named` : 'MISSING', detail: `${gap?.message ?? '-'} | ${lag?.message ?? '-'}` });
  } finally {
    await portalConfig(ctx.simulators.portalUrl, { lagMs: before.lagMs, mode: before.mode, errorRate: before.errorRate });
  }

  const server = ctx.config.metrics.port === undefined ? await startMetricsServer({ port: 0, host: '127.0.0.1' }) : undefined;
  try {
    const url = server?.url ?? `http://127.0.0.1:${ctx.config.metrics.port}/metrics`;
    const samples = parsePrometheusText(await (await fetch(url)).text());
    const ours = samples.filter((s) => s.name.startsWith('breakwater_') && !s.name.startsWith('breakwater_process_'));
    const nonZero = new Set(ours.filter((s) => s.value > 0).map((s) => s.name.replace(/_(bucket|sum|count)$/, '')));
    const temporal = samples.filter((s) => s.name.startsWith('temporal_')).length;
    ctx.log(`curl ${url}: ${nonZero.size} Breakwater metrics with non-zero values: ${[...nonZero].sort().join(', ')}${temporal ? `; ${temporal} Temporal runtime samples` : ''}`);
    rows.push({ scenario: 'metrics: GET /metrics', outcome: `${nonZero.size} metrics non-zero`, detail: [...nonZero].sort().join(' ').slice(0, 300) });
  } finally {
    await server?.close();
  }
  return rows;
}
