/**
 * Secret redaction for everything Breakwater writes down: logs, alerts, stored LLM records, dead letters.
 * Two layers: the exact values of secrets we know (API keys, database passwords), and patterns that look
 * like credentials (bearer tokens, `sk-…` keys, passwords in URLs), so an unknown key is masked too.
 */
import { MASK, redactPatterns } from './deterministic/redactPatterns';

export { MASK };
const known = new Set<string>();

/** Registers secret values to mask wherever they appear. Values shorter than 6 characters are ignored. */
export function registerSecrets(...values: (string | undefined)[]): void {
  for (const v of values) if (v && v.length >= 6) known.add(v);
}

export function redactText(text: string): string {
  let out = text;
  for (const secret of known) out = out.split(secret).join(MASK);
  return redactPatterns(out);
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
