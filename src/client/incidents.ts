/**
 * Open incidents (escalations grouped by cause, src/observability/viewer/incidents.ts) and resolving one from
 * one place — the inbox or `breakwater incidents resolve`: the same decision, in one person's name, answers
 * every run in it through each run's validated `resolve` Update. The runs are read from Postgres at the
 * moment of resolving (never taken from the caller), each answer names the escalation it answers, and each
 * run's outcome is reported: a run that moved on meanwhile is refused by its workflow and changes nothing.
 *
 * One breaker is one cause: an approve or retry of the oldest run clears the breaker in the person's name,
 * which wakes every other run waiting on it (they resume by themselves; if that run was refused, the next one
 * is asked); a reject answers each run.
 */
import type { Client } from '@temporalio/client';
import type { Resolution } from '../contracts/resolution';
import { InvalidInputError, isInvalidInputError } from '../errors';
import { redactText } from '../redact';
import type { Db } from '../store/db';
import { listRunEscalations } from '../store/runEscalations';
import { groupIncidents, type Incident } from '../observability/viewer/incidents';
import { resolveEscalation, validateResolution } from './escalations';

export async function listIncidents(db: Db): Promise<Incident[]> {
  return groupIncidents(await listRunEscalations(db, { openOnly: true }));
}

export interface IncidentRunOutcome {
  workflowId: string;
  escalation: string;
  /** `resolved`: its Update was accepted; `released`: the breaker clear wakes it; `refused`: its workflow refused (why). */
  result: 'resolved' | 'released' | 'refused';
  message?: string;
}

export interface IncidentResolution {
  cause: string;
  title: string;
  decision: Resolution['decision'];
  by: string;
  runs: IncidentRunOutcome[];
}

export interface ResolveIncidentRequest {
  cause: string;
  decision: string;
  by: string;
  reason?: string;
  /** Signs each run's answer (the approver's key, or the inbox vouching for its logged-in user). */
  sign?: (workflowId: string, unsigned: Resolution) => Resolution | Promise<Resolution>;
}

export async function resolveIncident(client: Client, db: Db, req: ResolveIncidentRequest): Promise<IncidentResolution> {
  if (!/^[^\p{Cc}]{1,1200}$/u.test(req.cause)) throw new InvalidInputError('cause: expected an incident cause (from `breakwater incidents`)');
  // Validates decision, by and reason once, before any run is touched.
  validateResolution({ decision: req.decision, by: req.by, ...(req.reason ? { reason: req.reason } : {}) });
  const incident = (await listIncidents(db)).find((i) => i.cause === req.cause);
  if (!incident) throw new InvalidInputError(`no open incident '${req.cause.slice(0, 200)}' (it may be resolved already; \`breakwater incidents\` lists the open ones)`);
  const decision = req.decision as Resolution['decision'];
  const clearsOnce = incident.cause.startsWith('breaker:') && decision !== 'reject';
  const runs: IncidentRunOutcome[] = [];
  let clearedBy: string | undefined; // the run whose answer cleared the breaker
  for (const r of incident.runs) {
    if (clearedBy) {
      runs.push({ workflowId: r.workflowId, escalation: r.escalation, result: 'released', message: `woken by the breaker clear on ${clearedBy}` });
      continue;
    }
    try {
      const unsigned = validateResolution({ decision, by: req.by, escalation: r.escalation, ...(req.reason ? { reason: req.reason } : {}) });
      const resolution = req.sign ? await req.sign(r.workflowId, unsigned) : unsigned;
      await resolveEscalation(client, r.workflowId, resolution);
      runs.push({ workflowId: r.workflowId, escalation: r.escalation, result: 'resolved' });
      if (clearsOnce) clearedBy = r.workflowId;
    } catch (e) {
      if (!isInvalidInputError(e)) throw e;
      runs.push({ workflowId: r.workflowId, escalation: r.escalation, result: 'refused', message: redactText((e as Error).message) });
    }
  }
  return { cause: incident.cause, title: incident.title, decision, by: req.by, runs };
}

export function summarizeIncidentResolution(r: IncidentResolution): string {
  const count = (k: IncidentRunOutcome['result']) => r.runs.filter((x) => x.result === k).length;
  return `${r.title}: ${r.decision} by ${r.by} — ${count('resolved')} resolved, ${count('released')} released by it, ${count('refused')} refused`;
}
