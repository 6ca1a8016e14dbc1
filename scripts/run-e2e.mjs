#!/usr/bin/env node
/** Runs the Playwright suite in e2e/ (Debian's Chromium). Says so plainly when there are no specs yet. */
import { spawnSync } from "node:child_process";
import { existsSync, readdirSync } from "node:fs";

const specs = existsSync("e2e") ? readdirSync("e2e").filter((f) => f.endsWith(".spec.ts")) : [];
if (specs.length === 0) {
  console.log("e2e: no Playwright specs in e2e/ yet — nothing to run.");
  process.exit(0);
}
const result = spawnSync("npx", ["playwright", "test", ...process.argv.slice(2)], { stdio: "inherit" });
process.exit(result.status ?? 1);
