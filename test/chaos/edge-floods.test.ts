/**
 * Issue 13's floods at the relay's edges, against a relay process on Redis with its default limits
 * (long-polling on, one trusted proxy hop so the attackers have their own address), from a separate
 * process (support/edge-flooder-child.ts), while three honest SDK clients receive a backend event
 * every 20 ms:
 *   - a handshake flood: raw WebSockets sending CONNECT frames without reading, new connections as
 *     fast as they open, long-polling POSTs of 1 MB of CONNECT packets, bad and valid tokens;
 *   - a history flood: one user publishing 400 KB events from 4 sockets to 40 rooms, and two
 *     sockets asking 20 full-history pages of a room holding 8 MB each, then not reading.
 * Asserted: bounded quantities only — tokens verified per connection, the publish budget in bytes,
 * relay RSS and Redis memory growth under caps, nothing lost and no reconnect for honest clients,
 * a new honest client connects during the handshake flood. Latencies (p50/p99) are printed.
 */
import type { ChildProcess } from "node:child_process";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import { Redis } from "ioredis";
import { afterAll, beforeAll, expect, it } from "vitest";
import { createDevToken } from "../../relay/auth/dev-token.js";
import { spawnTracked, stopProcess } from "../harness/processes.js";
import { type RedisServer, startRedis } from "../harness/redis-server.js";
import { closeAllBuses, statusReached, testBus } from "../helpers/client-bus.js";
import { closeAllClients, connectClient } from "../helpers/relay-client.js";
import { type RelayProcess, startRelayProcess } from "../helpers/relay-process.js";
import { TEST_SECRET } from "../helpers/relay-server.js";
import { eventually } from "../helpers/wait.js";
import { type ChaosBackend, startBackend } from "./support/backend.js";
import { DeliveryLedger } from "./support/ledger.js";
import { metric, rssMb, rssPeak } from "./support/relay-probe.js";
import { percentile, recordRow } from "./support/report.js";
import { type ObservedBus, observeBus } from "./support/traffic.js";

const ROOT = fileURLToPath(new URL("../..", import.meta.url));
const QUIET_MS = 3000;
const FLOOD_MS = 8000;
const MB = 1024 * 1024;
const ATTACKER = "10.66.0.1";

let redis: RedisServer;
let relay: RelayProcess;
let backend: ChaosBackend;
let redisInfo: Redis;
const children: ChildProcess[] = [];

beforeAll(async () => {
  redis = await startRedis();
  relay = await startRelayProcess({
    EVENT_BUS_REDIS_URL: redis.url,
    LOG_LEVEL: "error",
    RELAY_LONG_POLLING: "true",
    TRUST_PROXY: "1",
  });
  backend = await startBackend(redis.url);
  redisInfo = new Redis(redis.url, { lazyConnect: true });
  await redisInfo.connect();
});

afterAll(async () => {
  closeAllBuses();
  closeAllClients();
  for (const child of children) await stopProcess(child, "SIGKILL");
  redisInfo?.disconnect();
  await backend?.close();
  await relay?.kill();
  await redis?.stop();
});

interface FloodReport {
  wsConnections: number;
  connectFrames: number;
  posts: number;
  postedConnects: number;
  published: number;
  publishRefused: Record<string, number>;
  publishedBytes: number;
  historyFrames: number;
  readersJoined: number;
}

function runFlooder(mode: "handshake" | "history", target: string): Promise<FloodReport> {
  const args = ["--import", "tsx", "test/chaos/support/edge-flooder-child.ts", mode, relay.url, TEST_SECRET];
  const child = spawnTracked(process.execPath, [...args, String(FLOOD_MS), target], { cwd: ROOT });
  children.push(child);
  child.stderr?.resume();
  const lines = createInterface({ input: child.stdout ?? process.stdin });
  return new Promise((resolve, reject) => {
    lines.once("line", (line) => resolve(JSON.parse(line) as FloodReport));
    child.once("exit", (code) => reject(new Error(`flooder exited (${code}) without a report`)));
  });
}

