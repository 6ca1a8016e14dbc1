/**
 * The chaos project's global setup: clears the figures of the previous run, and after the run
 * prints every recorded row as the Markdown table docs/reliability.md carries.
 */
import { existsSync, readFileSync, rmSync } from "node:fs";
import { markdownTable, REPORT_FILE, type ReliabilityRow } from "./report.js";

export function setup(): void {
  rmSync(REPORT_FILE, { force: true });
}

export function teardown(): void {
  if (!existsSync(REPORT_FILE)) return;
  const rows = readFileSync(REPORT_FILE, "utf8")
    .split("\n")
    .filter((line) => line.trim() !== "")
    .map((line) => JSON.parse(line) as ReliabilityRow);
  console.log(`\nReliability figures (${REPORT_FILE}):\n\n${markdownTable(rows)}\n`);
}
