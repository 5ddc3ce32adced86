/**
 * A small structural diff of two JSON values: the list of changed paths with their before/after values.
 * Pure; used to explain every change to shared state.
 */
export type Json = null | boolean | number | string | Json[] | { [k: string]: Json };

export interface Change {
  path: string;
  before?: Json;
  after?: Json;
}

const isObject = (v: Json | undefined): v is { [k: string]: Json } => typeof v === 'object' && v !== null && !Array.isArray(v);

export function jsonDiff(before: Json | undefined, after: Json | undefined, path = ''): Change[] {
  // Creating or deleting a whole object lists its fields, so the first event of an object explains it too.
  if (before === undefined && isObject(after)) before = {};
  if (after === undefined && isObject(before)) after = {};
  if (isObject(before) && isObject(after)) {
    const keys = [...new Set([...Object.keys(before), ...Object.keys(after)])].sort();
    return keys.flatMap((k) => jsonDiff(before[k], after[k], `${path}/${k}`));
  }
  if (JSON.stringify(before) === JSON.stringify(after)) return [];
  const change: Change = { path: path || '/' };
  if (before !== undefined) change.before = before;
  if (after !== undefined) change.after = after;
  return [change];
}
