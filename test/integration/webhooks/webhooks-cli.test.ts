/**
 * `event-bus webhooks` as a process: help needs no configuration, usage errors exit 2 with the
 * usage, a bad config file is named (exit 2), and dead letters are listed and replayed per
 * endpoint against real Redis.
 */
import { execFile } from "node:child_process";
import { writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createId } from "../../../protocol/ids.js";
import { EventBusClient } from "../../../relay/backend/client.js";
import { createWebhookDispatcher } from "../../../relay/webhooks/webhook-dispatcher.js";
import { spawnTracked, stopProcess, waitForOutput } from "../../harness/processes.js";
import { type RedisServer, startRedis } from "../../harness/redis-server.js";
import { eventually } from "../../helpers/wait.js";
import { newSecret, startWebhookReceiver } from "../../helpers/webhook-receiver.js";
import { silentLogger } from "../backend/silent-logger.js";

const ROOT = fileURLToPath(new URL("../../..", import.meta.url));
const exec = promisify(execFile);

async function cli(args: string[], env: Record<string, string> = {}) {
  try {
    const { stdout, stderr } = await exec(
      process.execPath,
      ["--import", "tsx", "relay/cli/main.ts", "webhooks", ...args],
      {
        cwd: ROOT,
        env: { ...process.env, EVENT_BUS_REDIS_URL: "", ...env },
      },
    );
    return { code: 0, stdout, stderr };
  } catch (error) {
    const { code, stdout, stderr } = error as { code: number; stdout: string; stderr: string };
    return { code, stdout, stderr };
  }
}

const file = (content: unknown) => {
  const path = join(tmpdir(), `webhooks-cli-${process.pid}-${createId().slice(-8)}.json`);
  writeFileSync(path, typeof content === "string" ? content : JSON.stringify(content));
  return path;
};

