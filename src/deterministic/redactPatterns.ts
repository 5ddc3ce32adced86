/**
 * The pattern layer of secret redaction (src/redact.ts adds the exact values of secrets the process knows):
 * credential-shaped text — bearer tokens, `sk-…` keys, passwords in URLs, `password=…` pairs — masked
 * keeping the shape. Pure, so workflow code can mask what it exposes (a query's answer) before any client
 * reads it.
 */
/** What every redaction writes in place of what it hides. */
export const MASK = '[REDACTED]';

/** Credential-shaped text, each with how to mask it (keeping the shape, so a log line stays readable). */
const patterns: [RegExp, (match: string, ...groups: string[]) => string][] = [
  [/\b(Bearer|Basic)\s+[A-Za-z0-9._~+/=-]{8,}/gi, (_m, scheme) => `${scheme} ${MASK}`],
  [/\bsk-[A-Za-z0-9_-]{8,}/g, () => MASK],
  [/(\/\/[^:/@\s]+:)[^@\s]+(@)/g, (_m, userColon, at) => `${userColon}${MASK}${at}`], // user:password@ in URLs
  [/("?(?:api[_-]?key|password|secret|token|authorization)"?\s*[:=]\s*"?)[^",\s}]+/gi, (_m, key) => `${key}${MASK}`],
];

export function redactPatterns(text: string): string {
  let out = text;
  for (const [pattern, mask] of patterns) out = out.replace(pattern, mask as (substring: string, ...args: unknown[]) => string);
  return out;
}
