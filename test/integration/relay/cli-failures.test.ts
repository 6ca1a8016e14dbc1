/**
 * `event-bus relay` failing to start, as an operator sees it (the CLI as a process): a Redis it
 * cannot reach and a port that is taken each end in one coded line on stderr that names the cause
 * (the password hidden) and the fix, exit code 1, and nothing on stdout — no stray log line.
 */
import { execFile } from "node:child_process";
import { once } from "node:events";
import { createServer, type Server } from "node:net";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { freePort } from "../../harness/processes.js";
import { type RedisServer, startRedis } from "../../harness/redis-server.js";
import { TEST_SECRET } from "../../helpers/relay-server.js";

const ROOT = fileURLToPath(new URL("../../..", import.meta.url));
const run = promisify(execFile);
const WRONG = "wrong-staple-4711";

async function relay(args: string[], env: Record<string, string>) {
  try {
    await run(process.execPath, ["--import", "tsx", "relay/cli/main.ts", "relay", ...args], {
      cwd: ROOT,
      env: { ...process.env, JWT_SECRET: TEST_SECRET, EVENT_BUS_REDIS_URL: "", HOST: "127.0.0.1", ...env },
      timeout: 30_000,
    });
  } catch (error) {
    const { code, stdout, stderr } = error as { code: number; stdout: string; stderr: string };
    return { code, stdout, stderr };
  }
  throw new Error("expected the relay to fail to start");
}

describe("event-bus relay failing to start", () => {
  let secured: RedisServer;
  let holder: Server;
  let takenPort: number;

  beforeAll(async () => {
    secured = await startRedis({ args: ["--requirepass", "right-horse-battery"] });
    holder = createServer();
    holder.listen(0, "127.0.0.1");
    await once(holder, "listening");
    takenPort = (holder.address() as { port: number }).port;
  });
  afterAll(async () => {
    holder?.close();
    await secured?.stop();
  });

  it("names a refused password, hides it, and exits 1", async () => {
    const url = `redis://:${WRONG}@127.0.0.1:${secured.port}`;
    const { code, stdout, stderr } = await relay(["--port", "0"], { EVENT_BUS_REDIS_URL: url });
    expect(code).toBe(1);
    expect(stdout).toBe("");
    expect(stderr.trim().split("\n")).toHaveLength(1);
    expect(stderr).toMatch(
      /^event-bus relay: BROKER_UNAVAILABLE: Could not connect to Redis at redis:\/\/:\*\*\*@127\.0\.0\.1:\d+: Redis refused the user name or password \(WRONGPASS\)\. Correct the password/,
    );
    expect(stderr).not.toContain(WRONG);
  });

  it("names a port nobody listens on", async () => {
    const port = await freePort();
    const { code, stderr } = await relay(["--port", "0"], {
      EVENT_BUS_REDIS_URL: `redis://127.0.0.1:${port}`,
    });
    expect(code).toBe(1);
    expect(stderr).toContain(
      `at redis://127.0.0.1:${port}: nothing accepts connections there (ECONNREFUSED)`,
    );
  });

  it("says ADDRESS_IN_USE with a hint when its port is taken", async () => {
    const { code, stdout, stderr } = await relay(["--port", String(takenPort)], {});
    expect(code).toBe(1);
    expect(stdout).toBe("");
    expect(stderr.trim().split("\n")).toEqual([
      expect.stringMatching(
        new RegExp(
          `^event-bus relay: ADDRESS_IN_USE: Another process is listening on 127\\.0\\.0\\.1:${takenPort} \\(EADDRINUSE\\)\\. Stop the process holding the port, or choose another port \\(--port / PORT`,
        ),
      ),
    ]);
  });

  it("refuses a JWT_SECRET shorter than 32 bytes with CONFIG_INVALID and the override's name, exit 2", async () => {
    const { code, stdout, stderr } = await relay(["--port", "0"], { JWT_SECRET: "a" });
    expect(code).toBe(2);
    expect(stdout).toBe("");
    expect(stderr).toMatch(
      /^event-bus relay: CONFIG_INVALID: auth\.secret \(JWT_SECRET\) is 1 bytes; use at least 32/,
    );
    expect(stderr).toContain("EVENT_BUS_DANGEROUSLY_ALLOW_SHORT_SECRET");
  });
});
