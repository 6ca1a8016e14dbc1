#!/usr/bin/env node
/**
 * Runs the Playwright suite in e2e/ (Debian's Chromium) against the playground twice: on the
 * in-process memory broker (as `npm start` runs by default) and over a throwaway redis-server
 * (EVENT_BUS_REDIS_URL), each on a free loopback port. Screenshots and traces go to
 * test-results/memory/ and test-results/redis/, one folder per test and project
 * (`…-desktop-1280`, `…-mobile-390`; e.g. layout-…-mobile-390/workspace-390px.png) and stay there
 * after the run. Arguments are passed to `playwright test`.
 */
import { spawn, spawnSync } from "node:child_process";
import { existsSync, readdirSync } from "node:fs";
import { createServer } from "node:net";

const specs = existsSync("e2e") ? readdirSync("e2e").filter((f) => f.endsWith(".spec.ts")) : [];
if (specs.length === 0) {
  console.log("e2e: no Playwright specs in e2e/ — nothing to run.");
  process.exit(0);
}

function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      server.close(() => resolve(typeof address === "object" && address ? address.port : 0));
    });
  });
}

async function playwright(label, env) {
  console.log(`\ne2e (${label}):`);
  const result = spawnSync("npx", ["playwright", "test", ...process.argv.slice(2)], {
    stdio: "inherit",
    env: {
      ...process.env,
      E2E_PORT: String(await freePort()),
      E2E_OUTPUT_DIR: `test-results/${label}`,
      ...env,
    },
  });
  return result.status ?? 1;
}

async function startRedis() {
  const port = await freePort();
  const child = spawn(
    "redis-server",
    ["--port", String(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
    {
      stdio: ["ignore", "pipe", "inherit"],
    },
  );
  await new Promise((resolve, reject) => {
    let output = "";
    child.stdout.on("data", (chunk) => {
      output += chunk;
      if (output.includes("Ready to accept connections")) resolve();
    });
    child.once("exit", (code) => reject(new Error(`redis-server exited (${code}) before it was ready`)));
  });
  child.stdout.resume();
  return { url: `redis://127.0.0.1:${port}`, stop: () => child.kill("SIGKILL") };
}

const memory = await playwright("memory", {});
if (memory !== 0) process.exit(memory);
const redis = await startRedis();
process.once("exit", () => redis.stop());
const overRedis = await playwright("redis", { EVENT_BUS_REDIS_URL: redis.url });
redis.stop();
process.exit(overRedis);
