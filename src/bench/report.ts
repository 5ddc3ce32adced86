/** Shared by the benchmarks: percentiles, and the section shape `npm run bench` collects. */
export interface BenchSection {
  title: string;
  markdown: string;
}

export function percentile(values: number[], p: number): number {
  if (!values.length) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const index = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[index]!;
}

export const ms = (n: number): string => `${n.toFixed(n < 10 ? 2 : 0)} ms`;
