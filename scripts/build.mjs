#!/usr/bin/env node
/** `npm run build`: emits dist/ (JavaScript, .d.ts, source maps) with tsc and marks the CLI executable. */
import { execFileSync } from "node:child_process";
import { chmodSync, existsSync, rmSync } from "node:fs";

rmSync("dist", { recursive: true, force: true });
execFileSync("npx", ["tsc", "-p", "tsconfig.build.json"], { stdio: "inherit" });
const cli = "dist/relay/cli/main.js";
if (existsSync(cli)) chmodSync(cli, 0o755);
