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
import { researchReport, researchTools } from '../../pipelines/researchAgent/contract';
import { delegationPlan, subAgentAnswer } from '../../pipelines/supervisor/contract';
import { plan, stepResult, stepReview } from '../../pipelines/planExecuteReview/contract';
import { writePlanRun, type PlanRun } from '../../pipelines/planExecuteReview/store';
import { enrichmentResponseSchema, type EnrichmentPayload } from '../../pipelines/enrichCatalog/contract';
import { researchToolImplementations } from '../../pipelines/researchAgent/tools';
import type { Db } from '../../store/db';
import type { SourceBatch } from '../../deterministic/merge';

export interface BareChatInput {
  /** router/decider (agentDecision), classifier (examples/shop). */
  role: string;
  /** requestTriage/actionDecision, or one the bench passes in (`schemas`, e.g. the shop's productCategory). */
  schema: string;
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
  /** examples/shop's catalog read, bare: one GET of the enrichment API, no broker slot. */
  bareCatalogLookup(sku: string): Promise<{ brand: string; color: string; weightGrams: number; countryOfOrigin: string }>;
  /** examples/shop's publish, bare: one POST to the shop, no fingerprint, lease or breaker. */
  bareShopPost(listing: { sku: string; title: string; category: string; brand: string; weightGrams: number }): Promise<{ listingId: string }>;
  /** examples/shop's read-back: the shop's listings of a SKU. */
  bareShopFind(sku: string): Promise<{ listingId: string }[]>;
  /** planExecuteReview's write, bare: the same store function (values with provenance, the run's row). */
  bareWritePlanRun(run: PlanRun): Promise<{ values: number }>;
  /** enrichCatalog's call, bare: one GET of the enrichment API, validated with the same schema, no broker slot. */
  bareEnrichSku(sku: string): Promise<EnrichmentPayload>;
  /** researchAgent's turn, bare: one chat completion offering the four tools; the tool calls asked for, or the report. */
  bareAgentTurn(input: { messages: unknown[] }): Promise<{ toolCalls: BareToolCall[] } | { final: unknown }>;
  /** One researchAgent tool call, bare: the same implementation (search, fetch, the note's insert), no ledger, no broker. */
  bareTool(input: { name: string; arguments: string; key: string; run: string }): Promise<unknown>;
}

export interface BareToolCall {
  id: string;
  name: string;
  arguments: string;
}

const baseSchemas: Record<string, z.ZodType> = { requestTriage: requestTriage.schema, actionDecision: actionDecision.schema, delegationPlan: delegationPlan.schema, subAgentAnswer: subAgentAnswer.schema, plan: plan.schema, stepResult: stepResult.schema, stepReview: stepReview.schema };
/** The same models the Breakwater side's roles name (testModels; the shop's config/models.json). */
const models: Record<string, { model: string; max: number }> = { router: { model: 'sim-small', max: 256 }, decider: { model: 'sim-large', max: 512 }, classifier: { model: 'gpt-4o-mini', max: 256 }, supervisor: { model: 'sim-large', max: 512 }, planner: { model: 'sim-small', max: 1024 }, executor: { model: 'sim-small', max: 1024 }, reviewer: { model: 'sim-small', max: 1024 } };

