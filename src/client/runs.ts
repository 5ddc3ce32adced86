/**
 * Runs, listed and filtered — for `breakwater runs` and the run viewer's runs page. Temporal's visibility
 * store says which runs exist (pipeline, status, cost and budget state are Breakwater's search
 * attributes); Postgres adds what each run escalated for, how each escalation ended, and what people did.
 * Both are one round trip each, so the list answers in well under a second.
 */
import type { Client } from '@temporalio/client';
import { z } from 'zod';
import { InvalidInputError } from '../errors';
import { auditOf } from '../store/auditLog';
import type { Queryable } from '../store/db';
import { listRunEscalations, type RunEscalation } from '../store/runEscalations';

const STATUSES = ['Running', 'AwaitingHuman', 'Completed', 'Failed', 'Rejected', 'Terminated', 'Canceled', 'TimedOut'] as const;

/** "90m", "2h", "1d", "30s" or an ISO time: how far back to list. */
const sinceSchema = z
  .string()
  .trim()
  .max(40)
  .transform((v, ctx) => {
    const rel = /^(\d{1,6})\s*(s|m|h|d)$/.exec(v);
    if (rel) return new Date(Date.now() - Number(rel[1]) * { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 }[rel[2] as 's' | 'm' | 'h' | 'd']);
    const t = Date.parse(v);
    if (/^\d{4}-\d{2}-\d{2}/.test(v) && Number.isFinite(t)) return new Date(t);
    ctx.addIssue({ code: 'custom', message: 'expected a duration like 30m, 2h, 1d or an ISO time' });
    return z.NEVER;
  });

/** The filters of `breakwater runs` and of the viewer's runs page (query parameters are validated alike). */
export const runFiltersSchema = z.strictObject({
  pipeline: z.string().trim().regex(/^[\w.-]{1,200}$/, 'letters, digits, . _ - only').optional(),
  status: z.enum(STATUSES).optional(),
  escalation: z.string().trim().regex(/^[\w.-]{1,100}$/, 'an escalation kind, e.g. breaker-open').optional(),
  since: sinceSchema.optional(),
  minCostUsd: z.coerce.number().min(0).max(1e6).optional(),
  limit: z.coerce.number().int().min(1).max(1000).default(50),
});
export type RunFilters = z.output<typeof runFiltersSchema>;

/** Validates raw filters (CLI options, query parameters): a bad value is a usage error naming it. */
export function parseRunFilters(raw: Record<string, unknown>): RunFilters {
  const clean = Object.fromEntries(Object.entries(raw).filter(([, v]) => v !== undefined && v !== ''));
  const parsed = runFiltersSchema.safeParse(clean);
  if (!parsed.success) {
    const issues = parsed.error.issues.map((i) => `--${String(i.path[0] ?? 'filter').replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}: ${i.message}`);
    throw new InvalidInputError(`invalid run filter: ${issues.join('; ')}`, issues);
  }
  return parsed.data;
}

export interface RunSummary {
  workflowId: string;
  runId: string;
  workflowType: string;
  pipeline: string;
  /** BreakwaterStatus when the run set one, else Temporal's execution status. */
  status: string;
  startedAt: string;
  closedAt?: string;
  durationMs?: number;
  costUsd?: number;
  budgetState?: string;
  escalations: { id: string; kind: string; reason: string; openedAt: string; ended: string; decision?: string; by?: string }[];
  /** What people did to the run, one line each, in full. */
  actions: string[];
}

const TEMPORAL_STATUS: Record<string, string> = { Terminated: 'Terminated', Canceled: 'Canceled', TimedOut: 'TimedOut' };

/** The visibility query for the filters (values are validated above, so quoting them is safe). */
export function visibilityQuery(f: RunFilters): string {
  const parts: string[] = [];
  if (f.pipeline) parts.push(`BreakwaterPipeline = "${f.pipeline}"`);
  if (f.status) parts.push(TEMPORAL_STATUS[f.status] ? `ExecutionStatus = "${f.status}"` : `BreakwaterStatus = "${f.status}"`);
  if (f.since) parts.push(`StartTime > "${f.since.toISOString()}"`);
  if (f.minCostUsd !== undefined) parts.push(`BreakwaterCostUsd >= ${f.minCostUsd}`);
  return parts.join(' AND ');
}

const endingOf = (e: RunEscalation): string =>
  !e.closedAt
    ? 'open'
    : e.ended === 'resolved'
      ? `resolved '${e.decision}' by ${e.decidedBy}`
      : e.ended === 'timeout'
        ? 'timed out'
        : e.kind === 'breaker-open'
          ? 'breaker cleared'
          : /budget|cap/.test(e.kind)
            ? 'budget raised'
            : 'condition met';

export async function listRuns(client: Client, db: Queryable | undefined, f: RunFilters): Promise<RunSummary[]> {
  const escalated = f.escalation && db ? await listRunEscalations(db, { since: f.since }) : undefined;
  const wanted = escalated ? new Set(escalated.filter((e) => e.kind === f.escalation).map((e) => e.workflowId)) : undefined;
  const runs: RunSummary[] = [];
  const query = visibilityQuery(f);
  for await (const wf of client.workflow.list(query ? { query } : {})) {
    if (wanted && !wanted.has(wf.workflowId)) continue;
    const attr = (k: string) => (wf.searchAttributes as Record<string, unknown[] | undefined>)[k]?.[0];
    const cost = attr('BreakwaterCostUsd');
    const closed = wf.closeTime?.toISOString();
    runs.push({
      workflowId: wf.workflowId,
      runId: wf.runId,
      workflowType: wf.type,
      pipeline: String(attr('BreakwaterPipeline') ?? wf.type),
      status: wf.status.name === 'RUNNING' || wf.status.name === 'COMPLETED' || wf.status.name === 'FAILED' ? String(attr('BreakwaterStatus') ?? wf.status.name) : wf.status.name,
      startedAt: wf.startTime.toISOString(),
      ...(closed ? { closedAt: closed, durationMs: wf.closeTime!.getTime() - wf.startTime.getTime() } : {}),
      ...(typeof cost === 'number' ? { costUsd: cost } : {}),
      ...(attr('BreakwaterBudgetState') ? { budgetState: String(attr('BreakwaterBudgetState')) } : {}),
      escalations: [],
      actions: [],
    });
    if (runs.length >= f.limit) break;
  }
  if (db && runs.length) {
    const ids = runs.map((r) => r.workflowId);
    const [escs, audit] = await Promise.all([listRunEscalations(db, { workflowIds: ids }), auditOf(db, ids)]);
    for (const r of runs) {
      r.escalations = escs
        .filter((e) => e.runId === r.runId)
        .map((e) => ({ id: e.escalation, kind: e.kind, reason: e.reason, openedAt: e.openedAt, ended: endingOf(e), ...(e.decision ? { decision: e.decision } : {}), ...(e.decidedBy ? { by: e.decidedBy } : {}) }));
      r.actions = audit
        .filter((a) => a.target === r.workflowId && Date.parse(a.at) >= Date.parse(r.startedAt) - 1000)
        .map((a) => {
          const d = a.detail as Record<string, unknown>;
          const what = a.action === 'budget:raise' ? ` to ${String(d.toUsd)} USD` : d.escalation ? ` (${String(d.escalation)})` : '';
          return `${a.at} ${a.actor} ${a.action}${what}${a.accepted ? '' : ' REFUSED'}`;
        });
    }
  }
  return runs;
}
