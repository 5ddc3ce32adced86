/**
 * Demo part: the submit-and-verify pipeline against the portal simulator. A clean submit verified after
 * the portal's lag (5 s here instead of the real 60 s, so the demo runs fast); the same record started
 * twice → one submission; a failing portal → the breaker opens after 2 attempts, the alert, a person
 * clears it through the CLI, the pipeline completes.
 */
import type { WorkflowHandle } from '@temporalio/client';
import { createAlertStore } from '../../store/alerts';
import { createCircuitBreakerStore } from '../../store/circuitBreakers';
import { createPortalClient } from './portalClient';
import type { EscalationState } from '../../contracts/resolution';
import { PORTAL_SUBMIT_STEP, SUBMIT_AND_VERIFY, type SubmitAndVerifyInput, type SubmitAndVerifyProgress, type SubmitAndVerifyResult } from './contract';
import type { submitAndVerify } from './workflow';
import { startSubmitAndVerify } from './client';
import type { DemoContext, DemoRow } from '../../demo/context';

const DEMO_LAG_MS = 5_000;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function until<T>(what: string, probe: () => Promise<T | undefined | false>, timeoutMs = 60_000): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = await probe().catch(() => undefined);
    if (v) return v;
    if (Date.now() > end) throw new Error(`demo: timed out waiting for ${what}`);
    await sleep(250);
  }
}

async function postsFor(portalUrl: string, recordId: string): Promise<number> {
  const { entries } = (await (await fetch(`${portalUrl}/_admin/log`)).json()) as { entries: { method: string; recordId?: string }[] };
  return entries.filter((e) => e.method === 'POST' && e.recordId === recordId).length;
}

const configurePortal = (portalUrl: string, patch: Record<string, unknown>) =>
  fetch(`${portalUrl}/_admin/config`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(patch) });

const secs = (ms: number) => `${(ms / 1000).toFixed(1)} s`;

