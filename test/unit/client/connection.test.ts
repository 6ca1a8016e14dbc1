/**
 * The connection driver with a scripted transport and a manual clock: reconnect timing (backoff
 * with full jitter), stale callbacks, tokens (per attempt, expired, refused, in-band refresh),
 * unauthorized without a loop, wake-ups.
 */
import { afterEach, describe, expect, it, vi } from "vitest";
import { createBus } from "../../../client/create-event-bus.js";
import { resolveOptions } from "../../../client/options.js";
import type { EventBusOptions } from "../../../client/types.js";
import { EventBusError } from "../../../protocol/errors.js";
import { PROTOCOL_VERSION } from "../../../protocol/frames.js";
import { ManualClock } from "../../helpers/client-clock.js";
import { FakeRelay, helloResult } from "../../helpers/client-fake-transport.js";

const buses: { close(): void }[] = [];
afterEach(() => {
  for (const bus of buses.splice(0)) bus.close();
});

function setup(options: Partial<EventBusOptions> = {}) {
  const clock = new ManualClock();
  const relay = new FakeRelay();
  let n = 0;
  const getToken = vi.fn(async () => `token-${++n}`);
  const resolved = resolveOptions({
    url: "http://relay.test",
    getToken,
    clock,
    random: () => 0.5,
    reconnect: { minDelay: 100, maxDelay: 1000 },
    ...options,
  });
  const bus = createBus(resolved, relay.factory);
  buses.push(bus);
  const statuses: string[] = [];
  bus.on("status", (s) => statuses.push(s.status));
  return { clock, relay, bus, getToken, statuses };
}

async function open(s: ReturnType<typeof setup>, hello = helloResult()) {
  await s.clock.advance(0);
  s.relay.last.connect();
  s.relay.last.answer("hello", hello);
  await s.clock.advance(0);
}

