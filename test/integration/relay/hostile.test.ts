/**
 * Hostile input: malformed frames, wrong types, patterns and other users' channels, oversized
 * payloads and frames, floods, too many rooms or connections, slow consumers, foreign origins and
 * malformed broker messages. Each gets a coded error (or a coded disconnect); the relay keeps serving
 * a well-behaved client throughout.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { systemClock } from "../../../common/clock.js";
import { encodeEvent } from "../../../protocol/codec.js";
import type { Reply } from "../../../protocol/frames.js";
import { createId } from "../../../protocol/ids.js";
import { closeAllClients, connectClient, connectError, type TestClient } from "../../helpers/relay-client.js";
import { publishEvent, startTestRelay, type TestRelay } from "../../helpers/relay-server.js";
import { collector } from "../../helpers/wait.js";

const claims = { rooms: ["photo:*"], publish: ["photo:*"] };

let server: TestRelay;
let bystander: TestClient;

async function stillServing(): Promise<void> {
  const before = bystander.messages.items.length;
  await publishEvent(server.broker, "room:photo:bystander", "comment.added", { text: "ping" });
  await bystander.messages.waitFor(before + 1);
}

beforeAll(async () => {
  server = await startTestRelay({
    limits: {
      rateBurst: 40,
      ratePerSecond: 20,
      floodTolerance: 10,
      maxRoomsPerSocket: 3,
      maxConnectionsPerUser: 3,
      maxBufferedMessages: 50,
      maxBufferedBytes: 256 * 1024,
      slowConsumerCheckMs: 50,
    },
    corsOrigins: ["https://app.example"],
  });
  bystander = await connectClient(server.url, await server.token("bystander", claims));
  await bystander.call("join", { room: "photo:bystander" });
});
afterEach(async () => {
  for (const client of [...openClients]) client.close();
  openClients.length = 0;
  await stillServing();
});
afterAll(async () => {
  closeAllClients();
  await server.close();
});

const openClients: TestClient[] = [];
async function connect(user: string): Promise<TestClient> {
  const client = await connectClient(server.url, await server.token(user, claims));
  openClients.push(client);
  return client;
}

describe("malformed frames", () => {
  it("answers every malformed join, leave, history and publish with a code", async () => {
    const client = await connect("mallory");
    const replies = await Promise.all([
      client.request("join", null),
      client.request("join", "photo:1"),
      client.request("join", { room: 42 }),
      client.request("join", { room: "photo:*" }),
      client.request("join", { room: "{photo:1}" }),
      client.request("join", { room: "photo 1" }),
      client.request("join", { room: "x".repeat(200) }),
      client.request("join", { room: "photo:1", since: { offset: -1, epoch: "e" } }),
      client.request("join", { room: "photo:1", presence: "yes" }),
      client.request("join", { room: "secret:1" }),
      client.request("leave", {}),
      client.request("history", { channel: "user:*", since: { offset: 0, epoch: "e" } }),
      client.request("history", { channel: "user:bystander", since: { offset: 0, epoch: "e" } }),
      client.request("history", { channel: 7 }),
      client.request("auth", { token: 1 }),
    ]);
    expect(replies.map((r) => (r.ok ? "ok" : r.error.code))).toEqual([
      "INVALID_FRAME",
      "INVALID_FRAME",
      "INVALID_ROOM",
      "INVALID_ROOM",
      "INVALID_ROOM",
      "INVALID_ROOM",
      "INVALID_ROOM",
      "INVALID_FRAME",
      "INVALID_FRAME",
      "FORBIDDEN",
      "INVALID_ROOM",
      "INVALID_CHANNEL",
      "FORBIDDEN",
      "INVALID_CHANNEL",
      "TOKEN_MISSING",
    ]);
  });

  it("refuses malformed and oversized publishes and never writes half a message", async () => {
    const client = await connect("mallory");
    const publish = (fields: Record<string, unknown>) =>
      client.request("publish", {
        id: createId(),
        type: "comment.added",
        data: {},
        room: "photo:1",
        ...fields,
      });
    let deep: Record<string, unknown> = {};
    for (let i = 0; i < 40; i++) deep = { next: deep };
    const replies = await Promise.all([
      publish({ id: "not-a-uuid" }),
      publish({ id: "00000000-0000-4000-8000-000000000000" }),
      publish({ type: "$presence.join" }),
      publish({ type: "has space" }),
      publish({ room: "photo:*" }),
      publish({ data: undefined }),
      publish({ data: "x".repeat(600 * 1024) }),
      publish({ data: deep }),
      publish({ traceId: { x: 1 } }),
      publish({ room: "other:1" }),
    ]);
    expect(replies.map((r) => (r.ok ? "ok" : r.error.code))).toEqual([
      "INVALID_FRAME",
      "INVALID_FRAME",
      "INVALID_TYPE",
      "INVALID_TYPE",
      "INVALID_ROOM",
      "INVALID_FRAME",
      "TOO_LARGE",
      "INVALID_EVENT",
      "INVALID_FRAME",
      "FORBIDDEN",
    ]);
    const position = await server.broker.position("room:photo:1");
    expect(position.offset).toBe(0);
  });

  it("answers unknown frames and extra arguments, and survives frames without an ack", async () => {
    const client = await connect("mallory");
    const unknown = (await client.socket.timeout(10_000).emitWithAck("drop-tables", {})) as Reply<unknown>;
    expect(unknown).toMatchObject({ ok: false, error: { code: "INVALID_FRAME" } });
    const extra = (await client.socket
      .timeout(10_000)
      .emitWithAck("join", { room: "photo:1" }, "x")) as Reply<unknown>;
    expect(extra).toMatchObject({ ok: false, error: { code: "INVALID_FRAME" } });
    client.socket.emit("join", { room: "photo:1" });
    client.socket.emit("publish", { nonsense: true });
    client.socket.emit("hello");
    expect((await client.call("hello", {})).userId).toBe("mallory");
  });

  it("closes a connection whose frame exceeds the frame limit", async () => {
    const client = await connect("mallory");
    client.socket.emit("publish", { data: "x".repeat(2 * 1024 * 1024) }, () => {});
    const [reason] = await client.disconnects.waitFor(1);
    expect(reason).toMatch(/transport (close|error)/);
  });
});

describe("limits", () => {
  it("rate-limits a flood with RATE_LIMITED, then disconnects it", async () => {
    // The limiter runs on the relay's clock; with "now" stopped its buckets never refill, so the
    // counts are exact however slowly the frames are processed.
    const stopped = Date.now();
    const still = await startTestRelay({
      limits: { rateBurst: 40, ratePerSecond: 20, floodTolerance: 10 },
      clock: { ...systemClock, now: () => stopped },
    });
    try {
      const client = await connectClient(still.url, await still.token("flooder", claims));
      const presence = () => client.request("presence", { room: "photo:1" });
      // The burst is awaited: a kicked socket never gets the replies of accepted frames still running.
      const accepted = await Promise.all(Array.from({ length: 40 }, presence));
      expect(accepted.map((r) => (r.ok ? "ok" : r.error.code))).toEqual(Array(40).fill("ok"));
      const replies = collector<string>("replies");
      for (let i = 0; i < 20; i++) {
        client.socket.emit("presence", { room: "photo:1" }, (reply: Reply<unknown>) =>
          replies.push(reply.ok ? "ok" : reply.error.code),
        );
      }
      const [notice] = await client.notices.waitFor(1);
      expect(notice?.code).toBe("RATE_LIMITED");
      await client.disconnects.waitFor(1);
      // 10 refusals tolerated, then the 11th is the flood: refused too, and the socket is cut.
      expect(replies.items).toEqual(Array(11).fill("RATE_LIMITED"));
    } finally {
      await still.close();
    }
  });

  it("caps rooms per socket and connections per user", async () => {
    const client = await connect("roomy");
    for (const room of ["photo:a", "photo:b", "photo:c"]) await client.call("join", { room });
    await client.call("join", { room: "photo:a" });
    expect(await client.request("join", { room: "photo:d" })).toMatchObject({
      ok: false,
      error: { code: "TOO_MANY_ROOMS" },
    });
    await client.call("leave", { room: "photo:a" });
    await client.call("join", { room: "photo:d" });
    await connect("roomy");
    await connect("roomy");
    expect((await connectError(server.url, { token: await server.token("roomy") })).code).toBe(
      "TOO_MANY_CONNECTIONS",
    );
  });

  it("disconnects a slow consumer and frees its buffer", async () => {
    const client = await connect("sloth");
    await client.call("join", { room: "photo:firehose" });
    const engine = client.socket.io.engine as unknown as {
      transport: { ws?: { _socket?: { pause(): void } } };
    };
    engine.transport.ws?._socket?.pause();
    const { json } = encodeEvent({
      type: "photo.processing.progress",
      data: { blob: "x".repeat(64 * 1024) },
      source: "t",
    });
    const before = (await server.relay.metrics.slowConsumers.get()).values[0]?.value ?? 0;
    for (let i = 0; i < 400 && server.relay.stats().connections > 1; i++) {
      await server.broker.publish("room:photo:firehose", json);
    }
    await expect.poll(() => server.relay.stats().connections, { timeout: 5000 }).toBe(1);
    const after = (await server.relay.metrics.slowConsumers.get()).values[0]?.value ?? 0;
    expect(after).toBe(before + 1);
  });

  it("refuses browsers from origins that are not allowed", async () => {
    const token = await server.token("u1");
    await expect(
      connectClient(server.url, token, { extraHeaders: { origin: "https://evil.example" } }),
    ).rejects.toThrow();
    const allowed = await connectClient(server.url, token, {
      extraHeaders: { origin: "https://app.example" },
    });
    openClients.push(allowed);
    expect(allowed.socket.connected).toBe(true);
  });
});

describe("broker messages", () => {
  it("drops malformed messages once per relay, counts them, and keeps forwarding", async () => {
    const malformed = async () => (await server.relay.metrics.malformed.get()).values[0]?.value ?? 0;
    const before = await malformed();
    await server.broker.publish("room:photo:bystander", "not json");
    await server.broker.publish("room:photo:bystander", JSON.stringify({ id: "x", type: "a.b" }));
    await stillServing();
    expect(await malformed()).toBe(before + 2);
    expect(bystander.messages.items.every((m) => m.message.type === "comment.added")).toBe(true);
  });
});
