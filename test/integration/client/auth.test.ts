/**
 * Tokens against a real relay (clock tolerance 0, tokens of a few seconds): refreshed in-band
 * before they expire, with no reconnect and no lost event; a token that cannot be refreshed ends
 * in `unauthorized` without a loop.
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
import { publishEvent, startTestRelay, TEST_SECRET, type TestRelay } from "../../helpers/relay-server.js";

let server: TestRelay;
let handshakes = 0;

beforeEach(async () => {
  server = await startTestRelay({ auth: { secret: TEST_SECRET, clockToleranceSec: 0 } });
  handshakes = 0;
  server.relay.io.engine.on("connection", () => handshakes++);
});

afterEach(async () => {
  closeAllBuses();
  await server.close();
});

const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe("tokens", () => {
  it("a token expiring mid-session is refreshed in-band: same connection, no event lost", async () => {
    let issued = 0;
    const bus = testBus(server.url, () => {
      issued++;
      return server.token("u1", { ...ROOM_CLAIMS, ttl: 2 });
    });
    const events = collect(bus, "*", "user:u1");
    await statusReached(bus, "connected");
    const statuses: string[] = [];
    bus.on("status", (s) => statuses.push(s.status));
    for (let i = 0; i < 40; i++) {
      await publishEvent(server.broker, "user:u1", "notification.new", { i });
      await pause(100); // 4 s: two token lifetimes
    }
    await events.waitFor(40);
    expect(sequence(events.items)).toEqual(range(40));
    expect(issued).toBeGreaterThanOrEqual(3);
    expect(handshakes).toBe(1);
    expect(statuses).toEqual([]);
    expect(bus.status).toBe("connected");
  }, 15_000);

  it("a fixed token that expires: the relay disconnects, and the bus stops at unauthorized", async () => {
    const token = await server.token("u1", { ttl: 1 });
    const bus = testBus(server.url, () => token);
    await statusReached(bus, "connected");
    await statusReached(bus, "unauthorized", 5000);
    expect(bus.store.getState().error?.code).toBe("TOKEN_EXPIRED");
    const seen = handshakes;
    await pause(500);
    expect(handshakes).toBe(seen);
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
