/**
 * Secret redaction for everything Breakwater writes down: logs, alerts, stored LLM records, dead letters.
 * Two layers: the exact values of secrets we know (API keys, database passwords), and patterns that look
 * like credentials (bearer tokens, `sk-…` keys, passwords in URLs), so an unknown key is masked too.
 */
/** What every redaction writes in place of what it hides. */
export const MASK = '[REDACTED]';
const known = new Set<string>();

/** Registers secret values to mask wherever they appear. Values shorter than 6 characters are ignored. */
export function registerSecrets(...values: (string | undefined)[]): void {
  for (const v of values) if (v && v.length >= 6) known.add(v);
}

/** Credential-shaped text, each with how to mask it (keeping the shape, so a log line stays readable). */
const patterns: [RegExp, (match: string, ...groups: string[]) => string][] = [
  [/\b(Bearer|Basic)\s+[A-Za-z0-9._~+/=-]{8,}/gi, (_m, scheme) => `${scheme} ${MASK}`],
  [/\bsk-[A-Za-z0-9_-]{8,}/g, () => MASK],
  [/(\/\/[^:/@\s]+:)[^@\s]+(@)/g, (_m, userColon, at) => `${userColon}${MASK}${at}`], // user:password@ in URLs
  [/("?(?:api[_-]?key|password|secret|token|authorization)"?\s*[:=]\s*"?)[^",\s}]+/gi, (_m, key) => `${key}${MASK}`],
];

export function redactText(text: string): string {
  let out = text;
  for (const secret of known) out = out.split(secret).join(MASK);
  for (const [pattern, mask] of patterns) out = out.replace(pattern, mask as (substring: string, ...args: unknown[]) => string);
  return out;
}

const SECRET_KEY = /^(api[_-]?key|authorization|password|secret|token|x-api-key)$/i;

/** Whether redaction masked anything in a value (every mask leaves MASK behind). */
export function containsMask(value: unknown): boolean {
  return JSON.stringify(value ?? null).includes(MASK);
}

/** Deep copy of a JSON-like value with secret-named fields masked and every string redacted. */
export function redactValue<T>(value: T): T {
  // Log records are not always JSON-like: the SDK's debug logs carry worker options, and a plugin there holds
  // a pg pool (cycles). An object met again on the path is cut, not walked forever.
  const path = new WeakSet<object>();
  const walk = (v: unknown): unknown => {
    if (typeof v === 'string') return redactText(v);
    if (!v || typeof v !== 'object') return v;
    if (path.has(v)) return '[Circular]';
    path.add(v);
    try {
      if (Array.isArray(v)) return v.map(walk);
      return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, SECRET_KEY.test(k) ? MASK : walk(x)]));
    } finally {
      path.delete(v);
    }
  };
  return walk(value) as T;
}
