/**
 * The shape of bench/results/latest.json and its markdown rendering. Every figure holds metrics
 * (one value per system, measured in the same run) and targets (a ratio against a baseline of the
 * same run, with pass/fail).
 */
import type { MachineFacts } from "./os-stats.js";

export interface Metric {
  readonly name: string;
  readonly unit: string;
  /** One value per system (null: not measured for that system). */
  readonly values: Readonly<Record<string, number | null>>;
}

export interface TargetResult {
  readonly name: string;
  /** The measured ratio (or value) the threshold applies to. */
  readonly measured: number;
  /** How `measured` is formed, e.g. "baseline µs / ours µs". */
  readonly formula: string;
  readonly threshold: string;
  readonly pass: boolean;
  readonly note?: string;
}

export interface FigureResult {
  readonly id: number;
  readonly title: string;
  readonly setup: string;
  readonly systems: readonly string[];
  readonly metrics: readonly Metric[];
  readonly targets: readonly TargetResult[];
  readonly notes: readonly string[];
  readonly durationSeconds: number;
}

export interface BenchReport {
  readonly schema: 1;
  readonly mode: "full" | "quick";
  readonly command: string;
  readonly startedAt: string;
  readonly durationSeconds: number;
  readonly machine: MachineFacts;
  readonly loadAverage: { readonly atStart: readonly number[]; readonly atEnd: readonly number[] };
  readonly figures: readonly FigureResult[];
  readonly summary: { readonly passed: number; readonly failed: number };
}

/** A target check: `measured` against a minimum or maximum. */
export function target(
  name: string,
  measured: number,
  formula: string,
  bound: { readonly atLeast: number } | { readonly atMost: number },
  note?: string,
): TargetResult {
  const pass =
    Number.isFinite(measured) && ("atLeast" in bound ? measured >= bound.atLeast : measured <= bound.atMost);
  const threshold = "atLeast" in bound ? `≥ ${bound.atLeast}` : `≤ ${roundTo(bound.atMost)}`;
  return { name, measured, formula, threshold, pass, ...(note !== undefined && { note }) };
}

function roundTo(value: number): string {
  return Number.isInteger(value) ? String(value) : value.toFixed(3);
}

export function fmt(value: number | null | undefined): string {
  if (value === null || value === undefined || !Number.isFinite(value)) return "–";
  const abs = Math.abs(value);
  if (abs >= 10_000) return Math.round(value).toLocaleString("en-US");
  if (abs >= 100) return value.toFixed(0);
  if (abs >= 10) return value.toFixed(1);
  return value.toFixed(2);
}

export function renderFigure(figure: FigureResult): string {
  const lines = [`### Figure ${figure.id} — ${figure.title}`, "", figure.setup, ""];
  lines.push(`| metric | unit | ${figure.systems.join(" | ")} |`);
  lines.push(`|---|---|${figure.systems.map(() => "---:").join("|")}|`);
  for (const m of figure.metrics) {
    lines.push(`| ${m.name} | ${m.unit} | ${figure.systems.map((s) => fmt(m.values[s])).join(" | ")} |`);
  }
  if (figure.targets.length > 0) {
    lines.push("", "| target | measured | threshold | result |", "|---|---:|---|---|");
    for (const t of figure.targets) {
      const note = t.note ? ` — ${t.note}` : "";
      lines.push(
        `| ${t.name} (${t.formula}) | ${fmt(t.measured)} | ${t.threshold} | ${t.pass ? "PASS" : "**FAIL**"}${note} |`,
      );
    }
  }
  if (figure.notes.length > 0) lines.push("", ...figure.notes.map((n) => `- ${n}`));
  lines.push("", `_${figure.durationSeconds.toFixed(0)} s_`, "");
  return lines.join("\n");
}

export function renderReport(report: BenchReport): string {
  const m = report.machine;
  const lines = [
    `## Benchmark results (${report.mode}) — ${report.startedAt}`,
    "",
    `Command: \`${report.command}\` — ${report.durationSeconds.toFixed(0)} s. Machine: ${m.nproc} CPUs (${m.cpuModel}), ` +
      `${m.ramGiB} GiB RAM, ${m.kernel}, Node ${m.node}, Redis ${m.redis}. Load average (1/5/15 min) at start ` +
      `${report.loadAverage.atStart.join(" / ")}, at end ${report.loadAverage.atEnd.join(" / ")}.`,
    "",
    "| figure | target | measured | threshold | result |",
    "|---|---|---:|---|---|",
  ];
  for (const f of report.figures) {
    for (const t of f.targets) {
      lines.push(
        `| ${f.id} | ${t.name} (${t.formula}) | ${fmt(t.measured)} | ${t.threshold} | ${t.pass ? "PASS" : "**FAIL**"} |`,
      );
    }
  }
  lines.push("", `${report.summary.passed} targets passed, ${report.summary.failed} failed.`, "");
  for (const f of report.figures) lines.push(renderFigure(f));
  return lines.join("\n");
}
