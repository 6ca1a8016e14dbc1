/**
 * Server-Sent Events on the relay (GET /events, relay/edge/sse): admitted like a socket (JWT from
 * the header or the query, rooms through the claims, coded refusals, the per-user cap), the user's
 * channels and the asked rooms in order, recovery by Last-Event-ID (missed events once, in order,
 * or a `gap`), slow readers cut, revocation, and the drain's retry hint. Real relay, memory broker;
 * the Redis restart / network cut runs are in test/chaos/sse.test.ts.
 */
import { connect } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { revokeUserSessions } from "../../../relay/auth/revocation.js";
import { MemoryHub } from "../../../relay/brokers/memory/memory-hub.js";
import { connectError } from "../../helpers/relay-client.js";
import { metric } from "../../helpers/relay-metrics.js";
import { publishEvent, startTestRelay, TEST_SECRET, type TestRelay } from "../../helpers/relay-server.js";
import { closeAllSse, openSse, type SseMessage } from "../../helpers/sse-client.js";
import { eventually } from "../../helpers/wait.js";

const ROOMS = { rooms: ["photo:*"] };
let server: TestRelay | undefined;

afterEach(async () => {
  closeAllSse();
  await server?.close();
  server = undefined;
});

function seq(messages: readonly SseMessage[], channel: string): unknown[] {
  return messages.filter((m) => m.channel === channel).map((m) => (m.message.data as { i: number }).i);
}

async function publishMany(relay: TestRelay, channel: string, from: number, count: number): Promise<void> {
  for (let i = from; i < from + count; i++)
    await publishEvent(relay.broker, channel, "photo.progress", { i });
}

const range = (from: number, count: number) => Array.from({ length: count }, (_, k) => from + k);

