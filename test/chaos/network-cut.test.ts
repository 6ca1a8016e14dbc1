/**
 * Chaos: the network between browsers and the relay fails again and again while events flow both
 * ways. Each client reaches the relay (a real relay process on Redis) through its own TCP proxy;
 * a cut resets its connection mid-stream (ECONNRESET on both ends), and some cuts are followed by
 * an outage during which reconnects are refused. Backend → user, room and broadcast channels;
 * clients → the room through their outbox. Every event arrives once, in order, without a gap.
 */
import { afterAll, beforeAll, expect, it } from "vitest";
import { createDevToken } from "../../relay/auth/dev-token.js";
import { type RedisServer, startRedis } from "../harness/redis-server.js";
import { closeAllBuses, statusReached, testBus } from "../helpers/client-bus.js";
import { type RelayProcess, startRelayProcess } from "../helpers/relay-process.js";
import { TEST_SECRET } from "../helpers/relay-server.js";
import { eventually } from "../helpers/wait.js";
import { type ChaosBackend, startBackend } from "./support/backend.js";
import { type ChaosProxy, startChaosProxy } from "./support/chaos-proxy.js";
import { DeliveryLedger, isClean } from "./support/ledger.js";
import { rssPeak } from "./support/relay-probe.js";
import { recordRow } from "./support/report.js";
import {
  type BackendTarget,
  backendTraffic,
  clientTraffic,
  logRound,
  type ObservedBus,
  observeBus,
} from "./support/traffic.js";

const CLIENTS = 5;
const ROUNDS = 18;
const ROOM = "chaos:network-cut";

let redis: RedisServer;
let relay: RelayProcess;
let backend: ChaosBackend;
const proxies: ChaosProxy[] = [];

beforeAll(async () => {
  redis = await startRedis();
  relay = await startRelayProcess({ EVENT_BUS_REDIS_URL: redis.url, LOG_LEVEL: "error" });
  backend = await startBackend(redis.url);
});

afterAll(async () => {
  closeAllBuses();
  await Promise.all(proxies.map((p) => p.close()));
  await backend?.close();
  await relay?.kill();
  await redis?.stop();
});

/** A small deterministic PRNG (mulberry32): the same cut pattern on every run. */
function prng(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

it("18 rounds of connection resets and outages during traffic both ways: 0 lost, 0 duplicated", async () => {
  const memory = rssPeak(relay.child.pid);
  const relayPort = Number(new URL(relay.url).port);
  const ledger = new DeliveryLedger();
  const buses: ObservedBus[] = [];
  for (let i = 0; i < CLIENTS; i++) {
    const name = `nc${i}`;
    const proxy = await startChaosProxy([relayPort]);
    proxies.push(proxy);
    const bus = testBus(proxy.url, () =>
      createDevToken({ sub: name, secret: TEST_SECRET, rooms: ["chaos:*"], publish: ["chaos:*"] }),
    );
    buses.push(observeBus(ledger, name, bus));
    for (const channel of [`user:${name}`, `room:${ROOM}`, "broadcast"]) ledger.subscribe(name, channel);
    await bus.joinRoom(ROOM);
  }
  const { epoch } = await backend.broker.position(`room:${ROOM}`);
  const targets: BackendTarget[] = [
    ...buses.map((b) => ({ kind: "user" as const, userId: b.name })),
    { kind: "room", room: ROOM },
    { kind: "broadcast" },
  ];
  const down = backendTraffic(ledger, backend.client, targets, { intervalMs: 10 });
  const up = clientTraffic(ledger, buses, ROOM, epoch, { intervalMs: 20 });
  const random = prng(9);
  let outages = 0;

  for (let round = 0; round < ROUNDS; round++) {
    await down.acknowledged(60);
    const drawn = proxies.filter(() => random() < 0.6);
    const victims =
      drawn.length > 0 ? drawn : proxies.slice(round % proxies.length, (round % proxies.length) + 1);
    const outage = round % 3 === 2;
    for (const proxy of victims) {
      if (outage) proxy.setDown(true);
      proxy.cut();
    }
    if (outage) {
      outages++;
      // The network stays down for a while (an outage length, not a synchronisation).
      await new Promise((resolve) => setTimeout(resolve, 150 + Math.floor(random() * 300)));
      for (const proxy of victims) proxy.setDown(false);
    }
    for (const b of buses) await statusReached(b.bus, "connected", 20_000);
    await up.acknowledged(10);
    logRound(
      `round ${round + 1}/${ROUNDS}: ${victims.length} connections reset${outage ? ", outage" : ""}`,
      ledger,
      buses,
    );
  }
  await down.acknowledged(60);
  await Promise.all([down.stop(), up.stop()]);

  await eventually(() => ledger.audit().lost === 0, { timeoutMs: 20_000, label: "every event delivered" });
  const audit = ledger.audit();
  const cuts = proxies.reduce((sum, p) => sum + p.cuts, 0);
  const recovered = buses.reduce((sum, b) => sum + b.recovered, 0);
  const reconnects = buses.reduce((sum, b) => sum + b.reconnects, 0);
  const ok = isClean(audit) && audit.gaps === 0 && down.failures === 0 && up.failures === 0;
  recordRow({
    scenario: "client network cut (TCP reset; outages refusing reconnects)",
    runs: cuts,
    events: audit.expected,
    lost: audit.lost,
    duplicated: audit.duplicated,
    gaps: audit.gaps,
    maxMemoryMb: memory.stop(),
    result: ok ? "pass" : "fail",
    notes: `${ROUNDS} rounds, ${outages} with outages; ${audit.published} publishes (backend ${down.sent}, browsers ${up.sent}), ${audit.delivered} deliveries; ${reconnects} reconnects; ${recovered} events recovered from history`,
  });
  expect(audit.examples).toEqual([]);
  expect(audit).toMatchObject({ lost: 0, duplicated: 0, outOfOrder: 0, unknown: 0, gaps: 0 });
  expect(down.failures).toBe(0);
  expect(up.failures).toBe(0);
  expect(cuts).toBeGreaterThanOrEqual(ROUNDS);
  expect(reconnects).toBeGreaterThanOrEqual(cuts);
  expect(recovered).toBeGreaterThan(0);
});
