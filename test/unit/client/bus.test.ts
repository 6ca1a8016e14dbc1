/**
 * createEventBus's wiring with a scripted relay and a manual clock: intent (rooms and
 * subscriptions whatever the order of calls), the join sequence (live before the ack is held,
 * history first, no duplicate), resync, holes, presence, handler isolation.
 */
import { afterEach, describe, expect, it } from "vitest";
import { createBus } from "../../../client/create-event-bus.js";
import { resolveOptions } from "../../../client/options.js";
import type { DeliveredEvent } from "../../../client/router.js";
import type { EventBusOptions } from "../../../client/types.js";
import { type EventBusError, isEventBusError } from "../../../protocol/errors.js";
import type { JoinResult } from "../../../protocol/frames.js";
import { ManualClock } from "../../helpers/client-clock.js";
import { FakeRelay, helloResult, liveMessage, wireMessage } from "../../helpers/client-fake-transport.js";

/** The id wireMessage gives the event at `offset` (positions carry it after a delivery). */
const idAt = (offset: number) => `0190a0b0-0000-7000-8000-${String(offset).padStart(12, "0")}`;

const buses: { close(): void }[] = [];
afterEach(() => {
  for (const bus of buses.splice(0)) bus.close();
});

function setup(options: Partial<EventBusOptions> = {}) {
  const clock = new ManualClock();
  const relay = new FakeRelay();
  const bus = createBus(
    resolveOptions({
      url: "http://relay.test",
      token: "t",
      clock,
      random: () => 0.5,
      reconnect: { minDelay: 100, maxDelay: 1000 },
      ...options,
    }),
    relay.factory,
  );
  buses.push(bus);
  const seen: DeliveredEvent[] = [];
  bus.subscribe("*", (event) => seen.push(event as DeliveredEvent));
  const got = () => seen.map((e) => `${e.channel}#${e.offset ?? "-"}`);
  return { clock, relay, bus, seen, got };
}

const joinResult = (room: string, offset: number, extra: Partial<JoinResult> = {}): JoinResult => ({
  room,
  channel: `room:${room}`,
  position: { offset, epoch: "e1" },
  ...extra,
});

async function connect(s: ReturnType<typeof setup>) {
  await s.clock.advance(0);
  s.relay.last.connect();
  s.relay.last.answer("hello", helloResult());
  await s.clock.advance(0);
}

