/**
 * The run viewer's routes, served by the inbox server (loopback, same-site checks there): `/runs` (filters
 * as query parameters, validated like the CLI's), `/runs/<workflowId>[?run=<runId>]`, `/incidents`, `/cost`,
 * and the run page's progress script (the progress stream itself is progressStream.ts: it streams).
 * Read-only: no route here changes anything.
 */
import type { Client } from '@temporalio/client';
import { z } from 'zod';
import { listRuns, parseRunFilters } from '../../client/runs';
import { withinMs } from '../../client/escalations';
import { agentProgressQuery } from '../../contracts/agentProgress';
import { isInvalidInputError } from '../../errors';
import type { Db } from '../../store/db';
import { listRunEscalations } from '../../store/runEscalations';
import { costFigures, llmCallDetails } from '../../store/viewerReads';
import { explainWorkflow } from '../explainData';
import { renderCostPage } from './costPage';
import { esc, page } from './html';
import { groupIncidents } from './incidents';
import { PROGRESS_SCRIPT, PROGRESS_SCRIPT_PATH } from './progressPanel';
import { renderRunPage } from './runPage';
import { renderIncidentsPage, renderRunsPage } from './runsPage';

export interface ViewerOptions {
  client: Client;
  db?: Db;
  link: (workflowId: string, runId?: string) => string;
  /** The configured daily cap (DAILY_SPEND_CAP_USD) for the cost page's headroom. */
  dailyCapUsd?: number;
}

export interface ViewerResponse {
  status: number;
  body: string;
  /** Default: HTML. */
  type?: string;
}

const idSchema = z.string().min(1).max(1000).regex(/^[^\p{Cc}]+$/u, 'no control characters');
const runPageQuery = z.strictObject({ run: idSchema.optional() });
const costQuery = z.strictObject({ days: z.coerce.number().int().min(1).max(90).default(7) });

const bad = (message: string): ViewerResponse => ({ status: 400, body: page('Bad request', `<h1>Bad request</h1><p class="problem">${esc(message)}</p>`) });

export async function handleViewer(o: ViewerOptions, url: URL): Promise<ViewerResponse | undefined> {
  const query = Object.fromEntries(url.searchParams);
  if (url.pathname === '/runs' || url.pathname === '/runs/') {
    let filters;
    try {
      filters = parseRunFilters(query);
    } catch (e) {
      if (isInvalidInputError(e)) return bad((e as Error).message);
      throw e;
    }
    return { status: 200, body: renderRunsPage(await listRuns(o.client, o.db, filters), filters, query) };
  }
  const run = /^\/runs\/(.+)$/.exec(url.pathname);
  if (run) {
    const id = idSchema.safeParse(decodeURIComponent(run[1]!));
    const q = runPageQuery.safeParse(query);
    if (!id.success || !q.success) return bad('invalid workflow id or run id');
    const e = await explainWorkflow({ client: o.client, db: o.db, link: o.link }, id.data, q.data.run);
    const calls = o.db ? await llmCallDetails(o.db, id.data) : [];
    // An open run with an agent gets the live progress panel: one query here, the stream keeps it current.
    const open = e.durationMs === undefined && !q.data.run;
    const progress = open ? await withinMs(o.client, 3000, () => o.client.workflow.getHandle(id.data).query(agentProgressQuery)).catch(() => null) : null;
    return { status: 200, body: renderRunPage(e, calls, progress ?? undefined) };
  }
  if (url.pathname === PROGRESS_SCRIPT_PATH) return { status: 200, body: PROGRESS_SCRIPT, type: 'text/javascript; charset=utf-8' };
  if (url.pathname === '/incidents') {
    if (!o.db) return { status: 200, body: page('Incidents', '<p>Incidents need the database (DATABASE_URL).</p>') };
    return { status: 200, body: renderIncidentsPage(groupIncidents(await listRunEscalations(o.db, { openOnly: true }))) };
  }
  if (url.pathname === '/cost') {
    const q = costQuery.safeParse(query);
    if (!q.success) return bad('days must be a whole number from 1 to 90');
    if (!o.db) return { status: 200, body: page('Cost', '<p>The cost page needs the database (DATABASE_URL).</p>') };
    const paused = await listRuns(o.client, o.db, parseRunFilters({ escalation: 'budget-exhausted', since: `${q.data.days}d` }));
    return { status: 200, body: renderCostPage(await costFigures(o.db, q.data.days), o.dailyCapUsd ?? 50, paused) };
  }
  return undefined;
}
