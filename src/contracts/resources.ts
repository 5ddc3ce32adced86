/**
 * What the resource gate checks and reports. An agent's plan names the external resources it leans on; the
 * gate — deterministic code, never an agent — finds each one before any step runs. Built-in kinds are
 * `http`, `table`, `taxonomy` and `file`; a user adds kinds (or replaces one) with resolvers on the worker.
 * Pure: usable in workflows and activities.
 */
import { z } from 'zod';

const id = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9_.:-]{0,99}$/, 'ids are 1-100 characters: letters, digits, _ . : -');

export const builtInResourceKinds = ['http', 'table', 'taxonomy', 'file'] as const;

/**
 * One external resource. `locator` by kind: http → an http(s) URL; table → a table name (optionally
 * schema-qualified); taxonomy → a taxonomy name in the `taxonomies` table; file → an absolute path; a
 * user-defined kind → whatever its resolver understands.
 */
export const resourceSchema = z.strictObject({
  id,
  kind: z.string().regex(/^[a-z][a-z0-9_-]{0,49}$/, 'a resource kind is 1-50 lower-case letters, digits, _ or -'),
  locator: z.string().min(1).max(2000),
  purpose: z.string().max(500),
});
export type Resource = z.infer<typeof resourceSchema>;

/** What the resource gate found missing, and why. */
export const missingResourceSchema = resourceSchema.pick({ id: true, kind: true, locator: true }).extend({ why: z.string() });
export type MissingResource = z.infer<typeof missingResourceSchema>;

export interface ResourceGateResult {
  checked: number;
  missing: MissingResource[];
  /** Terms of each taxonomy found, by resource id: a deterministic review checks inferred values against them. */
  taxonomies: Record<string, string[]>;
}
