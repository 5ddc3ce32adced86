/**
 * The 95 % Wilson score lower bound of a share k/n: what the auto-recovered share is at least, with 95 %
 * confidence, given how few runs it rests on (19 of 19 is ≥ 83 %, not 100 %).
 */
export function wilsonLowerBound(k: number, n: number, z = 1.959964): number {
  if (n === 0) return 0;
  const p = k / n;
  const z2 = z * z;
  return (p + z2 / (2 * n) - z * Math.sqrt((p * (1 - p) + z2 / (4 * n)) / n)) / (1 + z2 / n);
}
