/**
 * The playground's "recent comments on join" read (playground/server/room-history.ts): the last N
 * events of a room, oldest first, from the same history the relay replays on recovery — on the
 * memory broker and on a real Redis.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { roomHistoryReader } from "../../../playground/server/room-history.js";
import type { PlaygroundEvents } from "../../../playground/shared/playground-events.js";
import { channelNames } from "../../../protocol/channels.js";
import { EventBusClient } from "../../../relay/backend/index.js";
import type { Broker } from "../../../relay/brokers/broker.js";
import { MemoryBroker } from "../../../relay/brokers/memory/memory-broker.js";
import { MemoryHub } from "../../../relay/brokers/memory/memory-hub.js";
import { RedisBroker } from "../../../relay/brokers/redis/redis-broker.js";
import { type RedisServer, startRedis } from "../../harness/redis-server.js";

let redis: RedisServer;
beforeAll(async () => {
  redis = await startRedis();
});
afterAll(async () => {
  await redis?.stop();
});

const brokers: [string, () => Broker][] = [
  ["memory", () => new MemoryBroker({ hub: new MemoryHub() })],
  ["redis", () => new RedisBroker({ connection: redis.url })],
];

describe.each(brokers)("recent room events on %s", (_name, createBroker) => {
  let broker: Broker;
  let bus: EventBusClient<PlaygroundEvents>;
  beforeAll(async () => {
    broker = createBroker();
    await broker.connect();
    bus = new EventBusClient<PlaygroundEvents>({ serviceName: "test", broker, logLevel: "silent" });
    await bus.connect();
  });
  afterAll(async () => {
    await bus.disconnect();
    await broker.close();
  });

  it("returns the room's last `limit` events, oldest first, with their offsets", async () => {
    const room = `photo:recent-${Date.now()}`;
    for (let i = 1; i <= 60; i++)
      await bus.publishToRoom(room, "comment.added", { photoId: "p", author: "Alice", text: `c${i}` });
    const read = roomHistoryReader(broker, channelNames());

    const { events, position } = await read(room, 50);
    expect(position.offset).toBe(60);
    expect(events.map((e) => (e.data as { text: string }).text)).toEqual(
      Array.from({ length: 50 }, (_, i) => `c${i + 11}`),
    );
    expect(events.map((e) => e.offset)).toEqual(Array.from({ length: 50 }, (_, i) => i + 11));
    expect(events.every((e) => e.channel === `room:${room}` && e.type === "comment.added")).toBe(true);

    const few = await read(room, 3);
    expect(few.events.map((e) => e.offset)).toEqual([58, 59, 60]);
  });

  it("returns nothing for a room nobody wrote in", async () => {
    const read = roomHistoryReader(broker, channelNames());
    const { events } = await read(`photo:empty-${Date.now()}`, 50);
    expect(events).toEqual([]);
  });
});
