/**
 * The relay's frame handlers, each built from its own narrow dependencies: the orderings that make
 * joins gap-free are checked here directly, without sockets or a network — the broker subscription
 * is confirmed before the socket enters the socket.io room, and the position is read only after it;
 * frames about one room take effect in arrival order; a failed subscription leaves nothing behind.
 * Real parts: the memory broker, the real Bridge, Recovery and Session; the socket is a recorder of
 * the two socket.io calls handlers make (join/leave a room).
 */

import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { systemClock } from "../../../common/clock.js";
import { channelNames } from "../../../protocol/channels.js";
import type { AuthorizeHook } from "../../../relay/auth/authorize.js";
import type { VerifiedToken } from "../../../relay/auth/verify-token.js";
import { MemoryBroker } from "../../../relay/brokers/memory/memory-broker.js";
import { MemoryHub } from "../../../relay/brokers/memory/memory-hub.js";
import { helloHandler } from "../../../relay/edge/connection/hello.js";
import { Session } from "../../../relay/edge/connection/session.js";
import { Recovery } from "../../../relay/edge/delivery/recovery.js";
import { rewindStart } from "../../../relay/edge/delivery/rewind.js";
import { DEFAULT_RELAY_LIMITS } from "../../../relay/edge/options.js";
import { Bridge, type ChannelHolds } from "../../../relay/edge/rooms/bridge.js";
import { PresenceTracker } from "../../../relay/edge/rooms/presence.js";
import { roomHandlers } from "../../../relay/edge/rooms/room-frames.js";
import type { MemberSocket } from "../../../relay/edge/types.js";

const names = channelNames("");
const counter = { inc: () => {} };
const noPacing = { room: async () => {} };

function token(userId: string, rooms: string[], roles: string[] = []): VerifiedToken {
  return { claims: { sub: userId, roles, rooms }, userId, roles, expiresAt: null, issuedAt: null };
}

/** Records the handlers' socket.io calls in `log`; tracks which rooms the socket is in. */
function recorder(log: string[], session: Session): MemberSocket & { rooms: Set<string> } {
  const rooms = new Set<string>();
  return {
    id: session.connectionId,
    data: { session },
    conn: {},
    rooms,
    join(room: string | string[]) {
      for (const r of Array.isArray(room) ? room : [room]) {
        log.push(`socket.join ${r}`);
        rooms.add(r);
      }
    },
    leave(room: string) {
      log.push(`socket.leave ${room}`);
      rooms.delete(room);
    },
  } as MemberSocket & { rooms: Set<string> };
}

/** The bridge with its acquire/release steps written to `log`. */
function recordingHolds(bridge: Bridge, log: string[]): ChannelHolds {
  return {
    async acquire(channel) {
      log.push(`acquire ${channel}`);
      await bridge.acquire(channel);
      log.push(`confirmed ${channel}`);
    },
    release(channel) {
      log.push(`release ${channel}`);
      bridge.release(channel);
    },
  };
}

