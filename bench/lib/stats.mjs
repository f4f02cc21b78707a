// Summaries of timing samples: nearest-rank percentiles (as the Rust load client computes them).

/** Percentile `p` (0..100) of `values` by nearest rank; NaN when there is none. */
export function percentile(values, p) {
  if (!values.length) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(Math.max(rank, 1), sorted.length) - 1];
}

/** { n, median, p95, p99, min, max, mean } of `values` (ms). */
export function summary(values) {
  return {
    n: values.length,
    median: percentile(values, 50),
    p95: percentile(values, 95),
    p99: percentile(values, 99),
    min: Math.min(...values),
    max: Math.max(...values),
    mean: values.reduce((a, b) => a + b, 0) / values.length,
  };
}

/** A time in ms for a table: 3 significant digits, at least 3 decimals below 1 ms. */
export function fmtMs(v) {
  if (!Number.isFinite(v)) return "–";
  if (v < 1) return v.toFixed(3);
  if (v < 10) return v.toFixed(2);
  if (v < 100) return v.toFixed(1);
  return v.toFixed(0);
}

/** Bytes as "12 345". */
export function fmtBytes(n) {
  return String(n).replace(/\B(?=(\d{3})+(?!\d))/g, " ");
}
