/**
 * Operations: /healthz, /readyz (broker reachable), /metrics, resync after the broker reconnects,
 * and graceful shutdown (notice SERVER_SHUTDOWN, refuse new work, drain, close).
 */
import { afterEach, describe, expect, it } from "vitest";
import { useBrokerFixture } from "../../helpers/relay-brokers.js";
import { closeAllClients, connectClient, connectError } from "../../helpers/relay-client.js";
import { publishEvent, startTestRelay, type TestRelay } from "../../helpers/relay-server.js";

const get = async (server: TestRelay, path: string) => {
  const res = await fetch(`${server.url}${path}`);
  return { status: res.status, body: await res.text() };
};

const servers: TestRelay[] = [];
afterEach(async () => {
  closeAllClients();
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

describe("HTTP endpoints", () => {
  it("answers /healthz, /readyz and /metrics", async () => {
    const server = await startTestRelay();
    servers.push(server);
    const client = await connectClient(server.url, await server.token("u1", { rooms: ["photo:*"] }));
    await client.call("join", { room: "photo:1" });
    await publishEvent(server.broker, "room:photo:1", "comment.added", { text: "x" });
    await client.messages.waitFor(1);
    expect(await get(server, "/healthz")).toEqual({ status: 200, body: '{"status":"ok"}' });
    const ready = await get(server, "/readyz");
    expect(ready.status).toBe(200);
    expect(JSON.parse(ready.body)).toMatchObject({ status: "ready", broker: "memory" });
    const metrics = await get(server, "/metrics");
    expect(metrics.status).toBe(200);
    expect(metrics.body).toContain("eventbus_relay_connections 1");
    expect(metrics.body).toContain("eventbus_relay_rooms 1");
    expect(metrics.body).toContain('eventbus_relay_messages_in_total{source="broker"} 1');
    expect(metrics.body).toContain("eventbus_relay_messages_out_total 1");
    expect(metrics.body).toContain("eventbus_relay_delivery_latency_seconds_count 1");
    expect((await get(server, "/nope")).status).toBe(404);
    expect((await get(server, "/socket.io/?EIO=4&transport=polling")).status).toBe(400);
  });
});

describe("graceful shutdown", () => {
  it("tells sockets SERVER_SHUTDOWN, refuses new work, then closes", async () => {
    const server = await startTestRelay();
    const a = await connectClient(server.url, await server.token("a"));
    const b = await connectClient(server.url, await server.token("b"));
    const closed = server.relay.close({ timeoutMs: 2000 });
    const [noticeA] = await a.notices.waitFor(1);
    const [noticeB] = await b.notices.waitFor(1);
    expect(noticeA?.code).toBe("SERVER_SHUTDOWN");
    expect(noticeB?.code).toBe("SERVER_SHUTDOWN");
    await Promise.all([a.disconnects.waitFor(1), b.disconnects.waitFor(1)]);
    await closed;
    await expect(connectError(server.url, { token: await server.token("c") })).rejects.toThrow();
    await server.close();
  });
});

describe("on Redis", () => {
  const fixture = useBrokerFixture("redis");

  it("reports not ready while Redis is down and sends resync once it is back", async () => {
    const server = await startTestRelay({ broker: fixture.current.config() });
    servers.push(server);
    const client = await connectClient(server.url, await server.token("u1", { rooms: ["photo:*"] }));
    const hello = await client.call("hello", {});
    const joined = await client.call("join", { room: "photo:1" });
    await publishEvent(server.broker, "room:photo:1", "comment.added", { text: "before" });
    await client.messages.waitFor(1);
    const redis = fixture.current.redis;
    if (!redis) throw new Error("no redis");
    await redis.kill();
    await expect.poll(async () => (await get(server, "/readyz")).status, { timeout: 5000 }).toBe(503);
    await redis.restart();
    const resyncs = await client.resyncs.waitFor(hello.channels.length + 1, 15_000);
    expect(resyncs.flat().sort()).toEqual([...hello.channels.map((c) => c.channel), joined.channel].sort());
    expect((await get(server, "/readyz")).status).toBe(200);
    const page = await client.call("history", {
      channel: "room:photo:1",
      since: { offset: 1, epoch: joined.position.epoch },
    });
    expect(page.recovered).toBe(false);
  });
});