describe("relay frame handlers: orderings", () => {
  let broker: MemoryBroker;
  let bridge: Bridge;
  let log: string[];
  let recovery: Recovery;

  beforeEach(async () => {
    broker = new MemoryBroker({ hub: new MemoryHub() });
    await broker.connect();
    bridge = new Bridge(
      broker,
      0,
      systemClock,
      () => {},
      () => {},
    );
    log = [];
    const reading = {
      position: async (channel: string) => {
        log.push(`position ${channel}`);
        return broker.position(channel);
      },
      readHistory: broker.readHistory.bind(broker),
    };
    recovery = new Recovery(reading, { recoveries: counter }, 100, 1024 * 1024);
  });
  afterEach(async () => {
    await bridge.close();
    await broker.close();
  });

  function rooms(hook?: AuthorizeHook) {
    const presence = new PresenceTracker(broker, { ttlMs: 30_000, refreshMs: 10_000 }, systemClock, () => {});
    const handlers = roomHandlers({
      names,
      channels: recordingHolds(bridge, log),
      presence,
      recovery,
      rewind: (channel, request) => rewindStart(broker, channel, request, systemClock, 100),
      pacer: noPacing,
      limits: { ...DEFAULT_RELAY_LIMITS, maxRoomsPerSocket: 10 },
    });
    const session = new Session("c1", token("u1", ["photo:*"]), hook, DEFAULT_RELAY_LIMITS, systemClock);
    return { handlers, socket: recorder(log, session), session, presence };
  }

  it("join: the subscription is confirmed before the socket enters the room, the position read after", async () => {
    const { handlers, socket } = rooms();
    const result = await handlers.join(socket, { room: "photo:1" });
    expect(result).toMatchObject({ room: "photo:1", channel: "room:photo:1" });
    expect(log).toEqual([
      "acquire room:photo:1",
      "confirmed room:photo:1",
      "socket.join room:photo:1",
      "position room:photo:1",
    ]);
    expect(bridge.channels()).toEqual(["room:photo:1"]);
  });

  it("join then leave sent back to back (slow authorization): the socket ends outside the room", async () => {
    let release: () => void = () => {};
    let asked: () => void = () => {};
    const authorizing = new Promise<void>((resolve) => {
      asked = resolve;
    });
    const slow: AuthorizeHook = (_user, _action, _room, allowed) =>
      new Promise((resolve) => {
        release = () => resolve(allowed);
        asked();
      });
    const { handlers, socket, session } = rooms(slow);
    const joined = handlers.join(socket, { room: "photo:2" });
    const left = handlers.leave(socket, { room: "photo:2" });
    await authorizing; // the join is waiting for its authorization; the leave arrived after it
    release();
    await Promise.all([joined, left]);
    expect(session.rooms.has("photo:2")).toBe(false);
    expect(socket.rooms.has("room:photo:2")).toBe(false);
    expect(log.indexOf("socket.join room:photo:2")).toBeLessThan(log.indexOf("socket.leave room:photo:2"));
    expect(log.filter((l) => l.startsWith("release"))).toEqual(["release room:photo:2"]);
  });

  it("a refused join holds nothing and enters no room", async () => {
    const { handlers, socket, session } = rooms();
    await expect(handlers.join(socket, { room: "secret:1" })).rejects.toMatchObject({ code: "FORBIDDEN" });
    expect(log).toEqual([]);
    expect(session.rooms.size).toBe(0);
  });

  it("a join whose subscription fails leaves no half-joined room behind", async () => {
    const { handlers, socket, session } = rooms();
    await broker.close();
    await expect(handlers.join(socket, { room: "photo:3" })).rejects.toMatchObject({
      code: expect.any(String),
    });
    expect(session.rooms.size).toBe(0);
    expect(socket.rooms.size).toBe(0);
  });

  it("hello: own channels are confirmed before the socket joins them, positions read after", async () => {
    const hello = helloHandler({
      names,
      channels: recordingHolds(bridge, log),
      recovery,
      pacer: noPacing,
      limits: DEFAULT_RELAY_LIMITS,
      cutReasons: { lookup: async () => undefined },
    });
    const session = new Session(
      "c2",
      token("u2", [], ["admin"]),
      undefined,
      DEFAULT_RELAY_LIMITS,
      systemClock,
    );
    const socket = recorder(log, session);
    const result = await hello(socket, {});
    const own = ["user:u2", "broadcast", "role:admin"];
    expect(result.channels.map((c) => c.channel)).toEqual(own);
    const lastConfirm = Math.max(...own.map((c) => log.indexOf(`confirmed ${c}`)));
    const firstJoin = Math.min(...own.map((c) => log.indexOf(`socket.join ${c}`)));
    const firstPosition = Math.min(...own.map((c) => log.indexOf(`position ${c}`)));
    expect(lastConfirm).toBeGreaterThanOrEqual(0);
    expect(lastConfirm).toBeLessThan(firstJoin);
    expect(Math.max(...own.map((c) => log.indexOf(`socket.join ${c}`)))).toBeLessThan(firstPosition);
  });
});
