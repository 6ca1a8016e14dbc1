/**
 * Leaks: after every socket left, the relay holds no broker subscriptions (checked in Redis itself
 * with PUBSUB, or SHARDNUMSUB-style PUBSUB SHARDCHANNELS on a cluster), no presence entries and no
 * timers of its own.
 */
import { Redis } from "ioredis";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { RELAY_BROKERS, useBrokerFixture } from "../../helpers/relay-brokers.js";
import { closeAllClients, connectClient, type TestClient } from "../../helpers/relay-client.js";
import { startTestRelay, type TestRelay } from "../../helpers/relay-server.js";

const timers = () => process.getActiveResourcesInfo().filter((r) => r === "Timeout").length;

async function redisChannels(servers: readonly { host: string; port: number }[]): Promise<string[]> {
  const found: string[] = [];
  for (const { host, port } of servers) {
    const client = new Redis({ host, port, lazyConnect: true, maxRetriesPerRequest: 1 });
    await client.connect();
    try {
      found.push(...((await client.call("PUBSUB", "CHANNELS")) as string[]));
      found.push(...((await client.call("PUBSUB", "SHARDCHANNELS")) as string[]));
    } finally {
      client.disconnect();
    }
  }
  return found;
}

describe.each(RELAY_BROKERS)("no leaks on %s", (kind) => {
  const fixture = useBrokerFixture(kind);
  let server: TestRelay;

  beforeEach(async () => {
    server = await startTestRelay({
      broker: fixture.current.config(),
      subscriptionLingerMs: 50,
      presence: { ttlMs: 5000, refreshMs: 100 },
    });
  });
  afterEach(async () => {
    closeAllClients();
    await server.close();
  });

  it("holds no subscriptions, presence entries or timers after all sockets leave", async () => {
    const baseline = timers();
    const clients: TestClient[] = [];
    for (let i = 0; i < 12; i++) {
      const client = await connectClient(
        server.url,
        await server.token(`u${i % 4}`, { rooms: ["photo:*"], roles: ["viewer"], ttl: 3600 }),
      );
      clients.push(client);
      await client.call("hello", {});
      await client.call("join", { room: `photo:${i % 3}`, presence: true });
      await client.call("join", { room: "photo:shared" });
    }
    expect(server.relay.stats().channels.length).toBeGreaterThan(0);
    expect(timers()).toBeGreaterThan(baseline + 12);
    if (kind !== "memory") expect((await redisChannels(fixture.current.servers())).length).toBeGreaterThan(0);
    await clients[0]?.call("leave", { room: "photo:shared" });
    for (const client of clients) client.close();
    await expect
      .poll(() => server.relay.stats(), { timeout: 5000 })
      .toMatchObject({
        connections: 0,
        users: 0,
        channels: [],
        presenceChannels: [],
        pendingTasks: 0,
      });
    expect(server.broker.subscriptions()).toEqual({ channels: [], patterns: [] });
    if (kind !== "memory") {
      await expect.poll(() => redisChannels(fixture.current.servers()), { timeout: 5000 }).toEqual([]);
    }
    await expect.poll(timers, { timeout: 5000 }).toBeLessThanOrEqual(baseline);
  });
});
