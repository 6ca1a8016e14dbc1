/**
 * The client SDK against a real relay (memory broker): connect, subscribe, rooms, publish,
 * presence, errors.
 */
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { isEventBusError } from "../../../protocol/errors.js";
import { closeAllBuses, collect, ROOM_CLAIMS, statusReached, testBus } from "../../helpers/client-bus.js";
import { TrackingClock } from "../../helpers/client-clock.js";
import { publishEvent, startTestRelay, type TestRelay } from "../../helpers/relay-server.js";

/** While unauthorized, the bus only polls for a new token (testBus: max(150 ms backoff, 30 s)). */
const TOKEN_POLL_MS = 30_000;

let server: TestRelay;

beforeEach(async () => {
  server = await startTestRelay();
});

afterEach(async () => {
  closeAllBuses();
  await server.close();
});

describe("client basics", () => {
  it("connects, receives its user channel and a room, in order, with channel and offset", async () => {
    const bus = testBus(server.url, () => server.token("u1", ROOM_CLAIMS));
    const events = collect(bus, "photo.*");
    await bus.joinRoom("photo:1");
    expect(bus.status).toBe("connected");
    expect(bus.store.getState()).toMatchObject({
      status: "connected",
      userId: "u1",
      rooms: { "photo:1": { status: "joined" } },
    });
    await publishEvent(server.broker, "user:u1", "photo.uploaded", { i: 0 });
    await publishEvent(server.broker, "room:photo:1", "photo.processing.progress", { i: 1 });
    await publishEvent(server.broker, "user:u1", "comment.added", { i: 2 });
    const got = await events.waitFor(2);
    expect(got.map((e) => [e.type, e.channel, e.offset])).toEqual([
      ["photo.uploaded", "user:u1", 1],
      ["photo.processing.progress", "room:photo:1", 1],
    ]);
  });

  it("publishes to a room: the promise resolves with id and offset, other members receive it", async () => {
    const alice = testBus(server.url, () => server.token("alice", ROOM_CLAIMS));
    const bob = testBus(server.url, () => server.token("bob", ROOM_CLAIMS));
    const seen = collect(bob, "comment.*");
    await Promise.all([alice.joinRoom("photo:1"), bob.joinRoom("photo:1")]);
    const ack = await alice.publish("comment.added", { text: "hi" }, { room: "photo:1" });
    expect(ack.offset).toBe(1);
    const [event] = await seen.waitFor(1);
    expect(event).toMatchObject({
      id: ack.id,
      type: "comment.added",
      data: { text: "hi" },
      channel: "room:photo:1",
      offset: 1,
    });
  });

  it("rejects a forbidden join and a forbidden publish with coded errors", async () => {
    const bus = testBus(server.url, () => server.token("u1", { rooms: ["photo:*"] }));
    await expect(bus.joinRoom("secret:1")).rejects.toSatisfy((e) => isEventBusError(e, "FORBIDDEN"));
    expect(bus.store.getState().rooms["secret:1"]).toMatchObject({ status: "failed" });
    await expect(bus.publish("comment.added", { text: "x" }, { room: "photo:1" })).rejects.toSatisfy((e) =>
      isEventBusError(e, "FORBIDDEN"),
    );
    await expect(bus.joinRoom("bad room")).rejects.toSatisfy((e) => isEventBusError(e, "INVALID_ROOM"));
    await expect(bus.publish("Not A Type!", {}, { room: "photo:1" })).rejects.toSatisfy((e) =>
      isEventBusError(e, "INVALID_TYPE"),
    );
    expect(bus.store.getState().pending).toBe(0);
  });

  it("joining twice is harmless; the room is left when the last holder leaves", async () => {
    const bus = testBus(server.url, () => server.token("u1", ROOM_CLAIMS));
    await Promise.all([bus.joinRoom("photo:1"), bus.joinRoom("photo:1")]);
    bus.leaveRoom("photo:1");
    expect(bus.store.getState().rooms["photo:1"]?.status).toBe("joined");
    const events = collect(bus, "*");
    await publishEvent(server.broker, "room:photo:1", "comment.added", { i: 1 });
    await events.waitFor(1);
    bus.leaveRoom("photo:1");
    expect(bus.store.getState().rooms["photo:1"]).toBeUndefined();
  });

  it("room handles: events of that room only, publish, presence members per user", async () => {
    const alice = testBus(server.url, () => server.token("alice", ROOM_CLAIMS));
    const bob = testBus(server.url, () => server.token("bob", ROOM_CLAIMS));
    const room = alice.room("photo:1", { presence: true });
    const other = alice.room("photo:2");
    const seen: string[] = [];
    room.on("*", (e) => seen.push(`${e.channel}:${e.type}`));
    await Promise.all([room.joined, other.joined]);
    const members = new Promise<readonly { userId: string }[]>((resolve) =>
      room.onMembers((list) => list.length === 2 && resolve(list)),
    );
    const bobRoom = bob.room("photo:1", { presence: true });
    await bobRoom.joined;
    expect((await members).map((m) => m.userId).sort()).toEqual(["alice", "bob"]);
    await publishEvent(server.broker, "room:photo:2", "comment.added", { i: 0 });
    await bobRoom.publish("comment.added", { text: "hey" });
    await expect.poll(() => seen).toEqual(["room:photo:1:comment.added"]);
    room.leave();
    room.leave();
    expect(alice.store.getState().rooms["photo:1"]).toBeUndefined();
  });

  it("revoked token: unauthorized, without a reconnect loop; reconnect() tries once more", async () => {
    let calls = 0;
    let handshakes = 0;
    server.relay.io.engine.on("connection", () => handshakes++);
    // Issued a second ago: `iat` has a 1 s resolution, and a token of the revocation's own second
    // counts as revoked only from the next one (relay/auth/revocation.ts).
    const token = await server.token("u1", { ttl: 60, now: Math.floor(Date.now() / 1000) - 1 });
    const clock = new TrackingClock();
    const bus = testBus(
      server.url,
      () => {
        calls++;
        return token;
      },
      { clock },
    );
    const statuses: string[] = [];
    bus.on("status", (s) => statuses.push(s.status));
    await statusReached(bus, "connected");
    const { revokeUserSessions } = await import("../../../relay/auth/revocation.js");
    await revokeUserSessions(server.broker, "u1");
    await statusReached(bus, "unauthorized");
    expect(bus.store.getState().error?.code).toBe("TOKEN_REVOKED");
    // No loop: nothing is scheduled but the 30 s token poll (which reconnects only with a new token).
    expect(clock.pending()).toEqual([TOKEN_POLL_MS]);
    expect([bus.status, handshakes, calls]).toEqual(["unauthorized", 1, 1]);
    bus.reconnect();
    await expect.poll(() => handshakes).toBe(2);
    await statusReached(bus, "unauthorized");
    expect(clock.pending()).toEqual([TOKEN_POLL_MS]);
    expect([bus.status, handshakes, calls]).toEqual(["unauthorized", 2, 2]);
    expect(statuses).toEqual(["connected", "unauthorized", "connecting", "unauthorized"]);
  });
});
