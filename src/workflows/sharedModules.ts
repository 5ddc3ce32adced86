/**
 * Loaded once per worker into the workflow sandbox's shared context (Temporal's `preloadModules`, see
 * src/workers/bundle.ts), so every run reuses these libraries instead of evaluating its own copy: zod is a
 * megabyte of module code that each Breakwater run imports. The shared copy is frozen after this module
 * runs, so zod's lazily-set module state (the default locale in its global config, the cached "may use
 * eval" probe) is set here first, by building, parsing, failing and converting one schema of each kind the
 * workflows use. The export keeps the bundler from dropping the import as unused.
 */
import * as zod from 'zod';

const { z } = zod;
const warm = z.strictObject({
  s: z.string().min(1).max(10).regex(/^a/),
  n: z.number().int().positive(),
  e: z.enum(['a', 'b']),
  a: z.array(z.string()).max(2),
  o: z.string().nullable().optional(),
  d: z.number().default(1),
  u: z.union([z.literal('x'), z.object({ k: z.boolean() })]),
  r: z.record(z.string(), z.unknown()),
});
warm.safeParse({ s: 'ab', n: 1, e: 'a', a: [], o: null, u: 'x', r: {} });
const failed = warm.safeParse({ s: 1, extra: true });
if (!failed.success) z.prettifyError(failed.error);
z.toJSONSchema(warm, { target: 'draft-7' });

export const sharedWorkflowLibraries = { zod };
