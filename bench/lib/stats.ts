/** Small statistics for the benchmark: percentiles of latency samples and medians of rounds. */

export interface LatencySummary {
  readonly n: number;
  readonly p50: number;
  readonly p95: number;
  readonly p99: number;
  readonly max: number;
}

export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? Number.NaN;
}

export function summarize(samples: readonly number[]): LatencySummary {
  const sorted = Float64Array.from(samples).sort();
  const list = Array.from(sorted);
  return {
    n: list.length,
    p50: percentile(list, 50),
    p95: percentile(list, 95),
    p99: percentile(list, 99),
    max: list.at(-1) ?? Number.NaN,
  };
}

/** The median of the finite values (NaN when there is none). */
export function median(values: readonly number[]): number {
  const sorted = values.filter(Number.isFinite).sort((a, b) => a - b);
  if (sorted.length === 0) return Number.NaN;
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1
    ? (sorted[mid] ?? Number.NaN)
    : ((sorted[mid - 1] ?? 0) + (sorted[mid] ?? 0)) / 2;
}

/** Per-key medians of several rounds of the same numeric record. */
export function medianOf<K extends string>(
  rounds: readonly Readonly<Record<K, number>>[],
): Record<K, number> {
  const keys = new Set<K>(rounds.flatMap((r) => Object.keys(r) as K[]));
  const out = {} as Record<K, number>;
  for (const key of keys) out[key] = median(rounds.map((r) => r[key]));
  return out;
}

export const round = (value: number, digits = 2) =>
  Number.isFinite(value) ? Math.round(value * 10 ** digits) / 10 ** digits : value;
