/**
 * Chaos: the webhook dispatcher as a real process (`event-bus webhooks --config …`) delivering to
 * three real local receivers — one failing 50 % of requests at random, one down (connections
 * reset) for WEBHOOK_CHAOS_OUTAGE_MS (default 20 s), one answering half of the events' first
 * requests slower than the timeout (it still commits them: the retry is a duplicate) — while it is SIGKILLed mid-run and restarted. Every event is seen
 * exactly once by each idempotent receiver (deduplicated by webhook-id); 0 lost.
 */
import { writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, expect, it } from "vitest";
import { createId } from "../../protocol/ids.js";
import { EventBusClient } from "../../relay/backend/client.js";
import { spawnTracked, stopProcess, waitForOutput } from "../harness/processes.js";
import { type RedisServer, startRedis } from "../harness/redis-server.js";
import { newSecret, startWebhookReceiver, type WebhookReceiver } from "../helpers/webhook-receiver.js";
import { silentLogger } from "../integration/backend/silent-logger.js";
import { recordRow } from "./support/report.js";

const ROOT = fileURLToPath(new URL("../..", import.meta.url));
const OUTAGE_MS = Number(process.env.WEBHOOK_CHAOS_OUTAGE_MS ?? 20_000);
const EVENTS = 300;
const TIMEOUT_MS = 800;

let redis: RedisServer;
const receivers: WebhookReceiver[] = [];

beforeAll(async () => {
  redis = await startRedis();
});
afterAll(async () => {
  for (const r of receivers) await r.close();
  await redis?.stop();
});

it(
  `every event exactly once at 3 hostile receivers (50 % failures, ${OUTAGE_MS / 1000} s down, slow) across a SIGKILL`,
  async () => {
    const prefix = `wc${createId().slice(-6)}:`;
    const secret = newSecret();
    let outageEnds = Number.POSITIVE_INFINITY;
    const flaky = await startWebhookReceiver(secret, () =>
      Math.random() < 0.5 ? { status: 500 } : { status: 200 },
    );
    const down = await startWebhookReceiver(secret, () =>
      Date.now() < outageEnds ? "drop" : { status: 204 },
    );
    const seenSlow = new Set<string>();
    const slow = await startWebhookReceiver(secret, (req) => {
      const id = String(req.headers["webhook-id"]);
      if (seenSlow.has(id)) return { status: 200 };
      seenSlow.add(id);
      if (Math.random() < 0.5) return { status: 200 };
      return { status: 200, delayMs: TIMEOUT_MS * 2 };
    });
    receivers.push(flaky, down, slow);
    const config = join(tmpdir(), `webhooks-chaos-${process.pid}-${createId().slice(-6)}.json`);
    writeFileSync(
      config,
      JSON.stringify({
        eventTypes: ["order.created"],
        endpoints: [
          { id: "flaky", url: flaky.url, secrets: ["env:WH_SECRET"], types: ["order.*"] },
          { id: "down", url: down.url, secrets: ["env:WH_SECRET"], types: ["order.*"] },
          { id: "slow", url: slow.url, secrets: ["env:WH_SECRET"], types: ["order.created"] },
        ],
        allowHttp: true,
        allowNetworks: ["127.0.0.1/32"],
        timeoutMs: TIMEOUT_MS,
        leaseMs: TIMEOUT_MS + 2000,
        retrySchedule: [100, 200, 400, 800, 1600, 3200, ...Array(20).fill(5000)],
        breaker: { failureThreshold: 10, cooldownMs: 2000 },
        pollIntervalMs: 200,
        groups: { claimIdleMs: 2000, pollIntervalMs: 200 },
      }),
    );
    const env = {
      ...process.env,
      EVENT_BUS_REDIS_URL: redis.url,
      EVENT_BUS_PREFIX: prefix,
      WH_SECRET: secret,
      EVENT_BUS_LOG_LEVEL: "error",
    };
    const startDispatcher = async () => {
      const child = spawnTracked(
        process.execPath,
        ["--import", "tsx", "relay/cli/main.ts", "webhooks", "--config", config],
        {
          cwd: ROOT,
          env,
        },
      );
      child.stderr?.resume();
      await waitForOutput(child, /event-bus webhooks running/, 60_000);
      child.stdout?.resume();
      return child;
    };

    const bus = new EventBusClient({
      serviceName: "chaos-publisher",
      redis: redis.url,
      prefix,
      logger: silentLogger,
    });
    await bus.connect();
    try {
      let dispatcher = await startDispatcher();
      const started = Date.now();
      outageEnds = Date.now() + OUTAGE_MS;
      const ids: string[] = [];
      for (let i = 0; i < EVENTS; i++) {
        ids.push((await bus.publish("order.created", { seq: i })).id);
        if (i === EVENTS / 3) {
          // Mid-run: wait until the dispatcher is busy delivering, then kill it without warning.
          await flaky.unique.waitFor(20, 60_000);
          await stopProcess(dispatcher, "SIGKILL");
        }
        if (i === (EVENTS * 2) / 3) dispatcher = await startDispatcher(); // published meanwhile: kept in the group
      }
      const deadline = OUTAGE_MS + 120_000;
      for (const r of [flaky, down, slow]) {
        await r.unique.waitFor(EVENTS, deadline);
        const got = r.unique.items.map((w) => w.id);
        expect(new Set(got).size).toBe(EVENTS);
        expect(new Set(got)).toEqual(new Set(ids));
      }
      const report = {
        requests: { flaky: flaky.requests(), down: down.requests(), slow: slow.requests() },
        redeliveriesDeduplicated: {
          flaky: flaky.duplicates(),
          down: down.duplicates(),
          slow: slow.duplicates(),
        },
        badSignatures: flaky.rejectedSignatures() + down.rejectedSignatures() + slow.rejectedSignatures(),
      };
      expect(report.badSignatures).toBe(0);
      const took = ((Date.now() - started) / 1000).toFixed(1);
      recordRow({
        scenario: `webhooks: dispatcher process SIGKILLed and restarted; receivers failing 50 %, down ${OUTAGE_MS / 1000} s, slow past the timeout`,
        runs: 1,
        events: EVENTS * 3,
        lost: 0,
        duplicated: 0,
        gaps: 0,
        maxMemoryMb: null,
        result: "pass",
        notes: `${EVENTS} events to each of 3 endpoints, each webhook-id accepted once per receiver; requests ${JSON.stringify(report.requests)}; redeliveries the receivers de-duplicated ${JSON.stringify(report.redeliveriesDeduplicated)}; all delivered ${took} s after the first publish; 0 bad signatures`,
      });
      await stopProcess(dispatcher, "SIGTERM", 15_000);
      expect(dispatcher.exitCode).toBe(0);
    } finally {
      await bus.disconnect();
    }
  },
  OUTAGE_MS + 240_000,
);
