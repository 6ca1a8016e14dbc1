/**
 * Floods against a relay process with its default limits (100 frames/s, burst 500, 100 refusals
 * tolerated, 100 rooms per socket, 20 connections per user): publish floods and join floods per
 * socket (reconnecting whenever kicked) and waves of concurrent connections for one user, from a
 * separate process. The limits must hold exactly (counted per connection, and in Redis), and three
 * honest clients on the same relay keep receiving and publishing without a loss, a failure or a
 * reconnect. Their latency p99 during the flood, against a quiet baseline, is reported in the row —
 * not asserted: it measures how busy the machine is as much as the relay.
 */
import type { ChildProcess } from "node:child_process";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import { Redis } from "ioredis";
import { afterAll, beforeAll, expect, it } from "vitest";
import { createDevToken } from "../../relay/auth/dev-token.js";
import { spawnTracked, stopProcess } from "../harness/processes.js";
import { type RedisServer, startRedis } from "../harness/redis-server.js";
import { closeAllBuses, testBus } from "../helpers/client-bus.js";
import { type RelayProcess, startRelayProcess } from "../helpers/relay-process.js";
import { TEST_SECRET } from "../helpers/relay-server.js";
import { eventually } from "../helpers/wait.js";
import { type ChaosBackend, startBackend } from "./support/backend.js";
import { DeliveryLedger } from "./support/ledger.js";
import { metric, rssPeak } from "./support/relay-probe.js";
import { percentile, recordRow } from "./support/report.js";
import { type ObservedBus, observeBus } from "./support/traffic.js";

const ROOT = fileURLToPath(new URL("../..", import.meta.url));
const QUIET_MS = 3000;
const FLOOD_MS = 6000;
/** Frames each flooding socket sends per timer tick (~1 ms): about 2000 frames/s, 20× the limit. */
const FRAMES_PER_TICK = Number(process.env.FLOOD_FRAMES_PER_TICK ?? 2);
const LIMITS = { burst: 500, perSecond: 100, rooms: 100, connections: 20 };

let redis: RedisServer;
let relay: RelayProcess;
let backend: ChaosBackend;
let flooder: ChildProcess | undefined;

beforeAll(async () => {
  redis = await startRedis();
  relay = await startRelayProcess({ EVENT_BUS_REDIS_URL: redis.url, LOG_LEVEL: "error" });
  backend = await startBackend(redis.url);
});

afterAll(async () => {
  closeAllBuses();
  if (flooder) await stopProcess(flooder, "SIGKILL");
  await backend?.close();
  await relay?.kill();
  await redis?.stop();
});

interface FloodReport {
  connections: {
    kind: "publish" | "join";
    ok: number;
    refused: Record<string, number>;
    notice: string | null;
    startedAt: number;
    endedAt: number;
  }[];
  waves: { accepted: number; refused: Record<string, number> }[];
}

function startFlooder(): Promise<FloodReport> {
  flooder = spawnTracked(
    process.execPath,
    [
      "--import",
      "tsx",
      "test/chaos/support/flooder-child.ts",
      relay.url,
      TEST_SECRET,
      String(FLOOD_MS),
      "6",
      "3",
      "40",
      String(FRAMES_PER_TICK),
    ],
    { cwd: ROOT },
  );
  flooder.stderr?.resume();
  const lines = createInterface({ input: flooder.stdout ?? process.stdin });
  return new Promise((resolve, reject) => {
    lines.once("line", (line) => resolve(JSON.parse(line) as FloodReport));
    flooder?.once("exit", (code) => reject(new Error(`flooder exited (${code}) without a report`)));
  });
}

interface Sample {
  readonly at: number;
  readonly ms: number;
  readonly by: string;
}

type FloodConnection = FloodReport["connections"][number];

