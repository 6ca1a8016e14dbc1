/**
 * The Redis contract as another language sees it: a plain Redis client subscribed to `user:u1`
 * receives exactly the documented message, and a plain PUBLISH (SPUBLISH for a room on a
 * cluster) of a hand-written envelope reaches EventBusClient handlers.
 */
import { Cluster, Redis } from "ioredis";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { EventBusClient } from "../../../relay/backend/client.js";
import type { ReceivedEvent } from "../../../relay/backend/types.js";
import { type RedisCluster, startRedisCluster } from "../../harness/redis-cluster.js";
import { type RedisServer, startRedis } from "../../harness/redis-server.js";
import { collector } from "../../helpers/wait.js";
import { silentLogger } from "./silent-logger.js";

const ULID = "01J9ZK3W8Q4X6N2B7C5D0E1F2G";
/** What a Python or Go service would publish: hand-written JSON, a ULID id, its own source. */
const foreignEnvelope = (type: string) =>
  `{"id":"${ULID}","type":"${type}","data":{"photoId":"p7"},"metadata":{"source":"billing-py","timestamp":"2025-01-02T03:04:05Z"}}`;

const cleanup: (() => Promise<unknown> | unknown)[] = [];
afterEach(async () => {
  for (const step of cleanup.splice(0).reverse()) await step();
});

describe("interop on a single Redis", () => {
  let redis: RedisServer;
  beforeAll(async () => {
    redis = await startRedis();
  });
  afterAll(async () => {
    await redis.stop();
  });

  const client = () => {
    const bus = new EventBusClient({
      serviceName: "photo-api",
      redis: redis.url,
      prefix: "",
      logger: silentLogger,
    });
    cleanup.push(() => bus.disconnect());
    return bus;
  };
  const plainRedis = () => {
    const raw = new Redis(redis.url);
    cleanup.push(() => raw.disconnect());
    return raw;
  };

  it("delivers exactly the documented message to a plain subscriber of user:u1", async () => {
    const subscriber = plainRedis();
    const got = collector<[string, string]>("raw messages");
    subscriber.on("message", (channel: string, message: string) => got.push([channel, message]));
    await subscriber.subscribe("user:u1");
    const sent = await client().publishToUser("u1", "notification.new", {
      title: "Ready",
      message: "Your photo",
    });

    const [[channel, message]] = (await got.waitFor(1)) as [[string, string]];
    expect(channel).toBe("user:u1");
    const parsed = JSON.parse(message) as Record<string, unknown> & { metadata: Record<string, unknown> };
    expect(Object.keys(parsed)).toEqual(["id", "type", "data", "metadata", "offset", "epoch"]);
    expect(Object.keys(parsed.metadata)).toEqual(["source", "timestamp", "userId"]);
    expect(parsed).toEqual({
      id: sent.id,
      type: "notification.new",
      data: { title: "Ready", message: "Your photo" },
      metadata: { source: "photo-api", timestamp: parsed.metadata.timestamp, userId: "u1" },
      offset: 1,
      epoch: sent.epoch,
    });
    expect(sent.id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(parsed.metadata.timestamp).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
    expect(message).toBe(
      `${message.slice(0, message.lastIndexOf(',"offset":'))},"offset":1,"epoch":"${sent.epoch}"}`,
    );
  });

  it("hands a plain PUBLISH of an envelope to subscribe and subscribeToRoom handlers", async () => {
    const bus = client();
    const events = collector<ReceivedEvent>("events");
    await bus.subscribe("photo.*", (event) => events.push(event));
    await bus.subscribeToRoom("lobby", (event) => events.push(event));
    const publisher = plainRedis();
    expect(await publisher.publish("photo.archived", foreignEnvelope("photo.archived"))).toBe(1);
    expect(await publisher.publish("room:lobby", foreignEnvelope("photo.shared"))).toBe(1);
    const [first, second] = await events.waitFor(2);
    expect(first).toMatchObject({ id: ULID, type: "photo.archived", channel: "photo.archived", attempt: 1 });
    expect(first?.metadata.source).toBe("billing-py");
    expect(second).toMatchObject({ type: "photo.shared", channel: "room:lobby" });
    expect(second?.position).toBeUndefined(); // a raw PUBLISH carries no offset: live only
  });
});

describe("interop on a Redis Cluster", () => {
  let cluster: RedisCluster;
  beforeAll(async () => {
    cluster = await startRedisCluster();
  });
  afterAll(async () => {
    await cluster.stop();
  });

  it("needs SPUBLISH for rooms and plain PUBLISH for event types; SSUBSCRIBE sees user messages", async () => {
    const bus = new EventBusClient({
      serviceName: "api",
      cluster: cluster.startupNodes,
      logger: silentLogger,
    });
    const raw = new Cluster([...cluster.startupNodes], { shardedSubscribers: true });
    cleanup.push(
      () => bus.disconnect(),
      () => raw.disconnect(),
    );
    const events = collector<string>("events");
    await bus.subscribe("photo.*", (e) => events.push(`${e.channel}|${e.type}`));
    await bus.subscribeToRoom("lobby", (e) => events.push(`${e.channel}|${e.type}`));
    await raw.publish("photo.archived", foreignEnvelope("photo.archived"));
    await raw.spublish("room:lobby", foreignEnvelope("photo.shared"));
    expect((await events.waitFor(2)).sort()).toEqual([
      "photo.archived|photo.archived",
      "room:lobby|photo.shared",
    ]);

    const userMessages = collector<string>("sharded messages");
    raw.on("smessage", (_channel: string, message: string) => userMessages.push(message));
    await raw.ssubscribe("user:u1");
    const sent = await bus.publishToUser("u1", "notification.new", { title: "t", message: "m" });
    const [message] = await userMessages.waitFor(1);
    expect(JSON.parse(message as string)).toMatchObject({
      id: sent.id,
      offset: sent.offset,
      epoch: sent.epoch,
    });
  });
});
