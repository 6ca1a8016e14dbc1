/**
 * The direct fan-out path reads engine.io and ws internals (relay/edge/delivery/engine-internals.ts),
 * verified with the versions in VERIFIED_WITH. socket.io's own ranges let an install float (engine.io
 * `~6.6.0` → ws `~8.21.0`); this fails when the lock file or the installed packages drift outside what
 * was verified, so an upgrade is a deliberate step (re-run test/integration/relay/fast-path.test.ts).
 */
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { VERIFIED_WITH } from "../../../relay/edge/delivery/engine-internals.js";

interface Lock {
  readonly packages: Readonly<Record<string, { readonly version?: string }>>;
}

const lock = JSON.parse(readFileSync("package-lock.json", "utf8")) as Lock;

/** Every version of `name` in the lock file (top level and nested copies). */
function lockedVersions(name: string): string[] {
  return Object.entries(lock.packages)
    .filter(([path]) => path === `node_modules/${name}` || path.endsWith(`/node_modules/${name}`))
    .map(([, entry]) => entry.version ?? "?");
}

describe("fast-path dependency versions", () => {
  it.each(Object.entries(VERIFIED_WITH))("%s in package-lock.json is %s*", (name, prefix) => {
    const versions = lockedVersions(name);
    expect(versions.length).toBeGreaterThan(0);
    for (const version of versions) expect(version.startsWith(prefix), `${name}@${version}`).toBe(true);
  });

  it.each(Object.entries(VERIFIED_WITH))("%s installed is %s*", (name, prefix) => {
    const installed = JSON.parse(readFileSync(`node_modules/${name}/package.json`, "utf8")) as {
      version: string;
    };
    expect(installed.version.startsWith(prefix), `${name}@${installed.version}`).toBe(true);
  });
});
