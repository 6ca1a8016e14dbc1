#!/usr/bin/env node
/**
 * Runs the Playwright suite in e2e/ (Debian's Chromium) against the playground on a free loopback
 * port (E2E_PORT). Says so plainly when there are no specs.
 */
import { spawnSync } from "node:child_process";
import { existsSync, readdirSync } from "node:fs";
import { createServer } from "node:net";

const specs = existsSync("e2e") ? readdirSync("e2e").filter((f) => f.endsWith(".spec.ts")) : [];
if (specs.length === 0) {
  console.log("e2e: no Playwright specs in e2e/ — nothing to run.");
  process.exit(0);
}

const port = await new Promise((resolve, reject) => {
  const server = createServer();
  server.once("error", reject);
  server.listen(0, "127.0.0.1", () => {
    const address = server.address();
    server.close(() => resolve(typeof address === "object" && address ? address.port : 0));
  });
});
const result = spawnSync("npx", ["playwright", "test", ...process.argv.slice(2)], {
  stdio: "inherit",
  env: { ...process.env, E2E_PORT: String(port) },
});
process.exit(result.status ?? 1);
