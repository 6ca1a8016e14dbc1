#!/usr/bin/env node
/**
 * The tests need three programs from the operating system: `redis-server` (the harness starts
 * throwaway Redis processes), PostgreSQL's `initdb`/`postgres` (the event-store tests use the
 * local server or start a throwaway one; Debian package `postgresql`) and Chromium at
 * /usr/bin/chromium (Playwright e2e). When one is missing this installs it with apt when it can
 * (root, or passwordless sudo), or stops at once with the exact command to run.
 *
 *   node scripts/check-system-deps.mjs                  # all three
 *   node scripts/check-system-deps.mjs redis postgres   # only these
 */
import { execFileSync, spawnSync } from "node:child_process";
import { existsSync, readdirSync } from "node:fs";

const CHROMIUM = "/usr/bin/chromium";
const wanted = process.argv.slice(2);
const want = (name) => wanted.length === 0 || wanted.includes(name);

function onPath(program) {
  return spawnSync("sh", ["-c", `command -v ${program}`], { stdio: "ignore" }).status === 0;
}

/** initdb from the Debian package (/usr/lib/postgresql/<version>/bin), as test/harness/postgres.ts uses it. */
function hasPostgres() {
  const root = "/usr/lib/postgresql";
  return existsSync(root) && readdirSync(root).some((v) => existsSync(`${root}/${v}/bin/initdb`));
}

const missing = [];
if (want("redis") && !onPath("redis-server")) missing.push("redis-server");
if (want("postgres") && !hasPostgres()) missing.push("postgresql");
if (want("chromium") && !existsSync(CHROMIUM)) missing.push("chromium");
if (missing.length === 0) process.exit(0);

const command = `apt-get update && apt-get install -y ${missing.join(" ")}`;
const isRoot = typeof process.getuid === "function" && process.getuid() === 0;
const canSudo =
  !isRoot && onPath("sudo") && spawnSync("sudo", ["-n", "true"], { stdio: "ignore" }).status === 0;

if (!onPath("apt-get") || (!isRoot && !canSudo)) {
  console.error(
    `The tests need ${missing.join(" and ")}, which ${missing.length > 1 ? "are" : "is"} not installed.`,
  );
  console.error(
    `Install ${missing.length > 1 ? "them" : "it"} and run the tests again:\n\n  sudo sh -c '${command}'\n`,
  );
  console.error(
    "(On systems without apt: install Redis ≥ 7 so that `redis-server` is on PATH, PostgreSQL ≥ 13 under /usr/lib/postgresql/<version>/bin, and Chromium at /usr/bin/chromium.)",
  );
  process.exit(1);
}

console.log(`Installing ${missing.join(", ")} with apt (needed by the tests)...`);
const sudo = isRoot ? [] : ["sudo", "-n"];
const env = { ...process.env, DEBIAN_FRONTEND: "noninteractive" };
try {
  execFileSync(sudo[0] ?? "apt-get", [...sudo.slice(1), ...(isRoot ? [] : ["apt-get"]), "update", "-qq"], {
    stdio: "inherit",
    env,
  });
  execFileSync(
    sudo[0] ?? "apt-get",
    // Another apt run (a parallel test run installing the same thing) holds the lock: wait for it.
    [
      ...sudo.slice(1),
      ...(isRoot ? [] : ["apt-get"]),
      "-o",
      "DPkg::Lock::Timeout=600",
      "install",
      "-y",
      "-qq",
      ...missing,
    ],
    {
      stdio: "inherit",
      env,
    },
  );
} catch {
  console.error(
    `\nInstalling with apt failed. Run this yourself, then the tests again:\n\n  sudo sh -c '${command}'\n`,
  );
  process.exit(1);
}