export async function runSubmitAndVerifyDemo(ctx: DemoContext): Promise<DemoRow[]> {
  const portalUrl = ctx.simulators.portalUrl;
  const tag = Date.now().toString(36).toUpperCase();
  const options = { verifyDelay: DEMO_LAG_MS, verifyDeadline: '2 min', pollBackoff: { initial: 1000 } };
  const input = (n: number): SubmitAndVerifyInput => ({ recordId: `DEMO-${tag}-${n}`, entityId: 'ACME', businessDate: new Date().toISOString().slice(0, 10), payload: { form: `APP-${n}` }, options });
  const start = (i: SubmitAndVerifyInput, workflowId?: string) => startSubmitAndVerify(ctx.client, i, { taskQueue: ctx.taskQueue, workflowId });
  const rows: DemoRow[] = [];

  await configurePortal(portalUrl, { lagMs: DEMO_LAG_MS, mode: 'normal' });
  const breakers = createCircuitBreakerStore(ctx.db);
  if ((await breakers.get(SUBMIT_AND_VERIFY, PORTAL_SUBMIT_STEP)).state === 'open') {
    await breakers.clear({ pipeline: SUBMIT_AND_VERIFY, step: PORTAL_SUBMIT_STEP, by: 'demo-setup', reason: 'left open by an earlier demo run' });
  }
  ctx.log(`The portal simulator makes a submission visible ${secs(DEMO_LAG_MS)} after it is accepted (the real portal: ~60 s); the verify delay is set to match.`);

  // 1. A clean submit, verified after the lag.
  const clean = input(1);
  const h1 = await start(clean);
  const accepted = await until('the portal to accept', async () => (await h1.query<SubmitAndVerifyProgress>('progress')).submission);
  await sleep(1000);
  const early = await createPortalClient({ baseUrl: portalUrl }).find(clean.recordId);
  ctx.log(`clean: accepted as ${accepted.confirmation}; a look 1 s later finds ${early.length} record(s) — the incident's "NOT_SUBMITTED" — so the run waits on a durable timer`);
  const r1 = await h1.result();
  const seen = r1.status === 'VERIFIED' ? Date.parse(r1.verifiedAt) - Date.parse(r1.submittedAt) : 0;
  ctx.log(`clean: ${r1.status}${r1.status === 'VERIFIED' ? `, seen on the portal ${secs(seen)} after submission` : ''}`);
  rows.push({ scenario: 'submit: clean, lag 5 s', outcome: r1.status, detail: `early look saw ${early.length}; verified ${secs(seen)} after submit` });

  // 2. The same record started twice (two workflow ids): the fingerprint lets one POST through.
  const twice = input(2);
  const [a, b] = await Promise.all([start(twice, `demo-${twice.recordId}-a`), start(twice, `demo-${twice.recordId}-b`)]);
  const [ra, rb] = await Promise.all([a.result(), b.result()]);
  const posts = await postsFor(portalUrl, twice.recordId);
  const same = ra.status === 'VERIFIED' && rb.status === 'VERIFIED' && ra.confirmation === rb.confirmation;
  ctx.log(`twice: ${a.workflowId} → ${ra.status} (${ra.status === 'VERIFIED' ? ra.via : '-'}), ${b.workflowId} → ${rb.status} (${rb.status === 'VERIFIED' ? rb.via : '-'}); POSTs at the portal: ${posts}`);
  rows.push({ scenario: 'submit: same record twice', outcome: same && posts === 1 ? 'one submission' : 'DUPLICATE', detail: `${posts} POST, both runs VERIFIED with one confirmation: ${same}` });

  // 3. A failing portal: the breaker opens after 2 attempts; a person clears it through the CLI.
  await configurePortal(portalUrl, { mode: 'failing' });
  const failing = input(3);
  const h3: WorkflowHandle<typeof submitAndVerify> = await start(failing);
  const escalation = await until('the breaker to open', async () => (await h3.query<EscalationState>('escalation')).open);
  const attempts = await postsFor(portalUrl, failing.recordId);
  const alert = await createAlertStore(ctx.db).latestOf(h3.workflowId);
  ctx.log(`failing: ${escalation.kind} after ${attempts} POST attempts; the run waits (BreakwaterStatus=AwaitingHuman)`);
  if (alert) {
    ctx.log(`alert: ${alert.title}`);
    ctx.log(`  first failure  ${alert.body.firstFailure?.at}: ${alert.body.firstFailure?.error}`);
    ctx.log(`  latest failure ${alert.body.latestFailure?.at}: ${alert.body.latestFailure?.error}`);
    ctx.log(`  ${alert.body.link}`);
  }
  const listed = await ctx.cli(['escalations']);
  ctx.log(`$ breakwater escalations\n${listed.stdout.trimEnd().replace(/^/gm, '    ')}`);
  await configurePortal(portalUrl, { mode: 'normal' });
  const cleared = await ctx.cli(['breaker', 'clear', SUBMIT_AND_VERIFY, PORTAL_SUBMIT_STEP, '--by', 'demo-operator', '--reason', 'portal recovered']);
  ctx.log(`$ breakwater breaker clear ${SUBMIT_AND_VERIFY} ${PORTAL_SUBMIT_STEP} --by demo-operator\n    ${cleared.stdout.trim() || cleared.stderr.trim()}`);
  const clearedAt = Date.now();
  const r3: SubmitAndVerifyResult = await h3.result();
  ctx.log(`failing: after the clearing → ${r3.status} (${secs(Date.now() - clearedAt)} incl. the ${secs(DEMO_LAG_MS)} verify delay)`);
  rows.push({
    scenario: 'submit: failing portal',
    outcome: r3.status,
    detail: `breaker opened after ${attempts} attempts, ${alert ? 'alert with first+latest failure' : 'NO ALERT'}, cleared via CLI (exit ${cleared.code})`,
  });
  return rows;
}
