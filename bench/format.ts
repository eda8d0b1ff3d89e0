// Markdown tables and number formats for BENCHMARKS.md and the console.

/** A Markdown table; numeric-looking columns are right-aligned. */
export function markdownTable(headers: readonly string[], rows: readonly (readonly string[])[]) {
  const numeric = headers.map((_, i) =>
    rows.every((row) => /^[-+~<>≈]?[\d.,]+ ?(%|×|ms|s|MB|MB\/s|KB|MiB)?$|^–$/.test(row[i] ?? '')),
  );
  const line = (cells: readonly string[]) => `| ${cells.join(' | ')} |`;
  return [
    line(headers),
    line(headers.map((_, i) => (numeric[i] ? '---:' : '---'))),
    ...rows.map(line),
  ].join('\n');
}

/** 12345.6 -> "12,346". */
export function integer(n: number): string {
  return Number.isFinite(n) ? Math.round(n).toLocaleString('en-US') : '–';
}

/** A number with `digits` decimals and thousands separators. */
export function decimal(n: number, digits = 1): string {
  return Number.isFinite(n)
    ? n.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits })
    : '–';
}

/** µs -> "1.23 ms". */
export function millisFromMicros(us: number): string {
  return `${decimal(us / 1000, us < 10_000 ? 2 : 1)} ms`;
}

/** ms -> "1.23 s" or "850 ms". */
export function duration(ms: number): string {
  if (!Number.isFinite(ms)) return '–';
  return ms >= 1000 ? `${decimal(ms / 1000, 2)} s` : `${integer(ms)} ms`;
}

/** A ratio as a percentage: 0.523 -> "52 %". */
export function percent(ratio: number): string {
  return Number.isFinite(ratio) ? `${integer(ratio * 100)} %` : '–';
}

/** Bytes in MB (10^6), as throughput tables use them. */
export function megabytes(bytes: number, digits = 1): string {
  return `${decimal(bytes / 1e6, digits)} MB`;
}

/** "✅ met" or "❌ not met". */
export function verdict(met: boolean): string {
  return met ? '✅ met' : '❌ not met';
}
