/**
 * Tokens against a real relay (clock tolerance 0): refreshed in-band before they expire, with no
 * reconnect and no lost event; a token that cannot be refreshed ends in `unauthorized` without a
 * loop. The relay and the bus share one manual clock: the relay's expiry sweep, the bus's refresh,
 * backoff and token poll all run on it, so a token's minute passes in an instant and the moment of
 * expiry is exact, however busy the machine (only the socket traffic is real).
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
import { ManualClock } from "../../helpers/client-clock.js";
import { publishEvent, startTestRelay, TEST_SECRET, type TestRelay } from "../../helpers/relay-server.js";

const TTL_S = 60;

let server: TestRelay;
let clock: ManualClock;
let handshakes = 0;

beforeEach(async () => {
  clock = new ManualClock(Date.now());
  server = await startTestRelay({
    auth: { secret: TEST_SECRET, clockToleranceSec: 0 },
    limits: { slowConsumerCheckMs: 100 },
    clock,
  });
  handshakes = 0;
  server.relay.io.engine.on("connection", () => handshakes++);
});

afterEach(async () => {
  closeAllBuses();
  // Closing drains on the relay's clock: let the sockets go first, so nothing waits on manual time.
  await expect.poll(() => server.relay.stats().connections).toBe(0);
  await server.close();
});

/** A token for `sub` issued at the shared clock's now (the relay verifies exp against real time too). */
function tokenNow(sub: string): Promise<string> {
  return server.token(sub, { ...ROOM_CLAIMS, ttl: TTL_S, now: Math.floor(clock.now() / 1000) });
}

/** When the relay's session of `userId` expires (epoch ms): what the last token it accepted said. */
function relaySessionExpiry(userId: string): number | null | undefined {
  for (const socket of server.relay.io.sockets.sockets.values()) {
    if (socket.data.session?.userId === userId) return socket.data.session.token.expiresAt;
  }
  return undefined;
}

describe("tokens", () => {
  it("a token expiring mid-session is refreshed in-band: same connection, no event lost", async () => {
    let issued = 0;
    const bus = testBus(
      server.url,
      () => {
        issued++;
        return tokenNow("u1");
      },
      { clock },
    );
    const events = collect(bus, "*", "user:u1");
    await statusReached(bus, "connected");
    const statuses: string[] = [];
    bus.on("status", (s) => statuses.push(s.status));
    const firstExpiry = relaySessionExpiry("u1") ?? 0;
    expect(firstExpiry).toBe(clock.now() - (clock.now() % 1000) + TTL_S * 1000);
    await publishEvent(server.broker, "user:u1", "notification.new", { i: 0 });
    await events.waitFor(1);

    await clock.advance(50_000); // past 80 % of the token's life: the bus sends a new one in-band
    await expect.poll(() => relaySessionExpiry("u1")).toBeGreaterThan(firstExpiry);
    await publishEvent(server.broker, "user:u1", "notification.new", { i: 1 });
    await events.waitFor(2);

    await clock.advance(15_000); // past the first token's expiry: the relay's sweep checks the new one
    expect(clock.now()).toBeGreaterThan(firstExpiry + 1000);
    await publishEvent(server.broker, "user:u1", "notification.new", { i: 2 });
    await events.waitFor(3);
    expect(sequence(events.items)).toEqual(range(3));
    expect(issued).toBe(2);
    expect(handshakes).toBe(1);
    expect(statuses).toEqual([]);
    expect(bus.status).toBe("connected");
  });

  it("a fixed token that expires: the relay disconnects, and the bus stops at unauthorized", async () => {
    const token = await tokenNow("u1");
    const bus = testBus(server.url, () => token, { clock });
    await statusReached(bus, "connected");
    const statuses: string[] = [];
    bus.on("status", (s) => statuses.push(s.status));
    await clock.advance(TTL_S * 1000 + 1000); // the relay's sweep finds the token expired
    await statusReached(bus, "reconnecting");
    await clock.advance(1000); // the retry: the same token again, refused without a handshake
    await statusReached(bus, "unauthorized");
    expect(bus.store.getState().error?.code).toBe("TOKEN_EXPIRED");
    // No loop: ten minutes later (twenty token polls) it has not tried to connect again.
    await clock.advance(10 * 60_000);
    expect(statuses).toEqual(["reconnecting", "unauthorized"]);
    expect(handshakes).toBe(1);
  });

  it("an invalid token: unauthorized after one handshake; reconnect() with a good token connects", async () => {
    const bad = "not-a-jwt";
    let current = bad;
    const bus = testBus(server.url, () => current, { clock });
    await statusReached(bus, "unauthorized");
    expect(bus.store.getState().error?.code).toBe("TOKEN_INVALID");
    expect(handshakes).toBe(1);
    current = await tokenNow("u1");
    bus.reconnect();
    await statusReached(bus, "connected");
  });
});
