/**
 * The test harness itself: throwaway Redis processes start on free ports, can be killed and
 * restarted (losing their data, like a crash), form a 3-node cluster with sharded pub/sub, and
 * are gone after stop().
 */
import { once } from "node:events";
import { Cluster, Redis } from "ioredis";
import { afterAll, describe, expect, it } from "vitest";
import { startRedisCluster } from "../harness/redis-cluster.js";
import { startRedis } from "../harness/redis-server.js";

const cleanup: (() => Promise<void>)[] = [];
afterAll(async () => {
  for (const stop of cleanup.reverse()) await stop();
});

async function isPortOpen(port: number): Promise<boolean> {
  const client = new Redis({ port, host: "127.0.0.1", lazyConnect: true, retryStrategy: () => null });
  client.on("error", () => {});
  try {
    await client.connect();
    return (await client.ping()) === "PONG";
  } catch {
    return false;
  } finally {
    client.disconnect();
  }
}

describe("single redis-server", () => {
  it("starts on a free port, loses its data on kill + restart, and is gone after stop", async () => {
    const a = await startRedis();
    const b = await startRedis();
    cleanup.push(a.stop, b.stop);
    expect(a.port).not.toBe(b.port);
    expect(a.port).not.toBe(6379);

    const client = new Redis(a.port, a.host, { maxRetriesPerRequest: 1 });
    client.on("error", () => {});
    await client.set("k", "v");
    await a.kill();
    expect(a.running).toBe(false);
    expect(await isPortOpen(a.port)).toBe(false);
    await a.restart();
    expect(a.running).toBe(true);
    expect(await client.get("k")).toBeNull();
    client.disconnect();

    await b.stop();
    expect(await isPortOpen(b.port)).toBe(false);
  });
});

describe("3-node Redis Cluster", () => {
  it("forms, serves keys in every slot range and delivers sharded pub/sub", async () => {
    const cluster = await startRedisCluster();
    cleanup.push(cluster.stop);
    expect(cluster.masters).toHaveLength(3);
    const client = new Cluster([...cluster.startupNodes], { shardedSubscribers: true });
    const subscriber = new Cluster([...cluster.startupNodes], { shardedSubscribers: true });
    try {
      for (const key of ["a", "b", "c", "{room:photo:1}:history", "x"]) await client.set(key, key);
      expect(await client.get("{room:photo:1}:history")).toBe("{room:photo:1}:history");
      const shards = new Set(
        await Promise.all(
          ["a", "b", "c"].map(async (k) => Number(await client.call("CLUSTER", "KEYSLOT", k))),
        ),
      );
      expect(shards.size).toBe(3);

      await subscriber.ssubscribe("room:photo:1");
      const received = once(subscriber, "smessage");
      await client.spublish("room:photo:1", "hello");
      const [channel, message] = (await received) as [string, string];
      expect([channel, message]).toEqual(["room:photo:1", "hello"]);
    } finally {
      client.disconnect();
      subscriber.disconnect();
    }
    await cluster.stop();
    for (const node of cluster.nodes) expect(await isPortOpen(node.port)).toBe(false);
  });
});
