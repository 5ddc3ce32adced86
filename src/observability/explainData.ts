/**
 * Gathers what `explain` reads: the run's Temporal history, its `escalation` query (when a worker answers),
 * and its rows in Postgres (src/store/runRecords.ts) — llm_calls, fingerprints it created, breaker events it
 * caused or that fell in its lifetime for the steps it used, alerts, and the audit log of people acting on it.
 */
import type { Client } from '@temporalio/client';
import type { Db } from '../store/db';
import { loadRunRecords } from '../store/runRecords';
import { explainRun, noRecords, type ExplainRecords, type Explanation } from './explain';
import { readTimeline, type Timeline } from './explainHistory';
import { escalationQuery } from '../contracts/messages';
import { decodeHistory } from '../codec/decodeHistory';
import { historyCost } from './historyCost';
import { listRunEscalations } from '../store/runEscalations';
import { groupIncidents } from './viewer/incidents';

export async function loadRecords(db: Db, workflowId: string, t: Timeline): Promise<ExplainRecords> {
  const fingerprintKeys = t.steps.flatMap((s) => (s.kind === 'activity' ? [(s.result as { fingerprint?: unknown } | undefined)?.fingerprint] : [])).filter((k): k is string => typeof k === 'string');
  return loadRunRecords(db, { workflowId, from: new Date(t.startedAt - 1000), to: new Date((t.closedAt ?? Date.now()) + 1000), fingerprintKeys });
}

export interface ExplainSources {
  client: Client;
  db?: Db;
  link?: (workflowId: string, runId?: string) => string;
  queryTimeoutMs?: number;
}

export async function explainWorkflow(s: ExplainSources, workflowId: string, runId?: string): Promise<Explanation> {
  const handle = s.client.workflow.getHandle(workflowId, runId);
  const stored = await handle.fetchHistory();
  const cost = historyCost(stored); // bytes as stored (encrypted), so before decoding
  const history = await decodeHistory(s.client, stored); // payloads are stored encrypted
  const timeline = readTimeline(history);
  // A closed run answers a query only after a worker replays it (seconds, or never without a worker);
  // Postgres's run_escalations says the same for runs recorded since, so closed runs get a short wait.
  const records = s.db ? await loadRecords(s.db, workflowId, timeline) : noRecords();
  const waited = timeline.attributes.some((a) => a.key === 'BreakwaterStatus' && a.value === 'AwaitingHuman');
  const needQuery = !timeline.close || (waited && records.escalations.length === 0);
  const queryMs = timeline.close ? Math.min(s.queryTimeoutMs ?? 1000, 1000) : (s.queryTimeoutMs ?? 5000);
  const escalation = needQuery ? await s.client.connection.withDeadline(Date.now() + queryMs, () => handle.query(escalationQuery)).catch(() => undefined) : undefined;
  // Only a run waiting now is in an incident: one more read, of the open escalations, and only then.
  const incidents = s.db && records.escalations.some((x) => !x.closedAt) ? groupIncidents(await listRunEscalations(s.db, { openOnly: true })) : [];
  return explainRun({ workflowId, runId, timeline, records, escalation, link: s.link?.(workflowId, runId), historyCost: cost, incidents });
}
