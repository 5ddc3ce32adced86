/**
 * The bare baseline's activities (./bareWorkflows.ts): the same HTTP calls and the same decision insert as
 * the reference pipelines, without Breakwater's guards or recording. An LLM call is one `openai` request
 * with the same structured-output schema, parsed and validated with the same zod schema.
 */
import OpenAI from 'openai';
import type { z } from 'zod';
import { agentJsonSchema } from '../../contracts/agentSchemas';
import { actionDecision, requestTriage } from '../../pipelines/agentDecision/contract';
import { recordDecision } from '../../pipelines/agentDecision/store';
import { createPortalClient } from '../../pipelines/submitAndVerify/portalClient';
import type { Db } from '../../store/db';
import type { SourceBatch } from '../../deterministic/merge';

export interface BareChatInput {
  role: 'router' | 'decider';
  schema: 'requestTriage' | 'actionDecision';
  system: string;
  user: string;
}

export interface BareActivities {
  bareChat(input: BareChatInput): Promise<unknown>;
  bareRecordDecision(input: { requestId: string; decision: { action: string; orderId: string | null; confidence: number; evidence: string[] }; decidedBy: string }): Promise<{ id: number }>;
  barePortalPost(req: { recordId: string; entityId: string; payload: unknown }): Promise<{ confirmation: string; receivedAt: string }>;
  barePortalFind(recordId: string): Promise<{ confirmation: string }[]>;
  /** One GET of a record source (parallelIngest's read), its JSON body as it came. */
  bareFetchSource(input: { source: string; url: string }): Promise<SourceBatch>;
}

const schemas: Record<BareChatInput['schema'], z.ZodType> = { requestTriage: requestTriage.schema, actionDecision: actionDecision.schema };
const models: Record<BareChatInput['role'], { model: string; max: number }> = { router: { model: 'sim-small', max: 256 }, decider: { model: 'sim-large', max: 512 } };

export function createBareActivities(deps: { db: Db; openaiBaseUrl: string; portalUrl?: string }): BareActivities {
  const openai = new OpenAI({ apiKey: 'bench-key', baseURL: deps.openaiBaseUrl, maxRetries: 0, timeout: 60_000 });
  const portal = deps.portalUrl ? createPortalClient({ baseUrl: deps.portalUrl }) : undefined;
  const needPortal = () => {
    if (!portal) throw new Error('bare baseline: PORTAL_URL is not set');
    return portal;
  };
  return {
    async bareChat(input) {
      const route = models[input.role];
      const r = await openai.chat.completions.create({
        model: route.model,
        temperature: 0,
        max_completion_tokens: route.max,
        messages: [{ role: 'system', content: input.system }, { role: 'user', content: input.user }],
        response_format: { type: 'json_schema', json_schema: { name: input.schema, schema: agentJsonSchema(schemas[input.schema]), strict: true } },
      });
      return schemas[input.schema].parse(JSON.parse(r.choices[0]?.message.content ?? 'null'));
    },
    async bareRecordDecision(input) {
      const { id } = await recordDecision(deps.db, { workflowId: `bare-${input.requestId}`, requestId: input.requestId, decision: input.decision as never, decidedBy: input.decidedBy });
      return { id };
    },
    barePortalPost: (req) => needPortal().submit(req),
    barePortalFind: (recordId) => needPortal().find(recordId),
    async bareFetchSource({ source, url }) {
      const res = await fetch(url, { signal: AbortSignal.timeout(30_000), headers: { accept: 'application/json' } });
      if (!res.ok) throw new Error(`source '${source}' answered HTTP ${res.status}`);
      return { source, records: ((await res.json()) as { records: SourceBatch['records'] }).records };
    },
  };
}
