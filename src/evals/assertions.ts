/**
 * The checks of an eval case (`expect` in the case file), applied to an answer. Pure and declarative: a
 * path into the answer and predicates on the value found there; the first check that fails is the reason.
 */
import { isDeepStrictEqual } from 'node:util';
import type { Assertion } from './caseFile';

export const MISSING = Symbol('missing');

/** The value at `path` ("a.b[0].c", "$" = the whole value), or MISSING. */
export function valueAt(value: unknown, path: string): unknown {
  if (path === '$') return value;
  let here: unknown = value;
  for (const part of path.replace(/^\$\.?/, '').match(/[^.[\]]+|\[\d+\]/g) ?? []) {
    const index = /^\[(\d+)\]$/.exec(part);
    if (index) {
      if (!Array.isArray(here) || Number(index[1]) >= here.length) return MISSING;
      here = here[Number(index[1])];
    } else {
      if (typeof here !== 'object' || here === null || Array.isArray(here) || !Object.hasOwn(here, part)) return MISSING;
      here = (here as Record<string, unknown>)[part];
    }
  }
  return here;
}

const show = (v: unknown): string => (v === MISSING ? '(missing)' : JSON.stringify(v)?.slice(0, 120) ?? String(v));

/** Why the check fails on `answer`, or undefined when it holds. */
export function checkAssertion(a: Assertion, answer: unknown, baseline: unknown): string | undefined {
  const got = valueAt(answer, a.path);
  const at = `${a.path}: got ${show(got)}`;
  if (a.exists !== undefined && (got !== MISSING) !== a.exists) return `${a.path}: expected ${a.exists ? 'present' : 'absent'}, got ${show(got)}`;
  if (got === MISSING) return a.exists === false ? undefined : at;
  if (a.baseline) {
    const want = valueAt(baseline, a.path);
    if (!isDeepStrictEqual(got, want)) return `${at}, baseline ${show(want)}`;
  }
  if (a.equals !== undefined && !isDeepStrictEqual(got, a.equals)) return `${at}, expected ${show(a.equals)}`;
  if (a.oneOf && !a.oneOf.some((v) => isDeepStrictEqual(got, v))) return `${at}, expected one of ${show(a.oneOf)}`;
  if (a.min !== undefined || a.max !== undefined) {
    const n = typeof got === 'number' ? got : typeof got === 'string' || Array.isArray(got) ? got.length : undefined;
    const what = typeof got === 'number' ? '' : ' (length)';
    if (n === undefined) return `${at}, expected a number, string or array for min/max`;
    if (a.min !== undefined && n < a.min) return `${at}${what}, expected ≥ ${a.min}`;
    if (a.max !== undefined && n > a.max) return `${at}${what}, expected ≤ ${a.max}`;
  }
  if (a.matches !== undefined && (typeof got !== 'string' || !new RegExp(a.matches, 'u').test(got))) return `${at}, expected to match /${a.matches}/`;
  return undefined;
}

/** The first failing check's reason, or undefined when all hold. */
export function checkAll(expect: readonly Assertion[], answer: unknown, baseline: unknown): string | undefined {
  for (const a of expect) {
    const failed = checkAssertion(a, answer, baseline);
    if (failed) return failed;
  }
  return undefined;
}
