/**
 * researchAgent's tool implementations (worker side) and the search API's broker worker. The search index
 * and the pages are deterministic stand-ins for the web (the rate limit is real: the broker's bucket).
 */
import { createApiBroker } from '../../activities/broker/apiBroker';
import { createToolActivities, implementTool, type ToolImplementation } from '../../activities/tools';
import type { ApiLimit } from '../../store/brokerBucket';
import type { Db } from '../../store/db';
import type { ApiWorkerSpec } from '../../workers/apiWorkers';
import { fetchTool, publishTool, saveNoteTool, searchTool, SEARCH_API } from './contract';
import { publishPage, saveNote } from './store';

const slug = (s: string) => s.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '').slice(0, 60) || 'x';

/** Every researchAgent tool (the search's code runs on the search API's queue; it is listed here too so its name is known). */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- tools of any argument type
export function researchToolImplementations(db: Db): ToolImplementation<any, any>[] {
  return [
    implementTool(searchTool, async ({ query }) => ({ results: [1, 2, 3].map((i) => ({ url: `https://docs.example/${slug(query)}/${i}`, title: `${query} — part ${i}` })) })),
    implementTool(fetchTool, async ({ url }) => ({ url, text: `Text of ${url}: findings about ${url.split('/').at(-2) ?? 'the topic'}.` })),
    implementTool(saveNoteTool, async (n, ctx) => ({ noteId: await saveNote(db, { key: ctx.idempotencyKey, workflowId: ctx.run, ...n }) })),
    implementTool(publishTool, async (p, ctx) => ({ url: await publishPage(db, { key: ctx.idempotencyKey, workflowId: ctx.run, ...p }) })),
  ];
}

export const defaultSearchLimit: ApiLimit = { limit: 20, windowMs: 1000, marginMs: 50 };

/** The search API's broker worker: `runTool` for tools bound to `api: 'search'`, admitted by the shared bucket. */
export function searchApi(o: { db: Db; limit?: Partial<ApiLimit> }): ApiWorkerSpec {
  const broker = createApiBroker({ db: o.db, api: SEARCH_API, limit: { ...defaultSearchLimit, ...o.limit } });
  const tools = createToolActivities({ db: o.db, tools: researchToolImplementations(o.db) });
  return { api: SEARCH_API, activities: { runTool: broker.activity((_call, input: unknown) => tools.runTool(input)) } };
}
