/**
 * What the resource gate asks Postgres: whether a table is on the search path (the run's schema) and the role
 * may SELECT from it, and a taxonomy's terms from the `taxonomies` table. What counts as missing is the
 * gate's call (src/activities/resourceGate.ts); an unreachable database is an error, not a missing resource.
 */
import type { Queryable } from './db';

/** `exists`: `to_regclass` finds it; `readable`: SELECT is granted (null when it does not exist). */
export async function tableAccess(db: Queryable, name: string): Promise<{ exists: boolean; readable: boolean | null }> {
  const { rows } = await db.query<{ oid: string | null; readable: boolean | null }>(
    `SELECT to_regclass($1)::oid::text AS oid, CASE WHEN to_regclass($1) IS NULL THEN NULL ELSE has_table_privilege(to_regclass($1), 'SELECT') END AS readable`,
    [name],
  );
  const row = rows[0];
  return { exists: Boolean(row?.oid), readable: row?.readable ?? null };
}

/** The taxonomy's terms; undefined when there is no taxonomy of this name. */
export async function taxonomyTerms(db: Queryable, name: string): Promise<string[] | undefined> {
  const { rows } = await db.query<{ terms: string[] }>('SELECT terms FROM taxonomies WHERE name = $1', [name]);
  return rows[0]?.terms;
}