describe("connection driver", () => {
  it("connects: getToken, handshake with the token and protocol version, hello, connected", async () => {
    const s = setup();
    await open(s);
    expect(s.relay.last.auth).toEqual({ token: "token-1", v: PROTOCOL_VERSION });
    expect(s.bus.status).toBe("connected");
    expect(s.statuses).toEqual(["connected"]);
    expect(s.bus.store.getState()).toMatchObject({ status: "connected", userId: "u1", error: null });
  });

  it("retries failed attempts with exponential backoff and full jitter, asking for a token each time", async () => {
    const s = setup();
    await s.clock.advance(0);
    const delays: number[] = [];
    for (let i = 0; i < 6; i++) {
      s.relay.last.refuse("NOT_CONNECTED");
      await s.clock.advance(0);
      delays.push(s.clock.pending()[0] ?? -1);
      await s.clock.advance(delays[i] ?? 0);
    }
    expect(delays).toEqual([50, 100, 200, 400, 500, 500]); // 0.5 × min(1000, 100 × 2^n)
    expect(s.relay.attempts).toHaveLength(7);
    expect(s.getToken).toHaveBeenCalledTimes(7);
    expect(s.relay.attempts.slice(0, 6).every((t) => t.closed)).toBe(true);
    expect(s.bus.status).toBe("reconnecting");
  });

  it("ignores callbacks of a transport that is no longer current", async () => {
    const s = setup();
    await s.clock.advance(0);
    const first = s.relay.last;
    s.bus.reconnect();
    await s.clock.advance(0);
    expect(s.relay.attempts).toHaveLength(2);
    first.connect();
    first.handlers.disconnect("transport close");
    first.handlers.message("user:u1", {});
    await s.clock.advance(0);
    expect(first.sent).toEqual([]); // no hello on the stale socket
    expect(s.bus.status).toBe("connecting");
    await open(s);
    expect(s.bus.status).toBe("connected");
  });

  it("a lost connection reconnects and resumes own channels from their positions (hello since)", async () => {
    const s = setup();
    await open(s, helloResult({ channels: [{ channel: "user:u1", position: { offset: 4, epoch: "e1" } }] }));
    s.relay.last.drop();
    await s.clock.advance(0);
    expect(s.bus.status).toBe("reconnecting");
    await s.clock.advance(50);
    s.relay.last.connect();
    expect(s.relay.last.take("hello").payload).toEqual({
      previous: "c1",
      since: { "user:u1": { offset: 4, epoch: "e1" } },
    });
  });

  it("TOKEN_EXPIRED at the handshake: asks getToken again; the same token again → unauthorized", async () => {
    const s = setup();
    await s.clock.advance(0);
    s.relay.last.refuse("TOKEN_EXPIRED");
    await s.clock.advance(1000);
    expect(s.relay.last.auth.token).toBe("token-2");
    const stuck = setup({ getToken: async () => "same" });
    await stuck.clock.advance(0);
    stuck.relay.last.refuse("TOKEN_EXPIRED");
    await stuck.clock.advance(1000);
    expect(stuck.bus.status).toBe("unauthorized");
    expect(stuck.relay.attempts).toHaveLength(1);
    expect(stuck.bus.store.getState().error?.code).toBe("TOKEN_EXPIRED");
  });

  it("getToken() failing is retried with backoff; an EventBusError with an auth code means signed out", async () => {
    const s = setup({
      getToken: async () => {
        throw new Error("auth server down");
      },
    });
    await s.clock.advance(0);
    expect(s.bus.status).toBe("reconnecting");
    expect(s.bus.store.getState().error?.message).toContain("auth server down");
    // The hint names the cause (the token function), not connect() or the relay URL.
    expect(s.bus.store.getState().error?.hint).toMatch(/getToken/);
    expect(s.bus.store.getState().error?.hint).not.toMatch(/connect\(\) first|`url`/);
    expect(s.clock.pending()).toEqual([50]);
    const out = setup({
      getToken: async () => {
        throw new EventBusError("UNAUTHORIZED", "Signed out.");
      },
    });
    await out.clock.advance(0);
    expect(out.bus.status).toBe("unauthorized");
    expect(out.relay.attempts).toHaveLength(0);
  });

  it("a refused token stops at unauthorized: no retry timer, no loop; a new token from getToken reconnects", async () => {
    let token = "revoked";
    const getToken = vi.fn(async () => token);
    const s = setup({ getToken });
    await s.clock.advance(0);
    s.relay.last.refuse("TOKEN_REVOKED");
    await s.clock.advance(0);
    expect(s.bus.status).toBe("unauthorized");
    await s.clock.advance(29_000);
    expect(s.relay.attempts).toHaveLength(1);
    expect(getToken).toHaveBeenCalledTimes(1);
    await s.clock.advance(1000); // the slow poll asks getToken again (30 s), same token: nothing
    expect(getToken).toHaveBeenCalledTimes(2);
    expect(s.relay.attempts).toHaveLength(1);
    token = "fresh";
    await s.clock.advance(30_000);
    expect(s.relay.attempts).toHaveLength(2);
    expect(s.relay.last.auth.token).toBe("fresh");
    expect(s.statuses).toEqual(["unauthorized", "connecting"]);
  });

  it("refreshes the token in-band before it expires, without reconnecting", async () => {
    const s = setup();
    await open(s, helloResult({ expiresAt: s.clock.now() + 60_000 }));
    await s.clock.advance(47_999);
    expect(s.relay.last.pending("auth")).toBe(0);
    await s.clock.advance(1);
    expect(s.relay.last.take("auth").payload).toEqual({ token: "token-2" });
    expect(s.relay.attempts).toHaveLength(1);
    expect(s.bus.status).toBe("connected");
  });

  it("keeps trying a refresh while getToken returns the old token, until it expires", async () => {
    let token = "t1";
    const s = setup({ getToken: async () => token });
    await open(s, helloResult({ expiresAt: s.clock.now() + 10_000 }));
    await s.clock.advance(8000);
    expect(s.relay.last.pending("auth")).toBe(0);
    token = "t2";
    await s.clock.advance(1000);
    s.relay.last.answer("auth", { expiresAt: s.clock.now() + 10_000 });
    await s.clock.advance(0);
    expect(s.relay.last.sent.filter((r) => r.frame === "auth").map((r) => r.payload)).toEqual([
      { token: "t2" },
    ]);
  });

  it("the relay's notice decides what a disconnect means", async () => {
    const s = setup({ getToken: async () => "same" });
    await open(s);
    s.relay.last.handlers.notice(
      new (await import("../../../protocol/errors.js")).EventBusError("TOKEN_REVOKED"),
    );
    s.relay.last.drop("io server disconnect");
    await s.clock.advance(5000);
    expect(s.bus.status).toBe("unauthorized");
    expect(s.relay.attempts).toHaveLength(1);
  });

  it("wake (online / visible) retries at once instead of waiting for the backoff timer", async () => {
    const listeners = new Map<string, () => void>();
    vi.stubGlobal("window", {
      addEventListener: (type: string, fn: () => void) => listeners.set(type, fn),
      removeEventListener: () => {},
    });
    try {
      const s = setup({ reconnect: { minDelay: 10_000, maxDelay: 60_000 } });
      await open(s);
      s.relay.last.drop();
      await s.clock.advance(0);
      expect(s.relay.attempts).toHaveLength(1);
      listeners.get("online")?.();
      await s.clock.advance(0);
      expect(s.relay.attempts).toHaveLength(2);
    } finally {
      vi.unstubAllGlobals();
    }
  });

  it("disconnect() stays disconnected; connect() resumes; close() is final", async () => {
    const s = setup();
    await open(s);
    s.bus.disconnect();
    await s.clock.advance(60_000);
    expect(s.bus.status).toBe("disconnected");
    expect(s.relay.attempts).toHaveLength(1);
    s.bus.connect();
    await open(s);
    s.bus.close();
    expect(s.relay.last.closed).toBe(true);
    s.bus.connect();
    await s.clock.advance(60_000);
    expect(s.relay.attempts).toHaveLength(2);
    expect(s.clock.pending()).toEqual([]);
  });
});
