/**
 * Issue 18 §2: latest-only (conflated) delivery. 20 photos publish 1,000 progress events each
 * (`photo.processing.progress`, keyed by `data.photoId`, ≈ 1 KB each) and then one `completed`, on
 * the uploader's user channel. One reader sits behind a slow link (a throttled TCP proxy with
 * backpressure, test/helpers/throttled-proxy.ts) that reads nothing while the photos publish (as a
 * stopped process would) and 512 KB/s afterwards; another reads at full speed. What the slow reader
 * gets does not depend on how fast this machine publishes. On the memory broker, Redis and Redis
 * Cluster:
 *   - the slow reader ends with every photo's final progress, gets far fewer progress events than
 *     were published, each `completed` exactly once and after its photo's last progress, progress
 *     per photo strictly increasing, and never a `gap`; the relay's queue for it stays bounded (no
 *     slow-consumer cut; sampled backlog under the limit);
 *   - the fast reader gets every event exactly once, in order.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import type { DeliveredEvent } from "../../../client/router.js";
import type { GapInfo } from "../../../client/types.js";
import type { Broker } from "../../../relay/brokers/broker.js";
import type { BrokerConfig } from "../../../relay/brokers/create-broker.js";
import { engineBacklog } from "../../../relay/edge/delivery/engine-internals.js";
import { type RedisCluster, startRedisCluster } from "../../harness/redis-cluster.js";
import { type RedisServer, startRedis } from "../../harness/redis-server.js";
import { closeAllBuses, collect, statusReached, testBus } from "../../helpers/client-bus.js";
import { metric } from "../../helpers/relay-metrics.js";
import { publishEvent, startTestRelay, type TestRelay } from "../../helpers/relay-server.js";
import { startThrottledProxy, type ThrottledProxy } from "../../helpers/throttled-proxy.js";
import { eventually } from "../../helpers/wait.js";

const PHOTOS = 20;
const STEPS = 1000;
const PROGRESS = "photo.processing.progress";
const COMPLETED = "photo.processing.completed";
const CHANNEL = "user:u1";
const PAD = "p".repeat(900);
const MAX_BUFFERED = 4 * 1024 * 1024;

let redis: RedisServer;
let cluster: RedisCluster;
let server: TestRelay | undefined;
let proxy: ThrottledProxy | undefined;

beforeAll(async () => {
  [redis, cluster] = await Promise.all([startRedis(), startRedisCluster()]);
}, 60_000);
afterAll(async () => {
  await Promise.all([redis?.stop(), cluster?.stop()]);
});
afterEach(async () => {
  closeAllBuses();
  await proxy?.close();
  await server?.close();
  proxy = undefined;
  server = undefined;
});

const brokers: [string, () => BrokerConfig | undefined][] = [
  ["memory", () => undefined],
  ["redis", () => ({ broker: "redis", url: redis.url, history: { maxLength: 100_000, maxBytes: 64 << 20 } })],
  [
    "cluster",
    () => ({
      broker: "cluster",
      nodes: cluster.startupNodes,
      history: { maxLength: 100_000, maxBytes: 64 << 20 },
    }),
  ],
];

/** Round-robin: step i of every photo, then the next step; each photo's `completed` right after its last. */
async function publishRun(broker: Broker): Promise<void> {
  for (let step = 1; step <= STEPS; step++) {
    const round: Promise<unknown>[] = [];
    for (let photo = 0; photo < PHOTOS; photo++) {
      round.push(publishEvent(broker, CHANNEL, PROGRESS, { photoId: `p${photo}`, progress: step, pad: PAD }));
    }
    await Promise.all(round);
    // Workers publish over time: let this process's readers read (the memory broker never yields).
    await new Promise((resolve) => setImmediate(resolve));
  }
  for (let photo = 0; photo < PHOTOS; photo++) {
    await publishEvent(broker, CHANNEL, COMPLETED, { photoId: `p${photo}` });
  }
}

interface PhotoView {
  progress: number[];
  completedAt: number[];
  lastProgressAt: number;
}

function byPhoto(events: readonly DeliveredEvent[]): Map<string, PhotoView> {
  const photos = new Map<string, PhotoView>();
  events.forEach((event, index) => {
    const data = event.data as { photoId: string; progress?: number };
    const view = photos.get(data.photoId) ?? { progress: [], completedAt: [], lastProgressAt: -1 };
    photos.set(data.photoId, view);
    if (event.type === PROGRESS) {
      view.progress.push(data.progress ?? -1);
      view.lastProgressAt = index;
    } else view.completedAt.push(index);
  });
  return photos;
}

