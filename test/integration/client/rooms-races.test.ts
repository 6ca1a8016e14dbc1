/**
 * Races around room joins that a UI hits in practice (found while building the React bindings):
 * simultaneous presence joins, leave-then-join while the first join is in flight, and queued
 * publishes racing their room's rejoin.
 */
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { closeAllBuses, collect, ROOM_CLAIMS, range, sequence, testBus } from "../../helpers/client-bus.js";
import { publishEvent, startTestRelay, type TestRelay } from "../../helpers/relay-server.js";

let server: TestRelay;

beforeEach(async () => {
  server = await startTestRelay();
});

afterEach(async () => {
  closeAllBuses();
  await server.close();
});

const userIds = (bus: ReturnType<typeof testBus>, room: string) =>
  bus.store
    .getState()
    .members[room]?.map((m) => m.userId)
    .sort() ?? [];

describe("room races", () => {
  it("two users joining with presence at the same moment both end up seeing both", async () => {
    for (const round of range(8)) {
      const room = `photo:race-${round}`;
      const alice = testBus(server.url, () => server.token("alice", ROOM_CLAIMS));
      const bob = testBus(server.url, () => server.token("bob", ROOM_CLAIMS));
      await Promise.all([alice.joinRoom(room, { presence: true }), bob.joinRoom(room, { presence: true })]);
      await expect.poll(() => userIds(alice, room), { timeout: 5000 }).toEqual(["alice", "bob"]);
      await expect.poll(() => userIds(bob, room), { timeout: 5000 }).toEqual(["alice", "bob"]);
      alice.close();
      bob.close();
    }
  });

  it("leave then join while the first join is in flight keeps the socket in the room", async () => {
    const bus = testBus(server.url, () => server.token("u1", ROOM_CLAIMS));
    await bus.joinRoom("photo:warmup");
    const frames: string[] = [];
    for (const socket of server.relay.io.sockets.sockets.values())
      socket.onAny((name: string) => frames.push(name));
    const events = collect(bus, "*", "room:photo:1");
    const first = bus.joinRoom("photo:1").catch((error: unknown) => error);
    bus.leaveRoom("photo:1");
    await bus.joinRoom("photo:1");
    expect(await first).toMatchObject({ code: "CANCELLED" });
    // A round trip sent after both join answers: the relay has seen every frame sent before it.
    await bus.publish("comment.added", { i: 0 }, { room: "photo:1" });
    expect(frames).toEqual(["join", "join", "publish"]);
    expect(sequence(await events.waitFor(1))).toEqual([0]);
    await publishEvent(server.broker, "room:photo:1", "photo.processing.progress", { i: 1 });
    expect(sequence(await events.waitFor(2))).toEqual([0, 1]);
    expect(bus.store.getState().rooms["photo:1"]?.status).toBe("joined");
  });

  it("publishes queued before the first connection reach the room after the join: the sender sees its own", async () => {
    const alice = testBus(server.url, () => server.token("alice", ROOM_CLAIMS), { autoConnect: false });
    const own = collect(alice, "comment.*", "room:photo:1");
    const joined = alice.joinRoom("photo:1");
    const acks = range(20).map((i) => alice.publish("comment.added", { i }, { room: "photo:1" }));
    alice.connect();
    await joined;
    await Promise.all(acks);
    expect(sequence(await own.waitFor(20))).toEqual(range(20));
  });
});