describe("GET /events", () => {
  it("streams the user's channels and the asked rooms, in order, after a `ready` event", async () => {
    server = await startTestRelay();
    const token = await server.token("alice", ROOMS);
    const reader = openSse(`${server.url}/events?room=photo:1&rooms=photo:2`, { token });
    await reader.events.waitUntil((e) => e.event === "ready");
    const ready = JSON.parse(reader.events.items[0]?.data ?? "{}") as { channels: { channel: string }[] };
    expect(ready.channels.map((c) => c.channel)).toEqual([
      "user:alice",
      "broadcast",
      "room:photo:1",
      "room:photo:2",
    ]);
    await publishMany(server, "room:photo:1", 0, 20);
    await publishMany(server, "user:alice", 0, 5);
    await publishMany(server, "broadcast", 0, 5);
    await publishMany(server, "user:bob", 0, 5); // another user's channel: never streamed
    await reader.messages.waitFor(30);
    expect(seq(reader.messages.items, "room:photo:1")).toEqual(range(0, 20));
    expect(seq(reader.messages.items, "user:alice")).toEqual(range(0, 5));
    expect(seq(reader.messages.items, "broadcast")).toEqual(range(0, 5));
    expect(reader.messages.items.some((m) => m.channel === "user:bob")).toBe(false);
    expect(server.relay.stats().sseStreams).toBe(1);
  });

  it("takes the token from the query (EventSource) and refuses bad requests with coded HTTP errors", async () => {
    server = await startTestRelay({ corsOrigins: ["http://app.test"] });
    const token = await server.token("alice", ROOMS);
    const refusal = async (path: string, headers: Record<string, string> = {}) => {
      const response = await fetch(`${server?.url}${path}`, { headers });
      const body = (await response.json()) as { error: { code: string } };
      return [response.status, body.error.code];
    };
    expect(await refusal("/events")).toEqual([401, "TOKEN_MISSING"]);
    expect(await refusal("/events?token=not-a-jwt")).toEqual([401, "TOKEN_INVALID"]);
    expect(await refusal(`/events?token=${token}&room=secret:1`)).toEqual([403, "FORBIDDEN"]);
    expect(await refusal(`/events?token=${token}&room=${"x".repeat(300)}`)).toEqual([400, "INVALID_ROOM"]);
    expect(await refusal(`/events?token=${token}`, { "last-event-id": "2,garbage" })).toEqual([
      400,
      "INVALID_FRAME",
    ]);
    expect(await refusal(`/events?token=${token}`, { origin: "http://evil.test" })).toEqual([
      403,
      "FORBIDDEN",
    ]);
    const reader = openSse(`${server.url}/events?room=photo:1&token=${token}`);
    await reader.events.waitUntil((e) => e.event === "ready");
    expect(reader.status).toBe(200);
    expect(await metric(server.url, "eventbus_relay_auth_failures_total", 'code="FORBIDDEN"')).toBe(1); // the origin is refused before any token is read
  });

  it("a reconnect with Last-Event-ID gets every missed event once, in order, then live ones", async () => {
    server = await startTestRelay();
    const token = await server.token("alice", ROOMS);
    const first = openSse(`${server.url}/events?room=photo:1`, { token });
    await first.events.waitUntil((e) => e.event === "ready");
    await publishMany(server, "room:photo:1", 0, 10);
    await publishMany(server, "user:alice", 0, 3);
    await first.messages.waitFor(13);
    first.close();
    await eventually(() => server?.relay.stats().sseStreams === 0);
    await publishMany(server, "room:photo:1", 10, 30);
    await publishMany(server, "user:alice", 3, 3);
    const second = openSse(`${server.url}/events?room=photo:1`, { token, lastEventId: first.lastEventId });
    await second.events.waitUntil((e) => e.event === "ready");
    await publishMany(server, "room:photo:1", 40, 10);
    await second.messages.waitFor(53 - 13);
    expect(seq(second.messages.items, "room:photo:1")).toEqual(range(10, 40));
    expect(seq(second.messages.items, "user:alice")).toEqual(range(3, 3));
    expect(second.events.items.some((e) => e.event === "gap")).toBe(false);
  });

  it("a reader resumes on another relay of the same broker: the id needs no relay-side session", async () => {
    const hub = new MemoryHub();
    server = await startTestRelay({ broker: { broker: "memory", hub } });
    const other = await startTestRelay({ broker: { broker: "memory", hub } });
    try {
      const token = await server.token("alice", ROOMS);
      const first = openSse(`${server.url}/events?room=photo:1`, { token });
      await first.events.waitUntil((e) => e.event === "ready");
      await publishMany(server, "room:photo:1", 0, 5);
      await first.messages.waitFor(5);
      first.close();
      await publishMany(server, "room:photo:1", 5, 10);
      const second = openSse(`${other.url}/events?room=photo:1`, { token, lastEventId: first.lastEventId });
      await second.messages.waitFor(10);
      expect(seq(second.messages.items, "room:photo:1")).toEqual(range(5, 10));
    } finally {
      closeAllSse();
      await other.close();
    }
  });

  it("a position history no longer holds gets a `gap` event, then the stream goes on", async () => {
    server = await startTestRelay({
      broker: { broker: "memory", hub: new MemoryHub(), history: { maxLength: 5 } },
    });
    const token = await server.token("alice", ROOMS);
    const first = openSse(`${server.url}/events?room=photo:1`, { token });
    await first.events.waitUntil((e) => e.event === "ready");
    await publishMany(server, "room:photo:1", 0, 2);
    await first.messages.waitFor(2);
    first.close();
    await publishMany(server, "room:photo:1", 2, 20); // 15 of them trimmed before the reader returns
    const second = openSse(`${server.url}/events?room=photo:1`, { token, lastEventId: first.lastEventId });
    const gap = await second.events.waitUntil((e) => e.event === "gap");
    expect(JSON.parse(gap.find((e) => e.event === "gap")?.data ?? "{}")).toMatchObject({
      channel: "room:photo:1",
      position: { offset: 22 },
    });
    await second.events.waitUntil((e) => e.event === "ready");
    await publishMany(server, "room:photo:1", 22, 3);
    await second.messages.waitFor(3);
    expect(seq(second.messages.items, "room:photo:1")).toEqual(range(22, 3));
  });

  it("a reader that stops reading is cut as a slow consumer; the relay's memory stays bounded", async () => {
    server = await startTestRelay({ limits: { maxBufferedBytes: 256 * 1024, slowConsumerCheckMs: 100 } });
    const token = await server.token("slow", ROOMS);
    const port = Number(new URL(server.url).port);
    const socket = connect(port, "127.0.0.1");
    socket.on("error", () => {});
    socket.write(`GET /events?room=photo:1&token=${token} HTTP/1.1\r\nHost: relay\r\n\r\n`);
    socket.pause(); // never reads: the kernel buffers fill, then the relay's
    await eventually(() => server?.relay.stats().sseStreams === 1);
    const big = "x".repeat(100 * 1024);
    for (let i = 0; i < 200 && server.relay.stats().sseStreams > 0; i++) {
      await publishEvent(server.broker, "room:photo:1", "photo.progress", { i, big });
    }
    await eventually(() => server?.relay.stats().sseStreams === 0, { label: "the slow stream cut" });
    expect(await metric(server.url, "eventbus_relay_slow_consumer_disconnects_total")).toBeGreaterThanOrEqual(
      1,
    );
    expect(await metric(server.url, "eventbus_relay_disconnects_total", 'reason="SLOW_CONSUMER"')).toBe(1);
    socket.destroy();
  });

  it("counts streams against the per-user cap together with sockets", async () => {
    server = await startTestRelay({ limits: { maxConnectionsPerUser: 2 } });
    const token = await server.token("alice");
    const a = openSse(`${server.url}/events`, { token });
    const b = openSse(`${server.url}/events`, { token });
    await a.events.waitUntil((e) => e.event === "ready");
    await b.events.waitUntil((e) => e.event === "ready");
    const third = await fetch(`${server.url}/events`, { headers: { authorization: `Bearer ${token}` } });
    expect(third.status).toBe(429);
    expect(((await third.json()) as { error: { code: string } }).error.code).toBe("TOO_MANY_CONNECTIONS");
    expect((await connectError(server.url, { token })).code).toBe("TOO_MANY_CONNECTIONS"); // and sockets
  });

  it("`$session.revoke` closes the user's streams with TOKEN_REVOKED; the next request is refused", async () => {
    server = await startTestRelay();
    const token = await server.token("alice");
    const reader = openSse(`${server.url}/events`, { token, maxRetryMs: 50 });
    await reader.events.waitUntil((e) => e.event === "ready");
    await revokeUserSessions(server.broker, "alice");
    await reader.events.waitUntil((e) => e.event === "notice");
    expect(JSON.parse(reader.events.items.at(-1)?.data ?? "{}")).toMatchObject({ code: "TOKEN_REVOKED" });
    await eventually(() => reader.status === 401, { label: "the reconnect refused" });
  });

  it("close() drains: each stream gets SERVER_SHUTDOWN and a retry hint, then ends", async () => {
    server = await startTestRelay();
    const token = await server.token("alice");
    const reader = openSse(`${server.url}/events`, { token, maxConnections: 1 });
    await reader.events.waitUntil((e) => e.event === "ready");
    await server.close();
    server = undefined;
    const notice = await reader.events.waitUntil((e) => e.event === "notice");
    expect(JSON.parse(notice.at(-1)?.data ?? "{}")).toMatchObject({ code: "SERVER_SHUTDOWN" });
  });

  it("the token's expiry ends the stream with TOKEN_EXPIRED; the expired token is then refused", async () => {
    server = await startTestRelay({
      auth: { secret: TEST_SECRET, clockToleranceSec: 0 },
      limits: { slowConsumerCheckMs: 100 },
    });
    const token = await server.token("alice", { ttl: 2 });
    const reader = openSse(`${server.url}/events`, { token, maxRetryMs: 50 });
    await reader.events.waitUntil((e) => e.event === "ready");
    const notice = await reader.events.waitUntil((e) => e.event === "notice", 15_000);
    expect(JSON.parse(notice.at(-1)?.data ?? "{}")).toMatchObject({ code: "TOKEN_EXPIRED" });
    await eventually(() => reader.status === 401, { label: "the expired token refused" });
    expect(JSON.parse(reader.errorBody ?? "{}")).toMatchObject({ error: { code: "TOKEN_EXPIRED" } });
  });

  it("answers a CORS preflight for the Authorization and Last-Event-ID headers", async () => {
    server = await startTestRelay({ corsOrigins: ["http://app.test"] });
    const response = await fetch(`${server.url}/events`, {
      method: "OPTIONS",
      headers: { origin: "http://app.test", "access-control-request-headers": "authorization,last-event-id" },
    });
    expect(response.status).toBe(204);
    expect(response.headers.get("access-control-allow-origin")).toBe("http://app.test");
    expect(response.headers.get("access-control-allow-headers")).toContain("last-event-id");
  });

  it("sends heartbeat comments while idle", async () => {
    server = await startTestRelay({ heartbeat: { intervalMs: 100, timeoutMs: 100 } });
    const reader = openSse(`${server.url}/events`, { token: await server.token("alice") });
    await eventually(() => reader.comments >= 3, { label: "three heartbeats" });
  });
});