async function redisUsedMb(): Promise<number> {
  const info = await redisInfo.info("memory");
  return Number(/used_memory:(\d+)/.exec(info)?.[1] ?? 0) / MB;
}

/** Redis used_memory sampled every 200 ms; the peak. */
function redisPeak() {
  let peak = 0;
  const sample = () =>
    redisUsedMb().then(
      (mb) => {
        peak = Math.max(peak, mb);
      },
      () => undefined,
    );
  const timer = setInterval(sample, 200);
  return {
    async stop() {
      clearInterval(timer);
      await sample();
      return peak;
    },
  };
}

/** Three honest SDK clients and a backend publishing to each every 20 ms; delivery latencies. */
async function honestTraffic(prefix: string) {
  const ledger = new DeliveryLedger();
  const honest: ObservedBus[] = [];
  const latencies: number[] = [];
  for (let i = 0; i < 3; i++) {
    const name = `${prefix}${i}`;
    const bus = testBus(relay.url, () => createDevToken({ sub: name, secret: TEST_SECRET }));
    honest.push(observeBus(ledger, name, bus));
    ledger.subscribe(name, `user:${name}`);
    bus.subscribe("lat.ping", (event) => {
      latencies.push(Date.now() - (event.data as { sentAt: number }).sentAt);
    });
    await statusReached(bus, "connected");
  }
  let running = true;
  const loops = honest.map(async (h) => {
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
  await new Promise((resolve) => setTimeout(resolve, QUIET_MS)); // the quiet baseline
  const quiet = latencies.length;
  return {
    async stop() {
      running = false;
      await Promise.all(loops);
      // Let the last pings arrive (bounded), then audit.
      const deadline = Date.now() + 10_000;
      while (ledger.audit().lost > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
      const p = (values: number[], q: number) => Math.round(percentile(values, q));
      const before = latencies.slice(0, quiet);
      const during = latencies.slice(quiet);
      return {
        audit: ledger.audit(),
        reconnects: honest.reduce((sum, h) => sum + h.reconnects, 0),
        latency: `p50/p99 ${p(before, 50)}/${p(before, 99)} → ${p(during, 50)}/${p(during, 99)} ms (quiet → flood)`,
      };
    },
  };
}

it("handshake flood: ≤ 2 verifications per connection, bounded relay memory, honest clients unharmed", async () => {
  const traffic = await honestTraffic("hs");
  const baseline = rssMb(relay.child.pid) ?? 0;
  const memory = rssPeak(relay.child.pid);
  const redisMemory = redisPeak();
  const refusedBefore = await metric(relay.url, "eventbus_relay_auth_failures_total");
  const flood = runFlooder("handshake", ATTACKER);
  // The newcomer connects once the flood is under way (refusals counted by the relay), not after a guess.
  await eventually(
    async () => (await metric(relay.url, "eventbus_relay_auth_failures_total")) > refusedBefore + 100,
    {
      timeoutMs: 30_000,
      label: "the handshake flood under way",
    },
  );
  const connectStart = Date.now();
  const newcomer = await connectClient(
    relay.url,
    await createDevToken({ sub: "newcomer", secret: TEST_SECRET }),
    {
      timeoutMs: 20_000,
    },
  );
  const connectMs = Date.now() - connectStart;
  const report = await flood;
  const honest = await traffic.stop();
  const peak = memory.stop();
  const redisPeakMb = await redisMemory.stop();
  const refused = (await metric(relay.url, "eventbus_relay_auth_failures_total")) - refusedBefore;
  const rateLimited = await metric(relay.url, "eventbus_relay_auth_failures_total", 'code="RATE_LIMITED"');
  const verifiedRefusals = refused - rateLimited;
  const attempts = report.connectFrames + report.postedConnects;
  const connections = report.wsConnections + report.posts;
  const ok =
    verifiedRefusals <= 2 * connections &&
    peak - baseline < 250 &&
    honest.audit.lost === 0 &&
    honest.reconnects === 0;
  recordRow({
    scenario: "edge floods: handshakes without reading (raw WebSockets, polling POSTs)",
    runs: connections,
    events: attempts,
    lost: honest.audit.lost,
    duplicated: honest.audit.duplicated,
    gaps: honest.audit.gaps,
    maxMemoryMb: peak,
    result: ok ? "pass" : "fail",
    notes:
      `${attempts} CONNECTs on ${report.wsConnections} WebSockets and ${report.posts} POSTs from one address: ` +
      `${verifiedRefusals} tokens verified and refused, ${rateLimited} refused by the address budget before verifying; ` +
      `relay RSS ${baseline.toFixed(0)} → ${peak.toFixed(0)} MB, Redis ${redisPeakMb.toFixed(1)} MB; ` +
      `a new honest client connected in ${connectMs} ms; honest delivery ${honest.latency}, 0 reconnects`,
  });
  expect(newcomer.socket.connected).toBe(true);
  expect(verifiedRefusals).toBeLessThanOrEqual(2 * connections);
  expect(peak - baseline).toBeLessThan(250);
  expect(honest.audit).toMatchObject({ lost: 0, duplicated: 0, outOfOrder: 0 });
  expect(honest.reconnects).toBe(0);
}, 90_000);

it("history flood: publish bytes within the user's budget, bounded Redis and relay memory", async () => {
  const blob = "b".repeat(200 * 1024);
  for (let i = 0; i < 40; i++) await backend.client.publishToRoom("hist:big", "hist.blob", { i, blob });
  const traffic = await honestTraffic("hf");
  const redisBefore = await redisUsedMb();
  const baseline = rssMb(relay.child.pid) ?? 0;
  const memory = rssPeak(relay.child.pid);
  const redisMemory = redisPeak();
  const cutsBefore = await metric(relay.url, "eventbus_relay_disconnects_total", 'reason="SLOW_CONSUMER"');
  const started = Date.now();
  const report = await runFlooder("history", "hist:big");
  const seconds = (Date.now() - started) / 1000;
  const honest = await traffic.stop();
  const peak = memory.stop();
  const redisPeakMb = await redisMemory.stop();
  const cuts =
    (await metric(relay.url, "eventbus_relay_disconnects_total", 'reason="SLOW_CONSUMER"')) - cutsBefore;
  // The user's budget: a 4 MiB burst and 1 MiB/s (one event more may be in flight at the edge).
  const budgetMb = 4 + seconds + 0.4;
  const publishedMb = report.publishedBytes / MB;
  const redisGrowth = redisPeakMb - redisBefore;
  const ok = publishedMb <= budgetMb && redisGrowth < 2 * budgetMb + 32 && peak - baseline < 250;
  recordRow({
    scenario: "edge floods: history pages and publish bytes (non-reading readers, one hoarding user)",
    runs: 6,
    events: report.published + report.historyFrames,
    lost: honest.audit.lost,
    duplicated: honest.audit.duplicated,
    gaps: honest.audit.gaps,
    maxMemoryMb: peak,
    result: ok && honest.audit.lost === 0 && honest.reconnects === 0 ? "pass" : "fail",
    notes:
      `one user on 4 sockets: ${report.published} publishes of 400 KB accepted (${publishedMb.toFixed(1)} MB in ${seconds.toFixed(1)} s; ` +
      `refused ${JSON.stringify(report.publishRefused)}); ${report.historyFrames} history frames (limit 500) on an 8 MB room ` +
      `from ${report.readersJoined} non-reading sockets, ${cuts} cut as slow consumers; Redis ${redisBefore.toFixed(0)} → ` +
      `${redisPeakMb.toFixed(0)} MB, relay RSS ${baseline.toFixed(0)} → ${peak.toFixed(0)} MB; honest delivery ${honest.latency}`,
  });
  expect(report.readersJoined).toBe(2);
  expect(publishedMb).toBeLessThanOrEqual(budgetMb);
  expect(Object.keys(report.publishRefused).every((code) => code === "RATE_LIMITED")).toBe(true);
  expect(redisGrowth).toBeLessThan(2 * budgetMb + 32);
  expect(peak - baseline).toBeLessThan(250);
  expect(honest.audit).toMatchObject({ lost: 0, duplicated: 0, outOfOrder: 0 });
  expect(honest.reconnects).toBe(0);
}, 90_000);