describe("event-bus webhooks", () => {
  let redis: RedisServer;
  beforeAll(async () => {
    redis = await startRedis();
  });
  afterAll(async () => {
    await redis.stop();
  });

  it("prints --help without configuration; usage errors exit 2 with the usage", async () => {
    const help = await cli(["--help"]);
    expect(help).toMatchObject({ code: 0, stderr: "" });
    expect(help.stdout).toContain("event-bus webhooks [run] --config <webhooks.json>");
    const missing = await cli([]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain("--config <webhooks.json> is required.");
    expect(missing.stderr).toContain("Usage: event-bus webhooks");
    const noEndpoint = await cli(["replay", "--config", "x.json"]);
    expect(noEndpoint.code).toBe(2);
    expect(noEndpoint.stderr).toContain("replay needs --endpoint <id>.");
  });

  it("names what is wrong in the config file (exit 2)", async () => {
    const notJson = await cli(["--config", file("{")]);
    expect(notJson.code).toBe(2);
    expect(notJson.stderr).toMatch(/cannot be read as JSON/);
    const unknown = await cli(["--config", file({ eventTypes: ["a.b"], endpoints: [], retries: 3 })]);
    expect(unknown.stderr).toContain('unknown setting "retries"');
    const unsetSecret = await cli([
      "--config",
      file({
        eventTypes: ["a.b"],
        endpoints: [{ id: "x", url: "https://h.example", secrets: ["env:NOPE_NOT_SET"], types: ["a.*"] }],
      }),
    ]);
    expect(unsetSecret.code).toBe(2);
    expect(unsetSecret.stderr).toContain("names NOPE_NOT_SET, which is not set");
    const plainHttp = await cli(
      [
        "--config",
        file({
          eventTypes: ["a.b"],
          endpoints: [{ id: "x", url: "http://h.example", secrets: [newSecret()], types: ["a.*"] }],
        }),
      ],
      { EVENT_BUS_REDIS_URL: redis.url },
    );
    expect(plainHttp.code).toBe(2);
    expect(plainHttp.stderr).toContain("must be https://");
  });

  it("lists and replays an endpoint's dead letters", async () => {
    const prefix = `c${createId().slice(-6)}:`;
    const secret = newSecret();
    const receiver = await startWebhookReceiver(secret, () => ({ status: 500 }));
    const config = {
      eventTypes: ["order.created"],
      endpoints: [{ id: "orders", url: receiver.url, secrets: ["env:WH_SECRET"], types: ["order.*"] }],
      allowHttp: true,
      allowNetworks: ["127.0.0.1"],
      retrySchedule: [],
    };
    const bus = new EventBusClient({
      serviceName: "cli-test",
      redis: redis.url,
      prefix,
      logger: silentLogger,
    });
    await bus.connect();
    const dispatcher = createWebhookDispatcher({
      ...config,
      endpoints: [{ ...config.endpoints[0], secrets: [secret] } as never],
      bus,
      store: redis.url,
      prefix,
      logger: silentLogger,
    });
    try {
      await dispatcher.start();
      const { id } = await bus.publish("order.created", { n: 1 });
      await eventually(async () => (await dispatcher.deadLetters.list("orders")).length === 1, {
        label: "dead letter",
      });
      const env = { EVENT_BUS_REDIS_URL: redis.url, EVENT_BUS_PREFIX: prefix, WH_SECRET: secret };
      const path = file(config);
      const listed = await cli(["dead-letters", "--config", path, "--endpoint", "orders", "--json"], env);
      expect(listed.code).toBe(0);
      expect(JSON.parse(listed.stdout.trim())).toMatchObject({
        eventId: id,
        reason: "HTTP 500",
        attempts: 1,
      });
      receiver.setBehaviour(() => ({ status: 200 }));
      const replayed = await cli(["replay", "--config", path, "--endpoint", "orders"], env);
      expect(replayed).toMatchObject({ code: 0 });
      expect(replayed.stdout).toContain("1 dead letter(s) of orders queued again");
      await receiver.unique.waitFor(1);
      expect(receiver.unique.items[0]?.id).toBe(id);
    } finally {
      await dispatcher.stop();
      await bus.disconnect();
      await receiver.close();
    }
  });

  it("runs until SIGTERM (exit 0), delivering, with /metrics and /healthz on --metrics-port", async () => {
    const prefix = `r${createId().slice(-6)}:`;
    const secret = newSecret();
    const receiver = await startWebhookReceiver(secret);
    const path = file({
      eventTypes: ["order.created"],
      endpoints: [{ id: "orders", url: receiver.url, secrets: ["env:WH_SECRET"], types: ["order.created"] }],
      allowHttp: true,
      allowNetworks: ["127.0.0.1"],
    });
    const child = spawnTracked(
      process.execPath,
      ["--import", "tsx", "relay/cli/main.ts", "webhooks", "--config", path, "--metrics-port", "0"],
      {
        cwd: ROOT,
        env: { ...process.env, EVENT_BUS_REDIS_URL: redis.url, EVENT_BUS_PREFIX: prefix, WH_SECRET: secret },
      },
    );
    let output = "";
    child.stdout?.on("data", (c: Buffer) => (output += c.toString()));
    child.stderr?.resume();
    const bus = new EventBusClient({
      serviceName: "cli-run",
      redis: redis.url,
      prefix,
      logger: silentLogger,
    });
    try {
      await waitForOutput(child, /event-bus webhooks running/, 60_000);
      await bus.connect();
      const { id } = await bus.publish("order.created", { n: 1 });
      await receiver.unique.waitFor(1);
      expect(receiver.unique.items[0]?.id).toBe(id);
      const port = /metrics on http:\/\/127\.0\.0\.1:(\d+)\/metrics/.exec(output)?.[1];
      await eventually(
        async () => {
          const text = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
          return /eventbus_webhooks_delivered_total\{endpoint="orders"\} 1/.test(text);
        },
        { label: "delivered metric" },
      );
      const health = (await (await fetch(`http://127.0.0.1:${port}/healthz`)).json()) as {
        endpoint: string;
      }[];
      expect(health[0]).toMatchObject({ endpoint: "orders", breaker: "closed", disabled: null });
      await stopProcess(child, "SIGTERM", 15_000);
      expect(child.exitCode).toBe(0);
    } finally {
      await stopProcess(child, "SIGKILL");
      await bus.disconnect();
      await receiver.close();
    }
  });
});
