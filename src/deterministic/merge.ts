/**
 * The parallel-ingest merge contract, defined before any source is read:
 * - the result is the union of every source's records, one per record id (sorted by id);
 * - a field on which all sources that have it agree is kept, with the sources it came from;
 * - a field on which sources disagree is NOT resolved: it leaves `fields` and is surfaced in `conflicts`
 *   with every source's value — no source silently wins, whatever order the fetches finished in.
 * Pure and deterministic (the same batches in any order give the same result): usable in workflows.
 */
export type FieldValue = string | number | boolean | null;

export interface SourceRecord {
  id: string;
  fields: Record<string, FieldValue>;
}

export interface SourceBatch {
  source: string;
  records: SourceRecord[];
}

export interface MergedRecord {
  id: string;
  /** Agreed fields. */
  fields: Record<string, FieldValue>;
  /** Sources that had this record (sorted). */
  sources: string[];
}

export interface MergeConflict {
  id: string;
  field: string;
  /** Every source's value (sorted by source). */
  values: { source: string; value: FieldValue }[];
}

export interface MergeResult {
  records: MergedRecord[];
  conflicts: MergeConflict[];
  /** Records seen more than once (across or within sources) and folded into one. */
  duplicates: number;
  recordsIn: number;
}

const same = (a: FieldValue, b: FieldValue): boolean => a === b;

export function mergeByIdContract(batches: readonly SourceBatch[]): MergeResult {
  // Sources in a fixed order, so the result does not depend on which fetch finished first.
  const ordered = [...batches].sort((a, b) => (a.source < b.source ? -1 : a.source > b.source ? 1 : 0));
  const seen = new Map<string, { sources: Set<string>; values: Map<string, { source: string; value: FieldValue }[]> }>();
  let recordsIn = 0;
  for (const batch of ordered) {
    for (const r of batch.records) {
      recordsIn += 1;
      const entry = seen.get(r.id) ?? { sources: new Set<string>(), values: new Map() };
      seen.set(r.id, entry);
      entry.sources.add(batch.source);
      for (const [field, value] of Object.entries(r.fields)) {
        const list = entry.values.get(field) ?? [];
        entry.values.set(field, list);
        list.push({ source: batch.source, value });
      }
    }
  }
  const records: MergedRecord[] = [];
  const conflicts: MergeConflict[] = [];
  for (const id of [...seen.keys()].sort()) {
    const entry = seen.get(id)!;
    const fields: Record<string, FieldValue> = {};
    for (const field of [...entry.values.keys()].sort()) {
      const values = entry.values.get(field)!;
      const first = values[0]!.value;
      if (values.every((v) => same(v.value, first))) fields[field] = first;
      else conflicts.push({ id, field, values: values.map((v) => ({ ...v })) });
    }
    records.push({ id, fields, sources: [...entry.sources].sort() });
  }
  return { records, conflicts, duplicates: recordsIn - records.length, recordsIn };
}
