/**
 * The resource gate: a deterministic (non-LLM) check that every resource a plan's manifest names exists and
 * is readable, before any step runs. It reports what is missing and why; it never guesses.
 *
 * Only what the allowlist names is looked at (src/activities/resourceAllowlist.ts): a URL or path outside it
 * is "missing" without a request being sent or the file system being touched.
 *
 * - http: a HEAD (or GET, when HEAD is not allowed) answered 2xx within the timeout; a redirect is followed
 *   only to an allowed URL;
 * - table: `to_regclass` finds it on the search path (the run's schema) and the role may SELECT from it;
 * - taxonomy: a row with at least one term in the `taxonomies` table (its terms are returned, so the
 *   review can check inferred values against them); both asked through src/store/resourceLookups.ts;
 * - file: an absolute path inside an allowed root (symlinks resolved) to a regular file this process can read.
 * A database that cannot be reached is an error (retried by Temporal), not a "missing" resource.
 */
import { constants } from 'node:fs';
import { access, realpath, stat } from 'node:fs/promises';
import { z } from 'zod';
import { resourceSchema, type MissingResource, type Resource, type ResourceGateResult } from '../contracts/resources';
import { Failure, raise } from '../failures';
import type { Db } from '../store/db';
import { tableAccess, taxonomyTerms } from '../store/resourceLookups';
import { emptyAllowlist, fileRefusal, insideRoots, urlRefusal, type ResourceAllowlist } from './resourceAllowlist';

/** What a resolver answers for one resource: found (a taxonomy's terms, when it is one), or missing and why. */
export type ResourceCheck = { ok: true; terms?: string[] } | { ok: false; why: string };
/** Finds one resource of a kind. It must not throw for "missing"; a throw is an infrastructure error (retried). */
export type ResourceResolver = (resource: Resource) => Promise<ResourceCheck>;

export interface ResourceGateDeps {
  db: Db;
  /** What http and file resources may be checked (config: BREAKWATER_RESOURCE_URLS, BREAKWATER_RESOURCE_FILE_ROOTS). Default: nothing. */
  allow?: ResourceAllowlist;
  /** Per HTTP check. Default 5 s. */
  httpTimeoutMs?: number;
  /** Your own kinds, or replacements for the built-in ones (`http`, `table`, `taxonomy`, `file`). */
  resolvers?: Record<string, ResourceResolver>;
}

const inputSchema = z.strictObject({ resources: z.array(resourceSchema).max(200) });
const tableName = /^[A-Za-z_][A-Za-z0-9_$]{0,62}(\.[A-Za-z_][A-Za-z0-9_$]{0,62})?$/;
const MAX_TERMS = 5000;

type Check = ResourceCheck;

const MAX_REDIRECTS = 3;

async function checkHttp(allow: ResourceAllowlist, locator: string, timeoutMs: number): Promise<Check> {
  let target = locator;
  for (let hop = 0; hop <= MAX_REDIRECTS; hop++) {
    const refused = urlRefusal(allow, target);
    if (refused) return { ok: false, why: hop === 0 ? refused : `redirected to ${target}: ${refused}` };
    const res = await request(target, timeoutMs);
    if ('why' in res) return { ok: false, why: res.why };
    if (res.status >= 300 && res.status < 400 && res.location) {
      target = new URL(res.location, target).toString();
      continue;
    }
    return res.status >= 200 && res.status < 300 ? { ok: true } : { ok: false, why: `HTTP ${res.status}` };
  }
  return { ok: false, why: `more than ${MAX_REDIRECTS} redirects` };
}

/** HEAD (GET when HEAD is refused), never following a redirect by itself: each hop is checked against the allowlist. */
async function request(url: string, timeoutMs: number): Promise<{ status: number; location: string | null } | { why: string }> {
  try {
    let res = await fetch(url, { method: 'HEAD', signal: AbortSignal.timeout(timeoutMs), redirect: 'manual' });
    if (res.status === 405 || res.status === 501) {
      res = await fetch(url, { method: 'GET', signal: AbortSignal.timeout(timeoutMs), redirect: 'manual' });
      await res.body?.cancel();
    }
    return { status: res.status, location: res.headers.get('location') };
  } catch (e) {
    const cause = (e as { cause?: { code?: string } }).cause?.code;
    return { why: `unreachable: ${cause ?? (e as Error).name ?? 'error'}` };
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

async function checkFile(allow: ResourceAllowlist, locator: string): Promise<Check> {
  const refused = fileRefusal(allow, locator);
  if (refused) return { ok: false, why: refused };
  try {
    // A symlink inside a root may point out of it: the resolved path must be inside a (resolved) root too.
    const real = await realpath(locator);
    const roots = await Promise.all(allow.fileRoots.map((r) => realpath(r).catch(() => r)));
    if (!insideRoots(roots, real)) return { ok: false, why: 'resolves outside the allowed file roots: not read' };
    const s = await stat(real);
    if (!s.isFile()) return { ok: false, why: 'not a regular file' };
    await access(real, constants.R_OK);
    return { ok: true };
  } catch (e) {
    return { ok: false, why: (e as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : `not readable: ${(e as NodeJS.ErrnoException).code ?? 'error'}` };
  }
}

export function createResourceGateActivities(deps: ResourceGateDeps) {
  const timeoutMs = deps.httpTimeoutMs ?? 5000;
  const allow = deps.allow ?? emptyAllowlist;
  const check = (r: Resource): Promise<Check> => {
    const resolver = deps.resolvers?.[r.kind];
    if (resolver) return resolver(r);
    switch (r.kind) {
      case 'http':
        return checkHttp(allow, r.locator, timeoutMs);
      case 'table':
        return checkTable(deps.db, r.locator);
      case 'taxonomy':
        return checkTaxonomy(deps.db, r.locator);
      case 'file':
        return checkFile(allow, r.locator);
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