/** Frames a connection's bucket can have let through from its start until `until` (epoch ms). */
function bucketAllows(connection: FloodConnection, until: number): number {
  return LIMITS.burst + (LIMITS.perSecond * (until - connection.startedAt)) / 1000;
}

it("publish, join and connection floods: limits hold, honest clients keep being served", async () => {
  const memory = rssPeak(relay.child.pid);
  const ledger = new DeliveryLedger();
  const honest: ObservedBus[] = [];
  const delivery: Sample[] = [];
  const acks: Sample[] = [];
  for (let i = 0; i < 3; i++) {
    const name = `honest${i}`;
    const bus = testBus(relay.url, () =>
      createDevToken({ sub: name, secret: TEST_SECRET, rooms: ["chat:*"], publish: ["chat:*"] }),
    );
    const observed = observeBus(ledger, name, bus);
    honest.push(observed);
    ledger.subscribe(name, `user:${name}`);
    bus.subscribe("lat.ping", (event) => {
      const sentAt = (event.data as { sentAt: number }).sentAt;
      delivery.push({ at: sentAt, ms: Date.now() - sentAt, by: name });
    });
    await bus.joinRoom("chat:1");
  }
  let running = true;
  let publishFailures = 0;
  const downstream = honest.map(async (h) => {
    for (let seq = 0; running; seq++) {
      const result = await backend.client.publishToUser(h.name, "lat.ping", { sentAt: Date.now(), seq });
      if (result.offset !== undefined && result.epoch !== undefined) {
        ledger.published(`user:${h.name}`, "backend", seq, result.id, {
          offset: result.offset,
          epoch: result.epoch,
        });
      }
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  });
  const upstream = honest.map(async (h) => {
    for (let seq = 0; running; seq++) {
      const at = Date.now();
      await h.bus.publish("chat.say", { seq }, { room: "chat:1" }).then(
        () => acks.push({ at, ms: Date.now() - at, by: h.name }),
        () => publishFailures++,
      );
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  });

  await new Promise((resolve) => setTimeout(resolve, QUIET_MS)); // the quiet baseline window
  const floodStart = Date.now();
  const report = await startFlooder();
  const floodEnd = Date.now();
  running = false;
  await Promise.all([...downstream, ...upstream]);
  // The relay may still be working through frames sent before the flooder exited: once only the
  // honest sockets are left, every flood frame it will ever accept has been handled.
  await eventually(async () => (await metric(relay.url, "eventbus_relay_connections")) <= honest.length, {
    timeoutMs: 30_000,
    label: "flood connections closed by the relay",
  });
  const drainedAt = Date.now();
  const peak = memory.stop();

  const inWindow = (samples: readonly Sample[], from: number, to: number) =>
    samples.filter((s) => s.at >= from && s.at < to).map((s) => s.ms);
  const quiet = { delivery: inWindow(delivery, 0, floodStart), acks: inWindow(acks, 0, floodStart) };
  const flood = {
    delivery: inWindow(delivery, floodStart + 1000, floodEnd),
    acks: inWindow(acks, floodStart + 1000, floodEnd),
  };
  const p99 = (values: readonly number[]) => Math.round(percentile(values, 99));

  // Limits, per connection: a token bucket of 500 refilled at 100/s; 100 rooms; 20 connections.
  // Acknowledged frames were accepted between the connection's start and its end here.
  const publishers = report.connections.filter((c) => c.kind === "publish");
  const joiners = report.connections.filter((c) => c.kind === "join");
  const overRate = publishers.filter((c) => c.ok > bucketAllows(c, c.endedAt));
  const overRooms = joiners.filter((c) => c.ok > LIMITS.rooms);
  const badCodes = report.connections.flatMap((c) =>
    Object.keys(c.refused).filter((code) => !["RATE_LIMITED", "TOO_MANY_ROOMS"].includes(code)),
  );
  const kicked = report.connections.filter((c) => c.notice === "RATE_LIMITED").length;
  const accepted = report.waves.map((w) => w.accepted);
  const waveCodes = report.waves.flatMap((w) => Object.keys(w.refused));
  const stored = await floodStored();
  const okPublishes = publishers.reduce((sum, c) => sum + c.ok, 0);
  // What the buckets allowed: frames accepted whose ack a socket never read are stored too. A
  // kicked socket accepted nothing after its kick; one that closed itself may have had frames
  // handled until the relay drained.
  const allowed = publishers.reduce(
    (sum, c) => sum + bucketAllows(c, c.notice === "RATE_LIMITED" ? c.endedAt : drainedAt),
    0,
  );
  const perUserPerSecond = Math.round(stored / 6 / (FLOOD_MS / 1000));
  const refusals = report.connections.reduce(
    (sum, c) => sum + Object.values(c.refused).reduce((a, b) => a + b, 0),
    0,
  );
  const audit = ledger.audit();
  const honestReconnects = honest.reduce((sum, h) => sum + h.reconnects, 0);
  const servedDuringFlood = honest.filter((h) =>
    delivery.some((s) => s.by === h.name && s.at >= floodStart && s.at < floodEnd),
  ).length;
  const ok =
    overRate.length === 0 &&
    overRooms.length === 0 &&
    badCodes.length === 0 &&
    Math.max(...accepted) <= LIMITS.connections &&
    stored >= okPublishes &&
    stored <= allowed &&
    audit.lost === 0 &&
    honestReconnects === 0 &&
    publishFailures === 0 &&
    servedDuringFlood === honest.length;
  recordRow({
    scenario: "floods: publish + join per socket, connections per user",
    runs: report.connections.length + report.waves.length,
    events: stored + refusals,
    lost: audit.lost,
    duplicated: audit.duplicated,
    gaps: audit.gaps,
    maxMemoryMb: peak,
    result: ok ? "pass" : "fail",
    notes:
      `${report.connections.length} flooding connections (${kicked} kicked with RATE_LIMITED, each reconnecting at once), ${refusals} frames refused; ` +
      `${stored} flood publishes stored (within each connection's bucket; ${perUserPerSecond}/s per flooding user thanks to a fresh burst per reconnect); ` +
      `connection waves of 40 for one user: at most ${Math.max(...accepted)} accepted; ` +
      `honest p99 delivery ${p99(quiet.delivery)} → ${p99(flood.delivery)} ms, publish ack ${p99(quiet.acks)} → ${p99(flood.acks)} ms (quiet → flood)`,
  });
  expect(overRate).toEqual([]);
  expect(overRooms).toEqual([]);
  expect(badCodes).toEqual([]);
  expect(kicked).toBeGreaterThan(0);
  expect(Math.max(...accepted)).toBe(LIMITS.connections);
  expect(waveCodes.every((code) => code === "TOO_MANY_CONNECTIONS")).toBe(true);
  expect(stored).toBeGreaterThanOrEqual(okPublishes);
  expect(stored).toBeLessThanOrEqual(allowed);
  expect(audit).toMatchObject({ lost: 0, duplicated: 0, outOfOrder: 0, unknown: 0 });
  expect(honestReconnects).toBe(0);
  expect(publishFailures).toBe(0);
  // Every honest client was served while the flood lasted (how fast is in the row, not asserted).
  expect(servedDuringFlood).toBe(honest.length);
  expect(await metric(relay.url, "eventbus_relay_connections")).toBe(honest.length);
}, 60_000);

/** Events the flooders got into Redis. */
async function floodStored(): Promise<number> {
  const reader = new Redis(redis.url, { lazyConnect: true });
  await reader.connect();
  try {
    let total = 0;
    // The newest offset of each flood room counts every publish (its history keeps only the last 1000).
    for (const key of await reader.keys("{room:flood:*}:epoch")) total += Number(await reader.hget(key, "s"));
    return total;
  } finally {
    reader.disconnect();
  }
}
