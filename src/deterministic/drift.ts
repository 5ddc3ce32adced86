/**
 * Semantic drift over categorical values: how far the distribution of a field's values in the output moved
 * from the input (or a reference distribution). Pure and deterministic: usable inside a workflow.
 *
 * - Jensen–Shannon divergence, base 2: symmetric, always finite, in [0, 1] (0 = same, 1 = disjoint).
 * - PSI (population stability index): Σ (a − e) · ln(a / e), with empty categories smoothed to `epsilon`
 *   (else one new category makes it infinite). Rule of thumb: < 0.1 stable, 0.1–0.25 moderate, > 0.25 shift.
 */
export type DriftMeasure = 'jsd' | 'psi';

/** Counts or weights per category. */
export type Distribution = Readonly<Record<string, number>>;

/** Counts values; null, undefined and blank strings are not a category (they are missing). */
export function countValues(values: Iterable<string | null | undefined>): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const v of values) {
    if (v === null || v === undefined || v.trim() === '') continue;
    counts[v] = (counts[v] ?? 0) + 1;
  }
  return counts;
}

/** Both distributions over the union of their categories (sorted), normalized to sum 1. */
export function aligned(p: Distribution, q: Distribution): { categories: string[]; p: number[]; q: number[] } {
  const categories = [...new Set([...Object.keys(p), ...Object.keys(q)])].sort();
  const norm = (d: Distribution): number[] => {
    const raw = categories.map((c) => {
      const v = d[c] ?? 0;
      if (!Number.isFinite(v) || v < 0) throw new RangeError(`category '${c}' has weight ${v}: weights must be finite and ≥ 0`);
      return v;
    });
    const total = raw.reduce((a, b) => a + b, 0);
    if (total <= 0) throw new RangeError('a distribution must have a positive total weight');
    return raw.map((v) => v / total);
  };
  return { categories, p: norm(p), q: norm(q) };
}

const kl2 = (a: number[], m: number[]): number => a.reduce((sum, x, i) => (x > 0 ? sum + x * Math.log2(x / (m[i] as number)) : sum), 0);

export function jensenShannon(p: Distribution, q: Distribution): number {
  const d = aligned(p, q);
  const m = d.p.map((x, i) => (x + (d.q[i] as number)) / 2);
  const js = (kl2(d.p, m) + kl2(d.q, m)) / 2;
  return Math.min(1, Math.max(0, js)); // float noise stays inside [0, 1]
}

/** PSI of `actual` against `expected`. */
export function populationStability(expected: Distribution, actual: Distribution, epsilon = 1e-4): number {
  const d = aligned(expected, actual);
  return d.p.reduce((sum, e0, i) => {
    const e = Math.max(e0, epsilon);
    const a = Math.max(d.q[i] as number, epsilon);
    return sum + (a - e) * Math.log(a / e);
  }, 0);
}

export interface DriftCheck {
  field: string;
  measure: DriftMeasure;
  value: number;
  threshold: number;
  drifted: boolean;
  /** Categories present in the output and absent from the reference: often what a person needs to see. */
  newCategories: string[];
  reference: Record<string, number>;
  observed: Record<string, number>;
}

/** Compares the observed values with the reference counts; `drifted` when the measure exceeds the threshold. */
export function checkDrift(o: { field: string; reference: Distribution; observed: Distribution; measure?: DriftMeasure; threshold: number }): DriftCheck {
  const measure = o.measure ?? 'jsd';
  const value = measure === 'jsd' ? jensenShannon(o.reference, o.observed) : populationStability(o.reference, o.observed);
  const rounded = Math.round(value * 1e6) / 1e6;
  return {
    field: o.field,
    measure,
    value: rounded,
    threshold: o.threshold,
    drifted: rounded > o.threshold,
    newCategories: Object.keys(o.observed).filter((c) => !(c in o.reference) && (o.observed[c] ?? 0) > 0).sort(),
    reference: { ...o.reference },
    observed: { ...o.observed },
  };
}
