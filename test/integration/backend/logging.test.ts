/**
 * The backend library's logs: quiet by default (warn), so "broker ready" and friends never mix into
 * an app's stdout; EVENT_BUS_LOG_LEVEL=info brings them back; and an app's own pino instance,
 * passed as `logger`, receives them as a child tagged `component: "event-bus"`.
 */
import { execFile } from "node:child_process";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { pino } from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { EventBusClient } from "../../../relay/backend/index.js";
import { type RedisServer, startRedis } from "../../harness/redis-server.js";

const ROOT = fileURLToPath(new URL("../../..", import.meta.url));
const run = promisify(execFile);
let redis: RedisServer;

beforeAll(async () => {
  redis = await startRedis();
});
afterAll(async () => {
  await redis?.stop();
});

function probe(env: Record<string, string>) {
  return run(process.execPath, ["--import", "tsx", "test/integration/backend/support/log-probe.ts"], {
    cwd: ROOT,
    env: { ...process.env, EVENT_BUS_LOG_LEVEL: "", PROBE_REDIS_URL: redis.url, ...env }, // "" = unset
    timeout: 30_000,
  });
}

describe("backend logging", () => {
  it("prints nothing by default while all is well", async () => {
    const { stdout, stderr } = await probe({});
    expect(stdout).toBe("");
    expect(stderr).toBe("");
  });

  it("prints its info lines when EVENT_BUS_LOG_LEVEL=info", async () => {
    const { stdout } = await probe({ EVENT_BUS_LOG_LEVEL: "info" });
    const lines = stdout
      .trim()
      .split("\n")
      .map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(lines).toContainEqual(
      expect.objectContaining({ level: 30, service: "probe", msg: "event-bus: broker ready" }),
    );
  });

  it("writes to the app's own pino, tagged component: event-bus, at the app's level", async () => {
    const lines: Record<string, unknown>[] = [];
    const appLogger = pino(
      { level: "info", base: { app: "photos" } },
      { write: (line: string) => void lines.push(JSON.parse(line) as Record<string, unknown>) },
    );
    const bus = new EventBusClient({ serviceName: "api", redis: redis.url, logger: appLogger });
    await bus.connect();
    await bus.disconnect();
    expect(lines).toContainEqual(
      expect.objectContaining({ app: "photos", component: "event-bus", msg: "event-bus: broker ready" }),
    );
  });
});
