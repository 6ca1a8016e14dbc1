/**
 * Chaos: Redis is SIGKILLed during steady traffic and restarted empty (no persistence: every
 * history is lost), three times. Two relay processes and the backend recover by themselves; every
 * client is told `gap` on each of its channels, and apart from what those gaps cover nothing is
 * lost, duplicated or reordered — and every client ends with the last event of every channel
 * (never silently behind).
 */
import { afterAll, beforeAll, expect, it } from "vitest";
import { createDevToken } from "../../relay/auth/dev-token.js";
import { type RedisServer, startRedis } from "../harness/redis-server.js";
import { closeAllBuses, testBus } from "../helpers/client-bus.js";
import { TEST_SECRET } from "../helpers/relay-server.js";
import { eventually } from "../helpers/wait.js";
import { type ChaosBackend, startBackend } from "./support/backend.js";
import { DeliveryLedger, isClean } from "./support/ledger.js";
import { type RelayFleet, startRelayFleet } from "./support/relay-fleet.js";
import { readyz } from "./support/relay-probe.js";
import { recordRow } from "./support/report.js";
import {
  type BackendTarget,
  backendTraffic,
  channelOf,
  clientTraffic,
  logRound,
  type ObservedBus,
  observeBus,
} from "./support/traffic.js";

const CLIENTS = 4;
/** How long Redis stays dead in each run (an outage length, not a synchronisation). */
const OUTAGES_MS = [200, 700, 1500];
const ROOM = "chaos:redis-crash";

let redis: RedisServer;
let fleet: RelayFleet;
let backend: ChaosBackend;

beforeAll(async () => {
  redis = await startRedis();
  fleet = await startRelayFleet(2, { EVENT_BUS_REDIS_URL: redis.url, LOG_LEVEL: "error" });
  backend = await startBackend(redis.url);
});

afterAll(async () => {
  closeAllBuses();
  await backend?.close();
  await fleet?.stop();
  await redis?.stop();
});

it("SIGKILL Redis 3 times during traffic: everyone recovers by itself, gaps reported, nothing else lost", async () => {
  const ledger = new DeliveryLedger();
  const buses: ObservedBus[] = [];
  for (let i = 0; i < CLIENTS; i++) {
    const name = `rk${i}`;
    const bus = testBus(fleet.url, () =>
      createDevToken({ sub: name, secret: TEST_SECRET, rooms: ["chaos:*"], publish: ["chaos:*"] }),
    );
    buses.push(observeBus(ledger, name, bus));
    for (const channel of [`user:${name}`, `room:${ROOM}`, "broadcast"]) ledger.subscribe(name, channel);
    await bus.joinRoom(ROOM);
  }
  const targets: BackendTarget[] = [
    ...buses.map((b) => ({ kind: "user" as const, userId: b.name })),
    { kind: "room", room: ROOM },
    { kind: "broadcast" },
  ];
  const traffic = backendTraffic(ledger, backend.client, targets, { intervalMs: 10 });
  // Browsers publish into the room too; their acks carry no epoch, so those are counted apart.
  const up = clientTraffic(ledger, buses.slice(0, 2), ROOM, undefined, { intervalMs: 30 });
  const recoveryMs: number[] = [];

  for (const [run, outageMs] of OUTAGES_MS.entries()) {
    await traffic.acknowledged(150);
    await redis.kill();
    await new Promise((resolve) => setTimeout(resolve, outageMs));
    await redis.restart();
    const restartedAt = Date.now();
    // Relays report ready again, the backend's publishes flow, and every client heard of the loss.
    await eventually(
      async () => (await Promise.all(fleet.relays.map((r) => readyz(r.url)))).every((s) => s === 200),
      { timeoutMs: 20_000, intervalMs: 50, label: "both relays ready again" },
    );
    await traffic.acknowledged(targets.length * 5);
    await eventually(() => buses.every((b) => b.gaps >= 3 * (run + 1)), {
      timeoutMs: 20_000,
      label: "a gap on every channel of every client",
    });
    recoveryMs.push(Date.now() - restartedAt);
    logRound(`Redis kill ${run + 1}/${OUTAGES_MS.length} (${outageMs} ms down)`, ledger, buses);
  }
  await traffic.acknowledged(150);
  await Promise.all([traffic.stop(), up.stop()]);

  await eventually(() => ledger.audit().lost === 0, { timeoutMs: 20_000, label: "every event delivered" });
  const audit = ledger.audit();
  // Never silently behind: each client has the newest event of each of its channels.
  const behind: string[] = [];
  for (const bus of buses) {
    for (const target of targets) {
      const channel = channelOf(target);
      if (target.kind === "user" && target.userId !== bus.name) continue;
      const last = ledger.lastAcknowledged(channel);
      if (!last || !ledger.has(bus.name, channel, last))
        behind.push(`${bus.name} lacks the newest on ${channel}`);
    }
  }
  const ok = isClean(audit) && behind.length === 0;
  recordRow({
    scenario: "SIGKILL Redis, restart empty (2 relays, 1 backend)",
    runs: OUTAGES_MS.length,
    events: audit.expected,
    lost: audit.lost,
    duplicated: audit.duplicated,
    gaps: audit.gaps,
    maxMemoryMb: fleet.peakRssMb,
    result: ok ? "pass" : "fail",
    notes: `outages ${OUTAGES_MS.join("/")} ms; ${audit.coveredByGaps} deliveries covered by gaps (${audit.coveredInNewEpoch} of them published after the restart, before the relays re-subscribed); ${traffic.failures} backend publishes refused during outages (${JSON.stringify(traffic.failureCodes)}; ${audit.deliveredDespiteFailure} of them delivered anyway); ready again + gaps told within ${Math.max(...recoveryMs)} ms; browsers: ${up.sent} publishes, ${up.failures} failed, ${audit.unplacedMissing} deliveries of acknowledged ones missing (behind a gap); ${audit.delivered} deliveries in all`,
  });
  expect(audit.examples).toEqual([]);
  expect(audit).toMatchObject({ lost: 0, duplicated: 0, outOfOrder: 0, unknown: 0 });
  expect(audit.gaps).toBeGreaterThanOrEqual(CLIENTS * 3 * OUTAGES_MS.length);
  expect(behind).toEqual([]);
  expect(traffic.failureCodes.UNCODED ?? 0).toBe(0);
  expect((await backend.client.healthCheck()).status).toBe("healthy");
});