export function createBareActivities(deps: { db: Db; openaiBaseUrl: string; portalUrl?: string; /** The enrichment API (examples/shop's catalog and enrichCatalog's API are the same simulator). */ catalogUrl?: string; shopUrl?: string; schemas?: Record<string, z.ZodType> }): BareActivities {
  const schemas = { ...baseSchemas, ...deps.schemas };
  const need = (url: string | undefined, what: string) => {
    if (!url) throw new Error(`bare baseline: no ${what} URL`);
    return url;
  };
  const tools = researchToolImplementations(deps.db);
  const offered = researchTools.map((t) => ({ type: 'function' as const, function: { name: t.name, description: t.description, parameters: agentJsonSchema(t.input) } }));
  const getJson = async (url: string, init?: RequestInit): Promise<unknown> => {
    const res = await fetch(url, { signal: AbortSignal.timeout(10_000), ...init });
    if (!res.ok) throw new Error(`${url} answered HTTP ${res.status}`);
    return res.json();
  };
  const openai = new OpenAI({ apiKey: 'bench-key', baseURL: deps.openaiBaseUrl, maxRetries: 0, timeout: 60_000 });
  const portal = deps.portalUrl ? createPortalClient({ baseUrl: deps.portalUrl }) : undefined;
  const needPortal = () => {
    if (!portal) throw new Error('bare baseline: PORTAL_URL is not set');
    return portal;
  };
  return {
    async bareChat(input) {
      const route = models[input.role]!;
      const schema = schemas[input.schema];
      if (!schema) throw new Error(`bare baseline: no schema '${input.schema}'`);
      const r = await openai.chat.completions.create({
        model: route.model,
        temperature: 0,
        max_completion_tokens: route.max,
        messages: [{ role: 'system', content: input.system }, { role: 'user', content: input.user }],
        response_format: { type: 'json_schema', json_schema: { name: input.schema, schema: agentJsonSchema(schema), strict: true } },
      });
      return schema.parse(JSON.parse(r.choices[0]?.message.content ?? 'null'));
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
    async bareCatalogLookup(sku) {
      const body = (await getJson(`${need(deps.catalogUrl, 'catalog')}/enrich?sku=${encodeURIComponent(sku)}`)) as { attributes: { brand: string; color: string; weightGrams: number; countryOfOrigin: string } };
      const { brand, color, weightGrams, countryOfOrigin } = body.attributes;
      return { brand, color, weightGrams, countryOfOrigin };
    },
    async bareShopPost(listing) {
      const { listingId } = (await getJson(`${need(deps.shopUrl, 'shop')}/products`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(listing) })) as { listingId: string };
      return { listingId };
    },
    async bareAgentTurn({ messages }) {
      const r = await openai.chat.completions.create({
        model: 'sim-large',
        temperature: 0,
        max_completion_tokens: 512,
        messages: messages as OpenAI.Chat.Completions.ChatCompletionMessageParam[],
        tools: offered,
        response_format: { type: 'json_schema', json_schema: { name: researchReport.name, schema: agentJsonSchema(researchReport.schema), strict: true } },
      });
      const m = r.choices[0]?.message;
      const calls = (m?.tool_calls ?? []).flatMap((c) => (c.type === 'function' ? [{ id: c.id, name: c.function.name, arguments: c.function.arguments }] : []));
      if (calls.length > 0) return { toolCalls: calls };
      return { final: researchReport.schema.parse(JSON.parse(m?.content ?? 'null')) };
    },
    async bareTool(input) {
      const tool = tools.find((t) => t.spec.name === input.name);
      if (!tool) throw new Error(`bare baseline: no tool '${input.name}'`);
      const args = tool.spec.input.parse(JSON.parse(input.arguments));
      return tool.spec.output.parse(await tool.run(args, { idempotencyKey: input.key, run: input.run, attempt: 1, signal: AbortSignal.timeout(60_000) }));
    },
    bareWritePlanRun: (run) => writePlanRun(deps.db, { ...run, workflowId: `bare-${run.workflowId}` }),
    async bareEnrichSku(sku) {
      const payload = enrichmentResponseSchema.parse(await getJson(`${need(deps.catalogUrl, 'enrichment')}/enrich?sku=${encodeURIComponent(sku)}`));
      if (payload.sku !== sku) throw new Error(`bare baseline: enrichment answered for ${payload.sku}`);
      return payload;
    },
    async bareShopFind(sku) {
      return ((await getJson(`${need(deps.shopUrl, 'shop')}/products?sku=${encodeURIComponent(sku)}`)) as { listings: { listingId: string }[] }).listings;
    },
  };
}
