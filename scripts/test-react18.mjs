#!/usr/bin/env node
/**
 * The React tests again on React 18 (the peer range is ^18.2 || ^19). React 18 is installed outside
 * the project's dependencies, in .tmp/react18, so the two Reacts never meet; then the "react"
 * suite runs with test/react/react18.vitest.config.ts, which points every `react`/`react-dom`
 * import at it.
 */
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";

const dir = ".tmp/react18";
const run = (command, args, env = {}) => {
  const result = spawnSync(command, args, { stdio: "inherit", env: { ...process.env, ...env } });
  if (result.status !== 0) process.exit(result.status ?? 1);
};

if (!existsSync(`${dir}/node_modules/react-dom/package.json`)) {
  console.log("Installing React 18.3.1 into .tmp/react18 for the React 18 run...");
  run("npm", [
    "install",
    "--prefix",
    dir,
    "--no-save",
    "--no-audit",
    "--no-fund",
    "--loglevel=error",
    "-E",
    "react@18.3.1",
    "react-dom@18.3.1",
  ]);
}
run("npx", ["vitest", "run", "-c", "test/react/react18.vitest.config.ts"], { REACT_MAJOR: "18" });
