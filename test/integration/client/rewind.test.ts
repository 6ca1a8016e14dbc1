/**
 * Issue 18 §3: rewind on join. `bus.room(ROOM, { rewind })` replays the room's recent events
 * from the relay's history, then live ones — exactly once, in order, also while events keep being
 * published during the join; `"2m"` keeps only the last two minutes; a rewind past what the history
 * retains replays what is left and says so (`gap` with `rewind: true`). On the memory broker, Redis
 * and Redis Cluster.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import type { GapInfo } from "../../../client/types.js";
import { encodeEvent } from "../../../protocol/codec.js";
import type { Broker } from "../../../relay/brokers/broker.js";
import type { BrokerConfig } from "../../../relay/brokers/create-broker.js";
import { MemoryHub } from "../../../relay/brokers/memory/memory-hub.js";
import { type RedisCluster, startRedisCluster } from "../../harness/redis-cluster.js";
import { type RedisServer, startRedis } from "../../harness/redis-server.js";
import {
  closeAllBuses,
  collect,
  ROOM_CLAIMS,
  range,
  sequence,
  testBus,
  untilMarker,
} from "../../helpers/client-bus.js";
import { startTestRelay, type TestRelay } from "../../helpers/relay-server.js";

let ROOM = "photo:1";
let CHANNEL = "room:photo:1";
let redis: RedisServer;
let cluster: RedisCluster;
let server: TestRelay | undefined;

beforeAll(async () => {
  [redis, cluster] = await Promise.all([startRedis(), startRedisCluster()]);
}, 60_000);
afterAll(async () => {
  await Promise.all([redis?.stop(), cluster?.stop()]);
});
afterEach(async () => {
  closeAllBuses();
  await server?.close();
  server = undefined;
});

type History = { readonly maxLength?: number };
const brokers: [string, (history: History) => BrokerConfig][] = [
  ["memory", (history) => ({ broker: "memory", hub: new MemoryHub(), history })],
  ["redis", (history) => ({ broker: "redis", url: redis.url, history })],
  ["cluster", (history) => ({ broker: "cluster", nodes: cluster.startupNodes, history })],
];

async function comments(broker: Broker, from: number, count: number, timestamp?: string): Promise<void> {
  for (let i = from; i < from + count; i++) {
    const { json } = encodeEvent({ type: "comment.added", data: { i }, source: "test", timestamp });
    await broker.publishRecoverable(CHANNEL, json);
  }
}

describe.each(brokers)("rewind on join on %s", (name, config) => {
  async function start(history: History = {}): Promise<TestRelay> {
    // Each test its own room: Redis keeps history across relays.
    ROOM = `photo:${name}-${Math.random().toString(36).slice(2, 8)}`;
    CHANNEL = `room:${ROOM}`;
    server = await startTestRelay({ broker: config(history) });
    return server;
  }
  const token = (relay: TestRelay) => () => relay.token("u1", ROOM_CLAIMS);

  it("{ rewind: 10 } replays the last 10 events, then live ones, exactly once in order", async () => {
    const relay = await start();
    await comments(relay.broker, 0, 30);
    const bus = testBus(relay.url, token(relay));
    const events = collect(bus, "*", CHANNEL);
    const room = bus.room(ROOM, { rewind: 10 });
    await room.joined;
    await comments(relay.broker, 30, 5);
    const seen = await untilMarker(relay.broker, CHANNEL, events);
    expect(sequence(seen)).toEqual(range(15).map((i) => i + 20));
  });

  it("events published during the join meet the replay exactly once, in order", async () => {
    const relay = await start();
    await comments(relay.broker, 0, 50);
    const bus = testBus(relay.url, token(relay));
    const events = collect(bus, "*", CHANNEL);
    const live = comments(relay.broker, 50, 200);
    const room = bus.room(ROOM, { rewind: 20 });
    await Promise.all([room.joined, live]);
    const seen = sequence(await untilMarker(relay.broker, CHANNEL, events)) as number[];
    // Up to 20 before whatever was newest when the relay read the position, then every later one.
    const first = seen[0] ?? 0;
    expect(seen.length).toBeGreaterThanOrEqual(20);
    expect(seen).toEqual(range(250 - first).map((i) => i + first));
  });

  it('{ rewind: "2m" } replays only the events of the last two minutes', async () => {
    const relay = await start();
    await comments(relay.broker, 0, 5, new Date(Date.now() - 10 * 60_000).toISOString());
    await comments(relay.broker, 5, 5);
    const bus = testBus(relay.url, token(relay));
    const events = collect(bus, "*", CHANNEL);
    await bus.room(ROOM, { rewind: "2m" }).joined;
    expect(sequence(await untilMarker(relay.broker, CHANNEL, events))).toEqual([5, 6, 7, 8, 9]);
  });

  it("a rewind past the retained history replays what is left and says so", async () => {
    const relay = await start({ maxLength: 20 });
    await comments(relay.broker, 0, 30);
    const bus = testBus(relay.url, token(relay));
    const events = collect(bus, "*", CHANNEL);
    const gaps: GapInfo[] = [];
    bus.on("gap", (gap) => gaps.push(gap));
    await bus.room(ROOM, { rewind: 50 }).joined;
    const seen = sequence(await untilMarker(relay.broker, CHANNEL, events)) as number[];
    expect(gaps).toHaveLength(1);
    expect(gaps[0]).toMatchObject({ room: ROOM, rewind: true });
    // What is left: the retained tail, contiguous up to the newest (20 retained; a Redis stream may keep a few more).
    expect(seen.at(-1)).toBe(29);
    expect(seen.length).toBeGreaterThanOrEqual(19);
    expect(seen).toEqual(range(seen.length).map((i) => i + (seen[0] ?? 0)));
  });

  it("a bad rewind is a coded error at once", async () => {
    const relay = await start();
    const bus = testBus(relay.url, token(relay));
    await expect(bus.joinRoom(ROOM, { rewind: "soon" as never })).rejects.toMatchObject({
      code: "INVALID_OPTIONS",
    });
    await expect(bus.joinRoom(ROOM, { rewind: 0 })).rejects.toMatchObject({ code: "INVALID_OPTIONS" });
  });
});
