/**
 * The schema an endpoint is sent: the profile's unsupported keywords dropped, and `pattern`s in the subset
 * every structured-output engine enforces. zod writes `\d` and `\w` into patterns; llama.cpp's
 * schema-to-grammar converter does not support those escapes and then accepts ANY string for the field
 * ("pattern … is not supported (unsupported escape: \d), accepting any string", seen with llama-server
 * b11434 in `npm run check:llm`), so the model's answer fails our validation instead of being constrained by
 * the grammar. In JavaScript regexes `\d` is exactly `[0-9]` and `\w` exactly `[A-Za-z0-9_]` (ASCII, with or
 * without the `u` flag), so spelling them out changes no meaning for any endpoint; the answer is still
 * validated against the original zod schema.
 */

/** Schema keywords whose value is a map of subschemas (the keys there are property names, never keywords). */
const SCHEMA_MAPS = new Set(['properties', 'patternProperties', '$defs', 'definitions', 'dependentSchemas']);
/** Keywords whose value is data, not a schema: copied as they are. */
const DATA = new Set(['enum', 'const', 'default', 'examples', 'required']);
const CLASS: Record<string, string> = { d: '0-9', w: 'A-Za-z0-9_' };

/** `pattern` with `\d`/`\w` spelled out (`[0-9]` outside a character class, `0-9` inside one). */
export function portablePattern(pattern: string): string {
  let out = '';
  let inClass = false;
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i]!;
    if (c === '\\' && i + 1 < pattern.length) {
      const next = pattern[i + 1]!;
      const spelled = CLASS[next];
      out += spelled ? (inClass ? spelled : `[${spelled}]`) : c + next;
      i += 1;
      continue;
    }
    if (c === '[' && !inClass) inClass = true;
    else if (c === ']' && inClass) inClass = false;
    out += c;
  }
  return out;
}

/**
 * One walk over keyword positions only (a property *named* `pattern` is not the `pattern` keyword): drops
 * `strip`'s keywords and, when `portable`, rewrites every `pattern`.
 */
export function shapeSchema(schema: unknown, o: { strip?: readonly string[]; portable?: boolean }): unknown {
  const drop = new Set(o.strip ?? []);
  const walk = (node: unknown): unknown => {
    if (Array.isArray(node)) return node.map(walk);
    if (!node || typeof node !== 'object') return node;
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(node)) {
      if (drop.has(k)) continue;
      if (o.portable && k === 'pattern' && typeof v === 'string') out[k] = portablePattern(v);
      else if (DATA.has(k)) out[k] = v;
      else if (SCHEMA_MAPS.has(k) && v && typeof v === 'object' && !Array.isArray(v)) out[k] = Object.fromEntries(Object.entries(v).map(([name, s]) => [name, walk(s)]));
      else out[k] = walk(v);
    }
    return out;
  };
  return walk(schema);
}

/** The schema with every `pattern` keyword made portable. */
export const portablePatterns = (schema: unknown): unknown => shapeSchema(schema, { portable: true });
