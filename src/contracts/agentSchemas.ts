/**
 * The registry of agent output schemas. Pure: usable in workflows and in activities.
 *
 * Why a registry of *names*: zod schemas are code, not data — they cannot cross the workflow → activity
 * boundary (Temporal serializes arguments as JSON). So a workflow passes the schema's name, the activity
 * resolves it here, asks the model for that JSON schema (`z.toJSONSchema`) and validates the answer with
 * it; the workflow re-validates the returned object with the same schema (defence in depth, and types).
 *
 * Extend it with your own: `export const invoiceFields = defineAgentSchema('invoiceFields', z.strictObject({...}))`
 * in your workflow code. The agent runner sends the schema as JSON Schema with each call, so the worker
 * needs no import of it; a worker that does import it validates with the zod schema itself (refinements
 * and transforms included). Agents pass structured data (ids,
 * codes, enums) to the next step, never prose. A decision that routes to an automatic action carries a
 * `confidence` in [0, 1] (see `withConfidence`).
 */
import { z } from 'zod';

export interface AgentSchema<T = unknown> {
  readonly name: string;
  readonly schema: z.ZodType<T>;
}

const registry = new Map<string, z.ZodType>();

/** Names a schema and registers it. Defining the same name twice with a different schema is an error. */
export function defineAgentSchema<S extends z.ZodType>(name: string, schema: S): AgentSchema<z.output<S>> {
  if (!/^[a-zA-Z0-9_-]{1,64}$/.test(name)) throw new Error(`agent schema name '${name}' must match [a-zA-Z0-9_-]{1,64} (OpenAI's rule for json_schema names)`);
  const existing = registry.get(name);
  if (existing && existing !== schema) throw new Error(`agent schema '${name}' is already defined with a different schema`);
  registry.set(name, schema);
  return { name, schema: schema as z.ZodType<z.output<S>> };
}

export const getAgentSchema = (name: string): z.ZodType | undefined => registry.get(name);

const jsonSchemas = new WeakMap<z.ZodType, Record<string, unknown>>();
/** The schema as JSON Schema (draft 7, no `$schema`): what the model is asked for and what crosses to the worker. */
export function agentJsonSchema(schema: z.ZodType): Record<string, unknown> {
  let js = jsonSchemas.get(schema);
  if (!js) {
    const { $schema: _ignored, ...rest } = z.toJSONSchema(schema, { target: 'draft-7' }) as Record<string, unknown>;
    js = rest;
    jsonSchemas.set(schema, js);
  }
  return js;
}
export const agentSchemaNames = (): string[] => [...registry.keys()].sort();

/** The field every decision that can trigger an automatic action carries. */
export const confidenceField = z.number().min(0).max(1).describe('How sure you are, from 0 (guess) to 1 (certain).');

/** Adds `confidence` and `evidence` (ids and short facts the decision rests on) to a decision's fields. */
export function withConfidence<S extends z.ZodRawShape>(shape: S) {
  return z.strictObject({
    ...shape,
    confidence: confidenceField,
    evidence: z.array(z.string().max(300)).max(10).describe('Ids and short facts from the request that support the decision.'),
  });
}
