/**
 * Chaos: a network that silently stops carrying packets — no reset, the connections look alive —
 * between the relay and Redis, then between a client and the relay (issue 21, item 5). A TCP proxy
 * that stops forwarding stands for the network (support/chaos-proxy.ts `setStalled`; the same fault
 * with `iptables -j DROP` in network namespaces is `npm run bench -- --only=8`). The relay runs with
 * short heartbeats (Redis health pings every 500 ms, socket.io ping 500 ms + 500 ms) so the test
 * stays short; the defaults and their detection times are in docs/operations.md.
 * Asserted: the silence is noticed by itself, and once the path is back nothing is lost silently,
 * duplicated or reordered (the delivery ledger). Detection and recovery times are printed.
 */
import { afterAll, beforeAll, expect, it } from "vitest";
import { encodeEvent } from "../../protocol/codec.js";
import { createDevToken } from "../../relay/auth/dev-token.js";
import type { Broker, BrokerStatus } from "../../relay/brokers/broker.js";
import { createBroker } from "../../relay/brokers/create-broker.js";
import { type RedisServer, startRedis } from "../harness/redis-server.js";
import { closeAllBuses, testBus } from "../helpers/client-bus.js";
import { startTestRelay, TEST_SECRET, type TestRelay } from "../helpers/relay-server.js";
import { eventually } from "../helpers/wait.js";
import { type ChaosProxy, startChaosProxy } from "./support/chaos-proxy.js";
import { DeliveryLedger, isClean } from "./support/ledger.js";
import { recordRow } from "./support/report.js";
import { type ObservedBus, observeBus } from "./support/traffic.js";

const HEARTBEAT_MS = 500;
/** How long the path stays silent after the silence was noticed (an outage length, not a wait). */
const EXTRA_SILENCE_MS = 1000;
const ROOM = "sd:room";

let redis: RedisServer;
let redisPath: ChaosProxy;
let relay: TestRelay;
let clientPath: ChaosProxy;
let backend: Broker;

beforeAll(async () => {
  redis = await startRedis();
  redisPath = await startChaosProxy([redis.port]);
  relay = await startTestRelay({
    broker: {
      broker: "redis",
      url: `redis://127.0.0.1:${redisPath.port}`,
      tuning: { healthCheckMs: HEARTBEAT_MS },
    },
    heartbeat: { intervalMs: HEARTBEAT_MS, timeoutMs: HEARTBEAT_MS },
  });
  clientPath = await startChaosProxy([Number(new URL(relay.url).port)]);
  backend = createBroker({ broker: "redis", url: redis.url });
  await backend.connect();
});

afterAll(async () => {
  closeAllBuses();
  await relay?.close();
  await clientPath?.close();
  await redisPath?.close();
  await backend?.close();
  await redis?.stop();
});

/** Publishes to the room and each user channel every 20 ms until stopped; acknowledgements go to the ledger. */
function traffic(ledger: DeliveryLedger, channels: readonly string[]) {
  let stop = false;
  let seq = 0;
  const run = (async () => {
    while (!stop) {
      for (const channel of channels) {
        const n = seq++;
        const { json, envelope } = encodeEvent({ type: "sd.event", data: { n }, source: "backend" });
        const position = await backend.publishRecoverable(channel, json);
        ledger.published(channel, "backend", n, envelope.id, position);
      }
      await new Promise((r) => setTimeout(r, 20)); // the traffic rate
    }
  })();
  return {
    published: () => seq,
    async stop() {
      stop = true;
      await run;
    },
  };
}

function nextStatus(broker: Broker, wanted: BrokerStatus): Promise<number> {
  return new Promise((resolve) => {
    const off = broker.on("status", (status) => {
      if (status !== wanted) return;
      off();
      resolve(performance.now());
    });
  });
}

async function settle(ledger: DeliveryLedger, buses: readonly ObservedBus[], channels: readonly string[]) {
  for (const bus of buses) {
    for (const channel of channels.filter((c) => c === `room:${ROOM}` || c === `user:${bus.name}`)) {
      const newest = ledger.lastAcknowledged(channel) as string;
      await eventually(() => ledger.has(bus.name, channel, newest), {
        timeoutMs: 20_000,
        label: `${bus.name} newest`,
      });
    }
  }
}

