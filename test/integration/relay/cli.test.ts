/**
 * The operator commands as processes: `event-bus relay` refuses a bad configuration with one line and
 * a non-zero exit; `event-bus tail` prints what `event-bus publish` sends, with channel and offset.
 */
import { type ChildProcess, execFile } from "node:child_process";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";
import { spawnTracked, waitForOutput } from "../../harness/processes.js";
import { useBrokerFixture } from "../../helpers/relay-brokers.js";

const ROOT = fileURLToPath(new URL("../../..", import.meta.url));
const run = promisify(execFile);

function cli(args: string[], env: Record<string, string>) {
  return run(process.execPath, ["--import", "tsx", "relay/cli/main.ts", ...args], {
    cwd: ROOT,
    env: { ...process.env, ...env },
  });
}

async function exitOf(child: ChildProcess): Promise<number | null> {
  if (child.exitCode !== null) return child.exitCode;
  return new Promise((resolve) => child.once("exit", (code) => resolve(code)));
}

describe("event-bus relay", () => {
  it("exits 2 with one line naming the setting when the configuration is wrong", async () => {
    const failure = await cli(["relay"], { JWT_SECRET: "", JWKS_URL: "", EVENT_BUS_REDIS_URL: "" }).catch(
      (error: { code: number; stderr: string }) => error,
    );
    expect(failure).toMatchObject({ code: 2 });
    const stderr = (failure as { stderr: string }).stderr.trim();
    expect(stderr.split("\n")).toHaveLength(1);
    expect(stderr).toMatch(/^event-bus relay: CONFIG_INVALID: no JWT key: set JWT_SECRET/);
  });
});

describe("event-bus publish and tail", () => {
  const fixture = useBrokerFixture("redis");

  it("tails what publish sends, with channel and offset", async () => {
    const env = fixture.current.env();
    const tail = spawnTracked(
      process.execPath,
      ["--import", "tsx", "relay/cli/main.ts", "tail", "room:photo:*", "--count", "2"],
      {
        cwd: ROOT,
        env: { ...process.env, ...env },
      },
    );
    let output = "";
    tail.stdout?.on("data", (chunk: Buffer) => {
      output += chunk.toString();
    });
    await waitForOutput(tail, /tailing room:photo:\*/, 20_000);
    const published = await cli(["publish", "comment.added", '{"text":"hi"}', "--room", "photo:1"], env);
    expect(published.stdout).toContain("published to room:photo:1 at offset 1");
    await cli(["publish", "photo.uploaded", '{"photoId":"p1"}', "--user", "u1"], env);
    await cli(["publish", "comment.added", '{"text":"again"}', "--room", "photo:2"], env);
    expect(await exitOf(tail)).toBe(0);
    const lines = output.trim().split("\n");
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatch(/room:photo:1 {2}#1 {2}comment\.added {2}\{"text":"hi"\}$/);
    expect(lines[1]).toMatch(/room:photo:2 {2}#1 {2}comment\.added/);
  });

  it("refuses to publish without Redis", async () => {
    const failure = await cli(["publish", "a.b", "{}", "--user", "u1"], {
      EVENT_BUS_REDIS_URL: "",
      EVENT_BUS_REDIS_CLUSTER: "",
    }).catch((error: { code: number; stderr: string }) => error);
    expect(failure).toMatchObject({ code: 2 });
    expect((failure as { stderr: string }).stderr).toContain("EVENT_BUS_REDIS_URL");
  });
});
