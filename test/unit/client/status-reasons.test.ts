/**
 * Every status change carries its reason (`{ status, previous, reason: { code, message } }`), in the
 * `status` event and in the store, so an app can say why it is offline without correlating `error`
 * events; and rooms reach `failed` with the coded cause when the connection is refused for its token
 * (then join again by themselves once a new token connects). Scripted transport, manual clock.
 */
import { afterEach, describe, expect, it } from "vitest";
import type { StatusChange } from "../../../client/connection-state.js";
import { createBus } from "../../../client/create-event-bus.js";
import { resolveOptions } from "../../../client/options.js";
import { EventBusError } from "../../../protocol/errors.js";
import { ManualClock } from "../../helpers/client-clock.js";
import { FakeRelay, helloResult } from "../../helpers/client-fake-transport.js";

const buses: { close(): void }[] = [];
afterEach(() => {
  for (const bus of buses.splice(0)) bus.close();
});

function setup(tokens: string[] = ["t1", "t2", "t3"]) {
  const clock = new ManualClock();
  const relay = new FakeRelay();
  let n = 0;
  const getToken = async () => tokens[Math.min(n++, tokens.length - 1)] ?? "t";
  const bus = createBus(
    resolveOptions({ url: "http://relay.test", getToken, clock, random: () => 0.5 }),
    relay.factory,
  );
  buses.push(bus);
  const changes: StatusChange[] = [];
  bus.on("status", (change) => changes.push(change));
  return { clock, relay, bus, changes };
}

async function open(s: ReturnType<typeof setup>) {
  await s.clock.advance(0);
  s.relay.last.connect();
  s.relay.last.answer("hello", helloResult());
  await s.clock.advance(0);
}

describe("status reasons", () => {
  it("connected, then cut by the relay with a notice: the notice's code is the reason", async () => {
    const s = setup();
    await open(s);
    expect(s.changes.at(-1)).toMatchObject({
      status: "connected",
      previous: "connecting",
      reason: { code: "CONNECTED" },
    });
    s.relay.last.handlers.notice(new EventBusError("SLOW_CONSUMER"));
    s.relay.last.drop("transport close");
    const cut = s.changes.at(-1);
    expect(cut).toMatchObject({
      status: "reconnecting",
      previous: "connected",
      reason: { code: "SLOW_CONSUMER" },
    });
    expect(cut?.reason.message).toMatch(/.+/);
    expect(s.bus.store.getState()).toMatchObject({
      status: "reconnecting",
      previousStatus: "connected",
      statusReason: { code: "SLOW_CONSUMER" },
    });
  });

  it("a lost connection without a notice says NOT_CONNECTED with the transport's reason", async () => {
    const s = setup();
    await open(s);
    s.relay.last.drop("ping timeout");
    expect(s.changes.at(-1)?.reason).toMatchObject({
      code: "NOT_CONNECTED",
      message: expect.stringContaining("ping timeout"),
    });
  });

  it("disconnect() and connect() are reasons of their own", async () => {
    const s = setup();
    await open(s);
    s.bus.disconnect();
    expect(s.changes.at(-1)).toMatchObject({ status: "disconnected", reason: { code: "DISCONNECT_CALLED" } });
    s.bus.connect();
    expect(s.changes.at(-1)).toMatchObject({ status: "connecting", reason: { code: "CONNECT_CALLED" } });
  });

  it("a refused token: unauthorized with the refusal's code, and held rooms fail with it", async () => {
    const s = setup(["bad", "bad", "good"]);
    const room = s.bus.room("photo:1");
    const joined = room.joined.then(
      () => "joined",
      (error: unknown) => (error as EventBusError).code,
    );
    await s.clock.advance(0);
    s.relay.last.refuse("TOKEN_INVALID");
    await s.clock.advance(0);
    expect(s.changes.at(-1)).toMatchObject({ status: "unauthorized", reason: { code: "TOKEN_INVALID" } });
    expect(s.bus.store.getState().rooms["photo:1"]).toMatchObject({
      status: "failed",
      error: { code: "TOKEN_INVALID" },
    });
    expect(await joined).toBe("TOKEN_INVALID");
    // A new token: the room is joined again by itself.
    s.bus.reconnect();
    await s.clock.advance(0);
    s.relay.last.refuse("TOKEN_INVALID"); // "bad" again
    await s.clock.advance(0);
    s.bus.reconnect();
    await s.clock.advance(0);
    s.relay.last.connect();
    s.relay.last.answer("hello", helloResult());
    await s.clock.advance(0);
    expect(s.bus.store.getState().rooms["photo:1"]?.status).toBe("joining");
    expect(s.relay.last.sent.map((r) => r.frame)).toContain("join");
  });

  it("an invalid room name is a failed room in the store, with INVALID_ROOM", async () => {
    const s = setup();
    await open(s);
    await expect(s.bus.joinRoom("bad room*")).rejects.toMatchObject({ code: "INVALID_ROOM" });
    expect(s.bus.store.getState().rooms["bad room*"]).toMatchObject({
      status: "failed",
      error: { code: "INVALID_ROOM" },
    });
    s.bus.leaveRoom("bad room*");
    expect(s.bus.store.getState().rooms["bad room*"]).toBeUndefined();
  });
});
