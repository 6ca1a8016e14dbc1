/**
 * The figures of the chaos and hostile-input tests: each test records one row (scenario, runs,
 * events, lost, duplicated, gaps, max memory, result, notes). The row is printed at once as a
 * `[reliability]` line and appended to `.tmp/reliability/chaos.jsonl`, which the chaos project's
 * global setup clears before a run and turns into a table after it (docs/reliability.md).
 */
import { appendFileSync, mkdirSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

export const REPORT_FILE = join(
  fileURLToPath(new URL("../../..", import.meta.url)),
  ".tmp",
  "reliability",
  "chaos.jsonl",
);

export interface ReliabilityRow {
  readonly scenario: string;
  /** Repetitions of the fault (kills, cuts, fuzz cases, floods…). */
  readonly runs: number;
  /** Events (or frames, tokens, names) the scenario pushed through. */
  readonly events: number;
  readonly lost: number;
  readonly duplicated: number;
  readonly gaps: number;
  /** Highest RSS of the relay under test, MB (null when not measured). */
  readonly maxMemoryMb: number | null;
  readonly result: "pass" | "fail";
  /** Anything else worth a figure: recovered events, p99 latencies, refusals by code… */
  readonly notes: string;
}

export function recordRow(row: ReliabilityRow): void {
  const line = [
    row.scenario,
    `runs=${row.runs}`,
    `events=${row.events}`,
    `lost=${row.lost}`,
    `duplicated=${row.duplicated}`,
    `gaps=${row.gaps}`,
    `maxMemory=${row.maxMemoryMb === null ? "-" : `${row.maxMemoryMb.toFixed(0)}MB`}`,
    row.result,
    row.notes,
  ].join(" | ");
  console.log(`[reliability] ${line}`);
  mkdirSync(dirname(REPORT_FILE), { recursive: true });
  appendFileSync(REPORT_FILE, `${JSON.stringify({ ...row, at: new Date().toISOString() })}\n`);
}

/** The p-th percentile (0–100) of `values`, nearest rank; NaN when empty. */
export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[rank] ?? Number.NaN;
}

/** Renders rows as the Markdown table of docs/reliability.md. */
export function markdownTable(rows: readonly ReliabilityRow[]): string {
  const header =
    "| scenario | runs | events | lost | duplicated | gaps reported | max memory | result | notes |\n" +
    "|---|---:|---:|---:|---:|---:|---:|---|---|";
  const body = rows.map(
    (r) =>
      `| ${r.scenario} | ${r.runs} | ${r.events} | ${r.lost} | ${r.duplicated} | ${r.gaps} | ${
        r.maxMemoryMb === null ? "—" : `${r.maxMemoryMb.toFixed(0)} MB`
      } | ${r.result} | ${r.notes} |`,
  );
  return [header, ...body].join("\n");
}