describe.each(brokers)("latest-only delivery on %s", (_name, brokerConfig) => {
  it("a slow reader gets the newest progress per photo and every completed once; a fast one gets all", async () => {
    const broker = brokerConfig();
    server = await startTestRelay({
      ...(broker && { broker }),
      latestOnly: { [PROGRESS]: "data.photoId" },
      // "Fast" under load: a reader in this busy process may lag a few hundred KB behind a burst.
      latestOnlyBehindBytes: 512 * 1024,
      limits: { maxBufferedBytes: MAX_BUFFERED },
      // The stopped reader answers no ping while the run publishes (slowly, on a loaded machine).
      heartbeat: { intervalMs: 120_000, timeoutMs: 120_000 },
    });
    const relay = server;
    proxy = await startThrottledProxy(relay.relay.port, { bytesPerSecond: 512 * 1024 });
    const token = () => relay.token("u1");
    const fast = testBus(relay.url, token);
    const slow = testBus(proxy.url, token);
    const fastEvents = collect(fast, "photo.*", CHANNEL);
    const slowEvents = collect(slow, "photo.*", CHANNEL);
    const gaps: GapInfo[] = [];
    const statuses: string[] = [];
    for (const bus of [fast, slow]) bus.on("gap", (gap) => gaps.push(gap));
    slow.on("status", (change) => statuses.push(change.status));
    await Promise.all([statusReached(fast, "connected"), statusReached(slow, "connected")]);
    await eventually(() => relay.relay.io.sockets.sockets.size === 2, { label: "both sockets at the relay" });

    let maxBacklog = 0;
    let publishing = true;
    const sampling = (async () => {
      for (let i = 0; publishing && i < 100_000; i++) {
        for (const socket of relay.relay.io.sockets.sockets.values()) {
          maxBacklog = Math.max(maxBacklog, engineBacklog(socket.conn).bytes);
        }
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
    })();
    proxy.pause();
    await publishRun(relay.broker);
    proxy.resume();
    publishing = false;
    await sampling;

    const total = PHOTOS * (STEPS + 1);
    await fastEvents.waitFor(total, 60_000);
    await eventually(() => slowEvents.items.filter((e) => e.type === COMPLETED).length >= PHOTOS, {
      timeoutMs: 90_000,
      label: "every completed at the slow reader",
    });

    // Fast: everything, once, in order per photo.
    expect(fastEvents.items).toHaveLength(total);
    for (const view of byPhoto(fastEvents.items).values()) {
      expect(view.progress).toEqual(Array.from({ length: STEPS }, (_, i) => i + 1));
      expect(view.completedAt).toHaveLength(1);
      expect(view.completedAt[0]).toBeGreaterThan(view.lastProgressAt);
    }
    // Slow: final progress of every photo, far fewer events, each completed once after its last progress.
    const slowPhotos = byPhoto(slowEvents.items);
    expect(slowPhotos.size).toBe(PHOTOS);
    const slowProgress = slowEvents.items.filter((e) => e.type === PROGRESS).length;
    for (const view of slowPhotos.values()) {
      expect(view.progress.at(-1)).toBe(STEPS);
      expect(view.progress).toEqual([...view.progress].sort((a, b) => a - b));
      expect(new Set(view.progress).size).toBe(view.progress.length);
      expect(view.completedAt).toHaveLength(1);
      expect(view.completedAt[0]).toBeGreaterThan(view.lastProgressAt);
    }
    const conflated = await metric(relay.url, "eventbus_relay_conflated_messages_total");
    console.log(
      `[latest-only ${_name}] slow reader: ${slowProgress} of ${PHOTOS * STEPS} progress events, ` +
        `${(proxy.forwardedBytes / 1024 / 1024).toFixed(1)} MB through the link; ${conflated} conflated at the relay; ` +
        `largest relay backlog ${(maxBacklog / 1024).toFixed(0)} KB`,
    );
    expect(slowProgress).toBeLessThan((PHOTOS * STEPS) / 2);
    expect(conflated).toBeGreaterThan(0);
    expect(gaps).toEqual([]);
    // Bounded: never cut as a slow consumer (the relay's queue stayed under its limit), one connection.
    expect(statuses).not.toContain("reconnecting");
    expect(proxy.connections).toBe(1);
    expect(maxBacklog).toBeLessThan(MAX_BUFFERED);
  }, 180_000);

  it("on recovery only the newest progress per photo is replayed, every completed once after it", async () => {
    const broker = brokerConfig();
    server = await startTestRelay({ ...(broker && { broker }), latestOnly: { [PROGRESS]: "data.photoId" } });
    const relay = server;
    const bus = testBus(relay.url, () => relay.token("u1"));
    const events = collect(bus, "photo.*", CHANNEL);
    const gaps: GapInfo[] = [];
    bus.on("gap", (gap) => gaps.push(gap));
    await statusReached(bus, "connected");
    bus.disconnect();
    await statusReached(bus, "disconnected");
    for (let step = 1; step <= 20; step++) {
      for (let photo = 0; photo < 3; photo++) {
        await publishEvent(relay.broker, CHANNEL, PROGRESS, { photoId: `p${photo}`, progress: step });
      }
    }
    await publishEvent(relay.broker, CHANNEL, COMPLETED, { photoId: "p0" });
    bus.connect();
    await events.waitUntil((event) => event.type === COMPLETED);
    // One page (100 events): the newest progress per photo, then the completed.
    expect(
      events.items.map((e) => [
        e.type,
        (e.data as { photoId: string }).photoId,
        (e.data as { progress?: number }).progress,
      ]),
    ).toEqual([
      [PROGRESS, "p0", 20],
      [PROGRESS, "p1", 20],
      [PROGRESS, "p2", 20],
      [COMPLETED, "p0", undefined],
    ]);
    expect(gaps).toEqual([]);
  });
});
