/** How every CLI command prints: a table or lines for people, one JSON document with `--json`. */
export interface Output {
  json: boolean;
  /** Prints `value` as JSON, or `text()` for people. */
  result(value: unknown, text: () => string): void;
}

export const createOutput = (json: boolean, write = (s: string) => process.stdout.write(s)): Output => ({
  json,
  result(value, text) {
    write(json ? `${JSON.stringify(value, null, 2)}\n` : `${text()}\n`);
  },
});

/** A fixed-width table: the first row is the header. */
export function table(rows: string[][]): string {
  const widths = rows[0]?.map((_, i) => Math.max(...rows.map((r) => (r[i] ?? '').length))) ?? [];
  return rows.map((r) => r.map((c, i) => c.padEnd(widths[i] ?? 0)).join('  ').trimEnd()).join('\n');
}
