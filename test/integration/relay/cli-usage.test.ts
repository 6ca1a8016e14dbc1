/**
 * The command line as a newcomer meets it (the CLI run as a process): help needs no configuration,
 * an unknown option prints its subcommand's usage, secrets are refused as flags, bad flag values
 * are named; and every relay limit is a flag and an environment variable, listed in `--help` and in
 * docs/relay.md, and reaches the running relay.
 */
import { execFile } from "node:child_process";
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { afterEach, describe, expect, it } from "vitest";
import { createDevToken } from "../../../relay/auth/dev-token.js";
import { LIMIT_KEYS, RELAY_LIMIT_SPECS } from "../../../relay/edge/limit-specs.js";
import { DEFAULT_RELAY_LIMITS } from "../../../relay/edge/options.js";
import { closeAllClients, connectClient } from "../../helpers/relay-client.js";
import { type RelayProcess, startRelayProcess } from "../../helpers/relay-process.js";
import { TEST_SECRET } from "../../helpers/relay-server.js";

const ROOT = fileURLToPath(new URL("../../..", import.meta.url));
const run = promisify(execFile);
/** No configuration at all: what a fresh shell has. */
const BARE = { JWT_SECRET: "", JWT_PUBLIC_KEY: "", JWKS_URL: "", EVENT_BUS_REDIS_URL: "" };

interface Outcome {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

async function cli(args: string[], env: Record<string, string> = {}): Promise<Outcome> {
  try {
    const { stdout, stderr } = await run(
      process.execPath,
      ["--import", "tsx", "relay/cli/main.ts", ...args],
      {
        cwd: ROOT,
        env: { ...process.env, ...BARE, ...env },
      },
    );
    return { code: 0, stdout, stderr };
  } catch (error) {
    const { code, stdout, stderr } = error as { code: number; stdout: string; stderr: string };
    return { code, stdout, stderr };
  }
}

describe("event-bus help and usage", () => {
  it("prints `relay --help` without any configuration", async () => {
    const { code, stdout, stderr } = await cli(["relay", "--help"]);
    expect(stderr).toBe("");
    expect(code).toBe(0);
    expect(stdout).toMatch(/^Usage: event-bus relay \[options\]/);
    expect(stdout).toContain("--port <value>");
  });

  it.each([
    ["relay", ["relay", "--bogus"]],
    ["publish", ["publish", "a.b", "{}", "--bogus"]],
    ["tail", ["tail", "x", "--bogus"]],
    ["token", ["token", "--sub", "u1", "--bogus"]],
  ])("an unknown option of %s prints that subcommand's usage and exits 2", async (name, args) => {
    const { code, stdout, stderr } = await cli(args);
    expect(code).toBe(2);
    expect(stdout).toBe("");
    expect(stderr).toMatch(new RegExp(`^event-bus ${name}: INVALID_OPTIONS: Unknown option '--bogus'\\.`));
    expect(stderr).toContain(`\nUsage: event-bus ${name}`);
  });

  it("refuses secrets on the command line and says where they go", async () => {
    const secret = await cli(["relay", "--jwt-secret", "s3cret"]);
    expect(secret.code).toBe(2);
    expect(secret.stderr).toMatch(/CONFIG_INVALID: --jwt-secret is not accepted/);
    expect(secret.stderr).toContain("set JWT_SECRET in the environment");
    expect(secret.stderr).not.toContain("s3cret");
    const url = await cli(["relay", "--redis-url", "redis://:pw@127.0.0.1:1"], { JWT_SECRET: TEST_SECRET });
    expect(url.code).toBe(2);
    expect(url.stderr).toContain("--redis-url holds a password");
    expect(url.stderr).toContain("EVENT_BUS_REDIS_URL");
    expect(url.stderr).not.toContain(":pw@");
  });

  it("names --ttl when it is not a duration", async () => {
    const { code, stderr, stdout } = await cli(["token", "--sub", "u1", "--ttl", "forever", "--secret", "x"]);
    expect(code).toBe(2);
    expect(stdout).toBe("");
    expect(stderr).toMatch(/^event-bus token: INVALID_OPTIONS: --ttl "forever" is not a duration\./);
    expect(stderr).toContain("15m");
  });

  it("refuses a --rooms or --publish glob that can never match a room", async () => {
    const rooms = await cli(["token", "--sub", "u1", "--rooms", "a b", "--secret", "x"]);
    expect(rooms.code).toBe(2);
    expect(rooms.stdout).toBe("");
    expect(rooms.stderr).toContain(
      '--rooms glob "a b" can never match a room: " " never occurs in a room name',
    );
    const publish = await cli(["token", "--sub", "u1", "--publish", "photo:*,{x}", "--secret", "x"]);
    expect(publish.code).toBe(2);
    expect(publish.stderr).toContain('--publish glob "{x}" can never match a room');
    const fine = await cli(["token", "--sub", "u1", "--rooms", "photo:*,team:[0-9]", "--secret", "x"]);
    expect(fine.code).toBe(0);
    expect(fine.stdout.split(".")).toHaveLength(3);
  });
});

describe("relay limits from flags and the environment", () => {
  let relay: RelayProcess | undefined;
  afterEach(async () => {
    closeAllClients();
    await relay?.stop();
    relay = undefined;
  });

  it("lists every key of RelayLimits with its flag and variable in --help and docs/relay.md", async () => {
    const { stdout } = await cli(["relay", "--help"]);
    const docs = readFileSync(`${ROOT}/docs/relay.md`, "utf8");
    expect([...LIMIT_KEYS].sort()).toEqual(Object.keys(DEFAULT_RELAY_LIMITS).sort());
    for (const key of LIMIT_KEYS) {
      const { flag, env } = RELAY_LIMIT_SPECS[key];
      expect(stdout, key).toMatch(new RegExp(`\\n {2}--${flag} <value> +${env} `));
      expect(docs, key).toContain(`| \`--${flag}\` | \`${env}\` |`);
      expect(docs, key).toContain(`\`${key}\``);
    }
  });

  it("applies limits given as variables to the running relay", async () => {
    relay = await startRelayProcess({
      MAX_EVENT_BYTES: "8kb",
      MAX_DATA_BYTES: "4096",
      EVENT_BUS_REDIS_URL: "",
    });
    const client = await connectClient(relay.url, await createDevToken({ sub: "u1", secret: TEST_SECRET }));
    const hello = await client.call("hello", {});
    expect(hello.limits).toEqual({ maxEventBytes: 8192, maxDataBytes: 4096 });
  });

  it("names the variable and the flag of a limit with a bad value", async () => {
    const bad = await cli(["relay"], { JWT_SECRET: TEST_SECRET, MAX_BUFFERED_BYTES: "lots" });
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('MAX_BUFFERED_BYTES (--max-buffered-bytes) is "lots"');
    const unit = await cli(["relay", "--slow-consumer-check", "500"], { JWT_SECRET: TEST_SECRET });
    expect(unit.code).toBe(2);
    expect(unit.stderr).toContain("--slow-consumer-check");
    expect(unit.stderr).toContain("500ms");
    const relation = await cli(["relay", "--max-event-bytes", "1kb"], { JWT_SECRET: TEST_SECRET });
    expect(relation.code).toBe(2);
    expect(relation.stderr).toContain("MAX_DATA_BYTES");
    expect(relation.stderr).toContain("MAX_EVENT_BYTES");
  });
});
