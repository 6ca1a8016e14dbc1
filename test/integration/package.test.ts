/**
 * The package as a user installs it: `npm pack`, unpacked into a scratch project's node_modules
 * (runtime dependencies linked from ours), then every subpath export imported by name and the
 * `event-bus` bin run. Needs `npm run build` first (the `npm test` script builds).
 */
import { execFileSync } from "node:child_process";
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
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

beforeAll(() => {
  if (!existsSync(join(root, "dist/relay/cli/main.js"))) {
    throw new Error("dist/ is missing: run `npm run build` first (npm test does).");
  }
  scratch = mkdtempSync(join(tmpdir(), "event-bus-pack-"));
  const tarball = execFileSync("npm", ["pack", "--silent", "--pack-destination", scratch], { cwd: root })
    .toString()
    .trim()
    .split("\n")
    .pop() as string;
  installed = join(scratch, "node_modules", ...manifest.name.split("/"));
  mkdirSync(installed, { recursive: true });
  execFileSync("tar", ["-xzf", join(scratch, tarball), "-C", installed, "--strip-components=1"]);
  for (const dep of Object.keys(manifest.dependencies)) {
    const target = join(scratch, "node_modules", dep);
    mkdirSync(resolve(target, ".."), { recursive: true });
    symlinkSync(join(root, "node_modules", dep), target);
  }
  writeFileSync(join(scratch, "package.json"), JSON.stringify({ name: "scratch", type: "module" }));
});

afterAll(() => {
  if (scratch) rmSync(scratch, { recursive: true, force: true });
});

describe("the packed package", () => {
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
