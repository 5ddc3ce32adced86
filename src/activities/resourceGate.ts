/**
 * The resource gate: a deterministic (non-LLM) check that every resource a plan's manifest names exists and
 * is readable, before any step runs. It reports what is missing and why; it never guesses.
 *
 * - http: a HEAD (or GET, when HEAD is not allowed) answered 2xx within the timeout;
 * - table: `to_regclass` finds it on the search path (the run's schema) and the role may SELECT from it;
 * - taxonomy: a row with at least one term in the `taxonomies` table (its terms are returned, so the
 *   review can check inferred values against them); both asked through src/store/resourceLookups.ts;
 * - file: an absolute path to a regular file this process can read.
 * A database that cannot be reached is an error (retried by Temporal), not a "missing" resource.
 */
import { constants } from 'node:fs';
import { access, stat } from 'node:fs/promises';
import path from 'node:path';
import { z } from 'zod';
import { resourceSchema, type MissingResource, type Resource, type ResourceGateResult } from '../contracts/resources';
import { Failure, raise } from '../failures';
import type { Db } from '../store/db';
import { tableAccess, taxonomyTerms } from '../store/resourceLookups';

/** What a resolver answers for one resource: found (a taxonomy's terms, when it is one), or missing and why. */
export type ResourceCheck = { ok: true; terms?: string[] } | { ok: false; why: string };
/** Finds one resource of a kind. It must not throw for "missing"; a throw is an infrastructure error (retried). */
export type ResourceResolver = (resource: Resource) => Promise<ResourceCheck>;

export interface ResourceGateDeps {
  db: Db;
  /** Per HTTP check. Default 5 s. */
  httpTimeoutMs?: number;
  /** Your own kinds, or replacements for the built-in ones (`http`, `table`, `taxonomy`, `file`). */
  resolvers?: Record<string, ResourceResolver>;
}

const inputSchema = z.strictObject({ resources: z.array(resourceSchema).max(200) });
const tableName = /^[A-Za-z_][A-Za-z0-9_$]{0,62}(\.[A-Za-z_][A-Za-z0-9_$]{0,62})?$/;
const MAX_TERMS = 5000;

type Check = ResourceCheck;

async function checkHttp(locator: string, timeoutMs: number): Promise<Check> {
  let url: URL;
  try {
    url = new URL(locator);
  } catch {
    return { ok: false, why: 'not a URL' };
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return { ok: false, why: `protocol ${url.protocol} is not http(s)` };
  try {
    let res = await fetch(url, { method: 'HEAD', signal: AbortSignal.timeout(timeoutMs), redirect: 'follow' });
    if (res.status === 405 || res.status === 501) {
      res = await fetch(url, { method: 'GET', signal: AbortSignal.timeout(timeoutMs), redirect: 'follow' });
      await res.body?.cancel();
    }
    return res.ok ? { ok: true } : { ok: false, why: `HTTP ${res.status}` };
  } catch (e) {
    const cause = (e as { cause?: { code?: string } }).cause?.code;
    return { ok: false, why: `unreachable: ${cause ?? (e as Error).name ?? 'error'}` };
  }
}

async function checkTable(db: Db, locator: string): Promise<Check> {
  if (!tableName.test(locator)) return { ok: false, why: 'not a table name ([schema.]table)' };
  const table = await tableAccess(db, locator);
  if (!table.exists) return { ok: false, why: 'no such table on the search path' };
  if (!table.readable) return { ok: false, why: 'table exists but SELECT is not granted' };
  return { ok: true };
}

async function checkTaxonomy(db: Db, locator: string): Promise<Check> {
  const terms = await taxonomyTerms(db, locator);
  if (!terms) return { ok: false, why: 'no taxonomy with this name in the taxonomies table' };
  if (terms.length === 0) return { ok: false, why: 'the taxonomy has no terms' };
  if (terms.length > MAX_TERMS) return { ok: false, why: `the taxonomy has ${terms.length} terms; the gate supports at most ${MAX_TERMS}` };
  return { ok: true, terms };
}

async function checkFile(locator: string): Promise<Check> {
  if (!path.isAbsolute(locator)) return { ok: false, why: 'not an absolute path' };
  try {
    const s = await stat(locator);
    if (!s.isFile()) return { ok: false, why: 'not a regular file' };
    await access(locator, constants.R_OK);
    return { ok: true };
  } catch (e) {
    return { ok: false, why: (e as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : `not readable: ${(e as NodeJS.ErrnoException).code ?? 'error'}` };
  }
}

export function createResourceGateActivities(deps: ResourceGateDeps) {
  const timeoutMs = deps.httpTimeoutMs ?? 5000;
  const check = (r: Resource): Promise<Check> => {
    const resolver = deps.resolvers?.[r.kind];
    if (resolver) return resolver(r);
    switch (r.kind) {
      case 'http':
        return checkHttp(r.locator, timeoutMs);
      case 'table':
        return checkTable(deps.db, r.locator);
      case 'taxonomy':
        return checkTaxonomy(deps.db, r.locator);
      case 'file':
        return checkFile(r.locator);
      default:
        return Promise.resolve({ ok: false, why: `no resolver for resource kind '${r.kind}'` });
    }
  };
  return {
    async checkResources(raw: { resources: Resource[] }): Promise<ResourceGateResult> {
      const parsed = inputSchema.safeParse(raw);
      if (!parsed.success) throw raise(Failure.InvalidInput, `checkResources: ${z.prettifyError(parsed.error)}`);
      const results = await Promise.all(parsed.data.resources.map(async (r) => ({ r, c: await check(r) })));
      const missing: MissingResource[] = [];
      const taxonomies: Record<string, string[]> = {};
      for (const { r, c } of results) {
        if (!c.ok) missing.push({ id: r.id, kind: r.kind, locator: r.locator, why: c.why });
        else if (c.terms) taxonomies[r.id] = c.terms;
      }
      return { checked: results.length, missing, taxonomies };
    },
  };
}
