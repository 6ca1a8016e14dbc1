import { describe, expect, it } from "vitest";
import { resolveOptions } from "../../../client/options.js";
import { localStorageOutbox } from "../../../client/outbox-storage.js";
import { RoomPresence } from "../../../client/presence.js";
import { createBusStore, INITIAL_BUS_STATE } from "../../../client/store.js";
import { isEventBusError } from "../../../protocol/errors.js";
import { MemoryStorage } from "../../helpers/client-storage.js";

describe("bus store", () => {
  it("changes only what changed, so selectors keep their references", () => {
    const store = createBusStore();
    let notified = 0;
    store.subscribe(() => notified++);
    store.set({ status: "idle" });
    expect(notified).toBe(0);
    store.patchRoom("a", { status: "joining" });
    const roomsAfterA = store.getState().rooms;
    const a = roomsAfterA.a;
    store.patchRoom("a", { status: "joining" });
    expect(store.getState().rooms).toBe(roomsAfterA);
    store.patchRoom("b", { status: "joined" });
    expect(store.getState().rooms.a).toBe(a);
    store.set({ pending: 3 });
    expect(store.getState().rooms.a).toBe(a);
    store.removeRoom("a");
    expect(Object.keys(store.getState().rooms)).toEqual(["b"]);
    expect(store.getInitialState()).toBe(INITIAL_BUS_STATE);
    expect(notified).toBe(4);
  });
});

describe("RoomPresence", () => {
  it("aggregates connections per user and keeps the same array until members change", () => {
    const presence = new RoomPresence();
    expect(
      presence.reset([
        { connectionId: "c1", userId: "u1", info: { name: "Ann" } },
        { connectionId: "c2", userId: "u1" },
      ]),
    ).toBe(true);
    const first = presence.members();
    expect(first).toEqual([{ userId: "u1", connections: 2, info: { name: "Ann" } }]);
    expect(presence.apply({ room: "r", action: "leave", connectionId: "zz", userId: "u9" })).toBe(false);
    expect(presence.members()).toBe(first);
    presence.apply({ room: "r", action: "leave", connectionId: "c2", userId: "u1" });
    expect(presence.members()).toEqual([{ userId: "u1", connections: 1, info: { name: "Ann" } }]);
  });
});

describe("options", () => {
  it("applies defaults and names the culprit of a bad option", () => {
    const o = resolveOptions({ url: "http://x", token: "t" });
    expect(o.transport.transports).toEqual(["websocket"]);
    expect(o.backoff).toEqual({ minDelay: 500, maxDelay: 30_000 });
    expect(o.outbox).toMatchObject({
      maxMessages: 1000,
      maxBytes: 1048576,
      maxAge: 600_000,
      overflow: "reject-new",
    });
    const bad = (options: object) => {
      try {
        resolveOptions({ url: "http://x", token: "t", ...options });
      } catch (error) {
        return isEventBusError(error, "INVALID_OPTIONS") ? error.details?.option : "other";
      }
      return "accepted";
    };
    expect(bad({ url: "" })).toBe("url");
    expect(bad({ token: undefined })).toBe("token");
    expect(bad({ reconnect: { minDelay: 0 } })).toBe("reconnect.minDelay");
    expect(bad({ reconnect: { minDelay: 5000, maxDelay: 100 } })).toBe("reconnect.maxDelay");
    expect(bad({ outbox: { overflow: "drop-newest" } })).toBe("outbox.overflow");
    expect(bad({ outbox: { maxAge: -1 } })).toBe("outbox.maxAge");
  });
});

describe("localStorageOutbox", () => {
  it("stores one key per message under its prefix and ignores foreign or corrupt entries", async () => {
    const storage = new MemoryStorage();
    storage.setItem("other", "x");
    storage.setItem("event-bus:outbox:broken", "{nope");
    const outbox = localStorageOutbox({ storage });
    const record = {
      id: "0190a0b0-0000-7000-8000-000000000001",
      type: "a.b",
      room: "r",
      data: "{}",
      createdAt: 1,
    };
    await outbox.add(record);
    expect(await outbox.load()).toEqual([record]);
    await outbox.remove(record.id);
    expect(await outbox.load()).toEqual([]);
    expect(storage.keys()).toEqual(["other", "event-bus:outbox:broken"]);
  });
});