it("silent relay↔Redis and client↔relay paths are noticed by heartbeats; nothing is lost once they return", async () => {
  const ledger = new DeliveryLedger();
  const names = ["sd0", "sd1"];
  const buses = names.map((name) =>
    observeBus(
      ledger,
      name,
      testBus(clientPath.url, () => createDevToken({ sub: name, secret: TEST_SECRET, rooms: ["sd:*"] })),
    ),
  );
  for (const bus of buses) {
    await bus.bus.joinRoom(ROOM);
    for (const channel of [`room:${ROOM}`, `user:${bus.name}`]) ledger.subscribe(bus.name, channel);
  }
  const channels = [`room:${ROOM}`, ...names.map((n) => `user:${n}`)];
  const flow = traffic(ledger, channels);
  await eventually(() => buses.every((b) => ledger.count(b.name, `room:${ROOM}`) >= 10), {
    label: "traffic",
  });

  // 1. relay ↔ Redis goes silent.
  const brokerDown = nextStatus(relay.broker, "reconnecting");
  const brokerUp = nextStatus(relay.broker, "ready");
  const silentAt = performance.now();
  redisPath.setStalled(true);
  const noticedAt = await brokerDown;
  await new Promise((r) => setTimeout(r, EXTRA_SILENCE_MS));
  const backAt = performance.now();
  redisPath.setStalled(false);
  const readyAt = await brokerUp;
  await settle(ledger, buses, channels);
  const redisFigures = { detect: noticedAt - silentAt, ready: readyAt - backAt };

  // 2. client ↔ relay goes silent (both clients' connections).
  const disconnected = buses.map(
    (b) =>
      new Promise<number>((resolve) => {
        const off = b.bus.on("status", ({ status }) => {
          if (status === "connected") return;
          off();
          resolve(performance.now());
        });
      }),
  );
  const clientSilentAt = performance.now();
  clientPath.setStalled(true);
  const clientNoticed = await Promise.all(disconnected);
  await eventually(() => relay.relay.io.sockets.sockets.size === 0, {
    label: "relay dropped the silent sockets",
  });
  const relayNoticedAt = performance.now();
  await new Promise((r) => setTimeout(r, EXTRA_SILENCE_MS));
  clientPath.setStalled(false);
  await settle(ledger, buses, channels);
  await flow.stop();
  await settle(ledger, buses, channels);

  const audit = ledger.audit();
  const clientDetect = clientNoticed.map((t) => t - clientSilentAt);
  recordRow({
    scenario:
      "silent packet loss (no reset): relay↔Redis, then client↔relay (TCP proxy that stops forwarding)",
    runs: 2,
    events: audit.expected,
    lost: audit.lost,
    duplicated: audit.duplicated,
    gaps: audit.gaps,
    maxMemoryMb: null,
    result: isClean(audit) && audit.gaps === 0 ? "pass" : "fail",
    notes:
      `heartbeats ${HEARTBEAT_MS} ms (Redis PING; socket.io ping interval and timeout); relay↔Redis silence noticed after ` +
      `${(redisFigures.detect / 1000).toFixed(2)} s, ready ${(redisFigures.ready / 1000).toFixed(2)} s after the path returned; ` +
      `client↔relay silence noticed by the SDKs after ${clientDetect.map((t) => (t / 1000).toFixed(2)).join("/")} s and by the relay after ` +
      `${((relayNoticedAt - clientSilentAt) / 1000).toFixed(2)} s; ${flow.published()} publishes, ${audit.delivered} deliveries, ` +
      `${buses.map((b) => b.recovered).join("/")} recovered from history`,
  });
  expect(audit).toMatchObject({ lost: 0, duplicated: 0, outOfOrder: 0, unknown: 0, gaps: 0 });
  expect(buses.every((b) => b.recovered > 0)).toBe(true);
});
