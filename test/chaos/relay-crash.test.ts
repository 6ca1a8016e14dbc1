/**
 * Chaos: one of two relay processes is SIGKILLed during steady traffic, again and again. Clients
 * reach the relays through a load balancer (a TCP proxy); the clients of the dead relay move to
 * the live one and recover from Redis history: 0 lost, 0 duplicated, no gap — in both directions
 * (backend → user, room and broadcast channels; browsers → the room through their outbox).
 */
import { afterAll, beforeAll, expect, it } from "vitest";
import { createDevToken } from "../../relay/auth/dev-token.js";
import { type RedisServer, startRedis } from "../harness/redis-server.js";
import { closeAllBuses, statusReached, testBus } from "../helpers/client-bus.js";
import { TEST_SECRET } from "../helpers/relay-server.js";
import { eventually } from "../helpers/wait.js";
import { type ChaosBackend, startBackend } from "./support/backend.js";
import { DeliveryLedger, isClean } from "./support/ledger.js";
import { type RelayFleet, startRelayFleet } from "./support/relay-fleet.js";
import { metric } from "./support/relay-probe.js";
import { recordRow } from "./support/report.js";
import {
  type BackendTarget,
  backendTraffic,
  clientTraffic,
  logRound,
  type ObservedBus,
  observeBus,
} from "./support/traffic.js";

const CLIENTS = 6;
const KILLS = 6;
const ROOM = "chaos:relay-crash";

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

async function connectionsOf(url: string): Promise<number> {
  return metric(url, "eventbus_relay_connections").catch(() => 0);
}

it("SIGKILL one of two relays, 6 times, during traffic both ways: 0 lost, 0 duplicated, no gap", async () => {
  const ledger = new DeliveryLedger();
  const buses: ObservedBus[] = [];
  for (let i = 0; i < CLIENTS; i++) {
    const name = `rc${i}`;
    const bus = testBus(fleet.url, () =>
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
  const down = backendTraffic(ledger, backend.client, targets, { intervalMs: 15 });
  const up = clientTraffic(ledger, buses.slice(0, 3), ROOM, epoch, { intervalMs: 25 });

  let moved = 0;
  for (let run = 0; run < KILLS; run++) {
    await down.acknowledged(150);
    const counts = await Promise.all(fleet.relays.map((r) => connectionsOf(r.url)));
    const victim = (counts[0] ?? 0) >= (counts[1] ?? 0) ? 0 : 1;
    moved += counts[victim] ?? 0;
    await fleet.replace(victim);
    for (const b of buses) await statusReached(b.bus, "connected", 20_000);
    await up.acknowledged(20);
    logRound(`relay kill ${run + 1}/${KILLS} (${counts[victim] ?? 0} clients moved)`, ledger, buses);
  }
  await down.acknowledged(100);
  await Promise.all([down.stop(), up.stop()]);

  await eventually(() => ledger.audit().lost === 0, { timeoutMs: 20_000, label: "every event delivered" });
  const audit = ledger.audit();
  const recovered = buses.reduce((sum, b) => sum + b.recovered, 0);
  const reconnects = buses.reduce((sum, b) => sum + b.reconnects, 0);
  const ok = isClean(audit) && audit.gaps === 0 && down.failures === 0 && up.failures === 0;
  recordRow({
    scenario: "SIGKILL one of two relays (clients move to the other)",
    runs: KILLS,
    events: audit.expected,
    lost: audit.lost,
    duplicated: audit.duplicated,
    gaps: audit.gaps,
    maxMemoryMb: fleet.peakRssMb,
    result: ok ? "pass" : "fail",
    notes: `${audit.published} publishes (backend ${down.sent}, browsers ${up.sent}), ${audit.delivered} deliveries; ${moved} clients moved, ${reconnects} reconnects; ${recovered} events recovered from history`,
  });
  expect(audit.examples).toEqual([]);
  expect(audit).toMatchObject({ lost: 0, duplicated: 0, outOfOrder: 0, unknown: 0, gaps: 0 });
  expect(down.failures).toBe(0);
  expect(up.failures).toBe(0);
  expect(moved).toBeGreaterThanOrEqual(KILLS);
  expect(reconnects).toBeGreaterThanOrEqual(moved);
  expect(recovered).toBeGreaterThan(0);
  expect((await backend.broker.position(`room:${ROOM}`)).epoch).toBe(epoch);
});