describe("bus wiring", () => {
  it("rooms joined before connecting are joined after hello; the promise waits for the answer", async () => {
    const s = setup({ autoConnect: false });
    let joined = false;
    const join = s.bus.joinRoom("photo:1").then(() => {
      joined = true;
    });
    expect(s.bus.store.getState().rooms["photo:1"]).toMatchObject({ status: "joining" });
    s.bus.connect();
    await s.clock.advance(0);
    s.relay.last.connect();
    expect(s.relay.last.requests.map((r) => r.frame)).toEqual(["hello"]);
    s.relay.last.answer("hello", helloResult());
    await s.clock.advance(0);
    const request = s.relay.last.take("join");
    expect(request.payload).toEqual({ room: "photo:1" });
    const second = s.bus.joinRoom("photo:1");
    expect(s.relay.last.sent.filter((r) => r.frame === "join")).toHaveLength(1);
    await s.clock.advance(0);
    expect(joined).toBe(false);
    request.resolve(joinResult("photo:1", 0));
    await Promise.all([join, second]);
    expect(s.bus.store.getState().rooms["photo:1"]).toMatchObject({
      status: "joined",
      recovered: null,
      gaps: 0,
    });
  });

  it("holds live messages that arrive before the join answer, then delivers history, then them, once", async () => {
    const s = setup();
    await connect(s);
    const join = s.bus.joinRoom("photo:1");
    await s.clock.advance(0);
    s.relay.last.take("join").resolve(joinResult("photo:1", 2));
    await join;
    s.relay.last.handlers.message("room:photo:1", liveMessage("a.b", 3, 3));
    s.relay.last.drop();
    await s.clock.advance(50);
    s.relay.last.connect();
    s.relay.last.answer("hello", helloResult());
    await s.clock.advance(0);
    const rejoin = s.relay.last.take("join");
    expect(rejoin.payload).toEqual({ room: "photo:1", since: { offset: 3, epoch: "e1", id: idAt(3) } });
    s.relay.last.handlers.message("room:photo:1", liveMessage("a.b", 6, 6));
    s.relay.last.handlers.message("room:photo:1", liveMessage("a.b", 5, 5));
    expect(s.got()).toEqual(["room:photo:1#3"]);
    rejoin.resolve(
      joinResult("photo:1", 5, {
        recovery: {
          recovered: true,
          messages: [wireMessage("a.b", 4, 4), wireMessage("a.b", 5, 5)],
          more: false,
        },
      }),
    );
    await s.clock.advance(0);
    expect(s.got()).toEqual(["room:photo:1#3", "room:photo:1#4", "room:photo:1#5", "room:photo:1#6"]);
    expect(s.bus.store.getState().rooms["photo:1"]).toMatchObject({ status: "joined", recovered: true });
  });

  it("own channels: live before the hello answer is held; a hole asks history; resync asks history", async () => {
    const s = setup();
    await s.clock.advance(0);
    s.relay.last.connect();
    s.relay.last.handlers.message("user:u1", liveMessage("a.b", 1, 1));
    expect(s.got()).toEqual([]);
    s.relay.last.answer("hello", helloResult());
    await s.clock.advance(0);
    expect(s.got()).toEqual(["user:u1#1"]);
    s.relay.last.handlers.message("user:u1", liveMessage("a.b", 3, 3));
    expect(s.relay.last.take("history").payload).toEqual({
      channel: "user:u1",
      since: { offset: 1, epoch: "e1", id: idAt(1) },
      limit: 500,
    });
    s.relay.last.handlers.resync(["user:u1"]);
    expect(s.relay.last.pending("history")).toBe(0); // one request at a time
  });

  it("a history request that fails with a retryable error is retried with backoff", async () => {
    const s = setup();
    await connect(s);
    s.relay.last.handlers.resync(["user:u1"]);
    s.relay.last.fail("history", "BROKER_UNAVAILABLE");
    await s.clock.advance(49);
    expect(s.relay.last.pending("history")).toBe(0);
    await s.clock.advance(1);
    s.relay.last.answer("history", {
      position: { offset: 1, epoch: "e1" },
      recovered: true,
      messages: [wireMessage("a.b", 1, 1)],
      more: false,
    });
    await s.clock.advance(0);
    expect(s.got()).toEqual(["user:u1#1"]);
  });

  it("a join refused with a retryable error is retried; a refusal for good rejects and is not retried", async () => {
    const s = setup();
    await connect(s);
    const ok = s.bus.joinRoom("photo:1");
    const no = s.bus.joinRoom("secret:1");
    await s.clock.advance(0);
    s.relay.last.fail("join", "RATE_LIMITED");
    s.relay.last.fail("join", "FORBIDDEN");
    await expect(no).rejects.toSatisfy((e) => isEventBusError(e, "FORBIDDEN"));
    await s.clock.advance(50);
    s.relay.last.answer("join", joinResult("photo:1", 0));
    await ok;
    s.relay.last.drop();
    await s.clock.advance(50);
    s.relay.last.connect();
    s.relay.last.answer("hello", helloResult());
    await s.clock.advance(0);
    expect(s.relay.last.requests.map((r) => (r.payload as { room?: string }).room)).toEqual(["photo:1"]);
  });

  it("leaving while the join is in flight sends leave once the join is answered", async () => {
    const s = setup();
    await connect(s);
    const join = s.bus.joinRoom("photo:1");
    await s.clock.advance(0);
    s.bus.leaveRoom("photo:1");
    await expect(join).rejects.toSatisfy((e) => isEventBusError(e, "CANCELLED"));
    s.relay.last.answer("join", joinResult("photo:1", 0));
    await s.clock.advance(0);
    expect(s.relay.last.take("leave").payload).toEqual({ room: "photo:1" });
    expect(s.bus.store.getState().rooms).toEqual({});
  });

  it("presence: join answer and events aggregated per user into the store and the room handle", async () => {
    const s = setup();
    await connect(s);
    const room = s.bus.room("photo:1", { presence: true });
    const updates: string[][] = [];
    room.onMembers((members) => updates.push(members.map((m) => `${m.userId}×${m.connections}`)));
    await s.clock.advance(0);
    const request = s.relay.last.take("join");
    expect(request.payload).toEqual({ room: "photo:1", presence: true });
    request.resolve(joinResult("photo:1", 0, { members: [{ connectionId: "c1", userId: "u1" }] }));
    await room.joined;
    const event = (action: "join" | "leave", connectionId: string, userId: string) =>
      s.relay.last.handlers.presence({ room: "photo:1", action, connectionId, userId });
    event("join", "c2", "u2");
    event("join", "c3", "u2");
    event("leave", "c9", "u9"); // unknown connection: no change
    event("leave", "c2", "u2");
    expect(updates).toEqual([["u1×1"], ["u1×1", "u2×1"], ["u1×1", "u2×2"], ["u1×1", "u2×1"]]);
    expect(room.members()).toBe(s.bus.store.getState().members["photo:1"]);
    room.leave();
    expect(s.bus.store.getState().members["photo:1"]).toBeUndefined();
  });

  it("asking for presence on a room already joined without it joins again with presence and the position", async () => {
    const s = setup();
    await connect(s);
    const plain = s.bus.joinRoom("photo:1");
    await s.clock.advance(0);
    s.relay.last.answer("join", joinResult("photo:1", 3));
    await plain;
    const handle = s.bus.room("photo:1", { presence: true });
    await s.clock.advance(0);
    const upgrade = s.relay.last.take("join");
    expect(upgrade.payload).toEqual({ room: "photo:1", since: { offset: 3, epoch: "e1" }, presence: true });
    upgrade.resolve(
      joinResult("photo:1", 3, {
        members: [{ connectionId: "c1", userId: "u1" }],
        recovery: { recovered: true, messages: [], more: false },
      }),
    );
    await handle.joined;
    expect(handle.members()).toEqual([{ userId: "u1", connections: 1 }]);
    handle.leave();
    expect(s.bus.store.getState().rooms["photo:1"]?.status).toBe("joined"); // the first hold remains
  });

  it("a handler that throws does not stop the others; its error reaches `error` listeners", async () => {
    const s = setup();
    const errors: EventBusError[] = [];
    s.bus.on("error", (e) => errors.push(e));
    s.bus.subscribe("a.*", () => {
      throw new Error("boom");
    });
    await connect(s);
    s.relay.last.handlers.message("user:u1", liveMessage("a.b", 1, 1));
    expect(s.got()).toEqual(["user:u1#1"]);
    expect(errors[0]?.message).toContain("boom");
  });

  it("publish needs a room; a closed bus rejects with CLOSED", async () => {
    const s = setup();
    // @ts-expect-error — room is required
    await expect(s.bus.publish("a.b", {}, {})).rejects.toSatisfy((e) =>
      isEventBusError(e, "INVALID_OPTIONS"),
    );
    s.bus.close();
    await expect(s.bus.publish("a.b", {}, { room: "r" })).rejects.toSatisfy((e) =>
      isEventBusError(e, "CLOSED"),
    );
    await expect(s.bus.joinRoom("r")).rejects.toSatisfy((e) => isEventBusError(e, "CLOSED"));
  });

  it("skips system messages and reports malformed ones without losing their place", async () => {
    const s = setup();
    const errors: EventBusError[] = [];
    s.bus.on("error", (e) => errors.push(e));
    await connect(s);
    s.relay.last.handlers.message("user:u1", liveMessage("$presence.join", {}));
    s.relay.last.handlers.message("user:u1", { id: "nope", offset: 1, epoch: "e1" });
    s.relay.last.handlers.message("user:u1", liveMessage("a.b", 2, 2));
    expect(s.got()).toEqual(["user:u1#2"]);
    expect(errors.map((e) => e.code)).toEqual(["INVALID_EVENT"]);
    expect(s.relay.last.pending("history")).toBe(0);
  });
});
