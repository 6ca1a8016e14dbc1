/**
 * Tokens against a real relay (clock tolerance 0, tokens of a few seconds, expiry checked every
 * 100 ms): refreshed in-band before they expire, with no reconnect and no lost event; a token that
 * cannot be refreshed ends in `unauthorized` without a loop.
 * The relay has no injectable clock, so expiry takes real seconds; the tests wait for it as a
 * condition, and "no loop" is read from the bus's pending timers instead of waiting to see nothing.
 */
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import {
  closeAllBuses,
  collect,
  ROOM_CLAIMS,
  range,
  sequence,
  statusReached,
  testBus,
} from "../../helpers/client-bus.js";
import { TrackingClock } from "../../helpers/client-clock.js";
import { publishEvent, startTestRelay, TEST_SECRET, type TestRelay } from "../../helpers/relay-server.js";

/** The relay's expiry check period (its socket sweep), ms. */
const SWEEP_MS = 100;
/** While unauthorized, the bus only polls for a new token (testBus: max(150 ms backoff, 30 s)). */
const TOKEN_POLL_MS = 30_000;

let server: TestRelay;
let handshakes = 0;

beforeEach(async () => {
  server = await startTestRelay({
    auth: { secret: TEST_SECRET, clockToleranceSec: 0 },
    limits: { slowConsumerCheckMs: SWEEP_MS },
  });
  handshakes = 0;
  server.relay.io.engine.on("connection", () => handshakes++);
});

afterEach(async () => {
  closeAllBuses();
  await server.close();
});

const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** When the relay's session of `userId` expires now (epoch ms): what the last accepted token said. */
function relaySessionExpiry(userId: string): number | null | undefined {
  for (const socket of server.relay.io.sockets.sockets.values()) {
    if (socket.data.session?.userId === userId) return socket.data.session.token.expiresAt;
  }
  return undefined;
}

describe("tokens", () => {
  it("a token expiring mid-session is refreshed in-band: same connection, no event lost", async () => {
    // Tokens of 3 s and a bus clock 1 s ahead: the bus refreshes at least 1.2 s before the relay
    // would expire the token (with the real clock and 2 s tokens the margin was 0.2 s, which load eats).
    const ttl = 3;
    const expiries: number[] = [];
    const bus = testBus(
      server.url,
      () => {
        const now = Math.floor(Date.now() / 1000);
        expiries.push((now + ttl) * 1000);
        return server.token("u1", { ...ROOM_CLAIMS, ttl, now });
      },
      { clock: new TrackingClock({ aheadMs: 1000 }) },
    );
    const events = collect(bus, "*", "user:u1");
    await statusReached(bus, "connected");
    const statuses: string[] = [];
    bus.on("status", (s) => statuses.push(s.status));
    const firstExpiry = expiries[0] ?? 0;
    // Events flow until the relay's expiry check has run past the first token's expiry (the
    // moment under test); each is awaited, the pause only paces them.
    let sent = 0;
    while (Date.now() <= firstExpiry + 3 * SWEEP_MS && sent < 200) {
      await publishEvent(server.broker, "user:u1", "notification.new", { i: sent++ });
      await events.waitFor(sent);
      await pause(50);
    }
    expect(Date.now()).toBeGreaterThan(firstExpiry + 3 * SWEEP_MS);
    expect(sequence(events.items)).toEqual(range(sent));
    expect(relaySessionExpiry("u1")).toBeGreaterThan(firstExpiry); // a later token, taken in-band
    expect(handshakes).toBe(1);
    expect(statuses).toEqual([]);
    expect(bus.status).toBe("connected");
  });

  it("a fixed token that expires: the relay disconnects, and the bus stops at unauthorized", async () => {
    const token = await server.token("u1", { ttl: 1 });
    const clock = new TrackingClock();
    const bus = testBus(server.url, () => token, { clock });
    await statusReached(bus, "connected");
    await statusReached(bus, "unauthorized");
    expect(bus.store.getState().error?.code).toBe("TOKEN_EXPIRED");
    // No retry is scheduled, only the token poll (which, with a fixed token, never reconnects).
    expect(clock.pending()).toEqual([TOKEN_POLL_MS]);
    expect(handshakes).toBe(1);
    expect(bus.status).toBe("unauthorized");
  });

  it("an invalid token: unauthorized after one handshake; reconnect() with a good token connects", async () => {
    const bad = "not-a-jwt";
    let current = bad;
    const bus = testBus(server.url, () => current);
    await statusReached(bus, "unauthorized");
    expect(bus.store.getState().error?.code).toBe("TOKEN_INVALID");
    expect(handshakes).toBe(1);
    current = await server.token("u1");
    bus.reconnect();
    await statusReached(bus, "connected");
  });
});
