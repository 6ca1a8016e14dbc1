/**
 * The package as a user installs it, starting from a fresh clone's state: the repository's files
 * (tracked and not ignored) are copied to a scratch folder WITHOUT dist/, `npm pack` runs there (its
 * `prepack` script must build dist/), and the tarball is unpacked into a scratch project's
 * node_modules (runtime dependencies linked from ours). Then every subpath export is imported by
 * name and the `event-bus` bin is run.
 */
import { execFileSync } from "node:child_process";
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

const root = resolve(import.meta.dirname, "../..");
const manifest = JSON.parse(readFileSync(join(root, "package.json"), "utf8")) as {
  name: string;
  exports: Record<string, { types: string; default: string } | string>;
  bin: Record<string, string>;
  dependencies: Record<string, string>;
};
let scratch: string;
let installed: string;
let packedFiles: string[];

/** A copy of the working tree as a fresh clone has it: tracked and unignored files, no dist/. */
function cloneState(into: string): void {
  const files = execFileSync("git", ["ls-files", "-z", "--cached", "--others", "--exclude-standard"], {
    cwd: root,
  })
    .toString()
    .split("\0")
    .filter((file) => file !== "" && existsSync(join(root, file)));
  for (const file of files) {
    mkdirSync(dirname(join(into, file)), { recursive: true });
    copyFileSync(join(root, file), join(into, file));
  }
  symlinkSync(join(root, "node_modules"), join(into, "node_modules"));
}

beforeAll(() => {
  scratch = mkdtempSync(join(tmpdir(), "event-bus-pack-"));
  const clone = join(scratch, "clone");
  cloneState(clone);
  if (existsSync(join(clone, "dist"))) throw new Error("the clone state must not contain dist/");
  const tarball = execFileSync("npm", ["pack", "--silent", "--pack-destination", scratch], { cwd: clone })
    .toString()
    .trim()
    .split("\n")
    .pop() as string;
  packedFiles = execFileSync("tar", ["-tzf", join(scratch, tarball)])
    .toString()
    .trim()
    .split("\n")
    .map((entry) => entry.replace(/^package\//, ""));
  installed = join(scratch, "node_modules", ...manifest.name.split("/"));
  mkdirSync(installed, { recursive: true });
  execFileSync("tar", ["-xzf", join(scratch, tarball), "-C", installed, "--strip-components=1"]);
  for (const dep of Object.keys(manifest.dependencies)) {
    const target = join(scratch, "node_modules", dep);
    mkdirSync(resolve(target, ".."), { recursive: true });
    symlinkSync(join(root, "node_modules", dep), target);
  }
  writeFileSync(join(scratch, "package.json"), JSON.stringify({ name: "scratch", type: "module" }));
}, 120_000);

afterAll(() => {
  if (scratch) rmSync(scratch, { recursive: true, force: true });
});

describe("the packed package", () => {
  it("is built by `prepack` from a clone without dist/: every export and the bin are in the tarball", () => {
    const targets = Object.values(manifest.exports).flatMap((target) =>
      typeof target === "string" ? [target] : [target.types, target.default],
    );
    for (const target of [...targets, ...Object.values(manifest.bin)]) {
      const path = target.replace(/^\.\//, "");
      if (path === "package.json") continue;
      expect(packedFiles, path).toContain(path);
    }
    expect(packedFiles.filter((file) => file.startsWith("dist/")).length).toBeGreaterThan(50);
  });

  it("ships an ESM exports map with a types condition for each entry, and nothing of src or tests", () => {
    for (const entry of ["./client", "./react", "./server", "./relay"]) {
      const target = manifest.exports[entry];
      expect(typeof target, entry).toBe("object");
      const { types, default: js } = target as { types: string; default: string };
      expect(existsSync(join(installed, types)), types).toBe(true);
      expect(existsSync(join(installed, js)), js).toBe(true);
    }
    expect(existsSync(join(installed, "test"))).toBe(false);
    expect(existsSync(join(installed, "protocol/index.ts"))).toBe(false);
    const packed = JSON.parse(readFileSync(join(installed, "package.json"), "utf8")) as Record<
      string,
      unknown
    >;
    expect(packed.type).toBe("module");
    expect(packed.sideEffects).toBe(false);
  });

  it("imports every subpath export by package name", () => {
    const script = `
      const client = await import("@shared-infra/event-bus/client");
      const server = await import("@shared-infra/event-bus/server");
      const relay = await import("@shared-infra/event-bus/relay");
      console.log(JSON.stringify({
        client: typeof client.EventBusError,
        server: typeof server.EventBusError,
        relay: typeof relay.createDevToken,
      }));`;
    const out = execFileSync("node", ["--input-type=module", "-e", script], { cwd: scratch }).toString();
    expect(JSON.parse(out)).toEqual({ client: "function", server: "function", relay: "function" });
  });

  it("has an `event-bus` bin whose --help lists the subcommands", () => {
    const bin = manifest.bin["event-bus"] as string;
    const out = execFileSync("node", [join(installed, bin), "--help"], { cwd: scratch }).toString();
    expect(out).toMatch(/^Usage: event-bus <command>/);
    expect(out).toMatch(/\n {2}token +mint a development JWT/);
  });

  it("mints a token from the bin that the relay's claims describe", () => {
    const bin = manifest.bin["event-bus"] as string;
    const token = execFileSync(
      "node",
      [
        join(installed, bin),
        "token",
        "--sub",
        "u1",
        "--rooms",
        "photo:*",
        "--secret",
        "s3cret-s3cret-s3cret-s3cret-s3cret",
      ],
      { cwd: scratch },
    )
      .toString()
      .trim();
    const payload = JSON.parse(Buffer.from(token.split(".")[1] as string, "base64url").toString()) as Record<
      string,
      unknown
    >;
    expect(payload.sub).toBe("u1");
    expect(payload.rooms).toEqual(["photo:*"]);
    expect(Number(payload.exp) - Number(payload.iat)).toBe(3600);
  });
});
