/**
 * Gap-free recovery through the SDK against real relays: a relay killed and restarted (Redis) and
 * sockets cut (memory) while a backend keeps publishing; retention exceeded → gap.
 */
import { afterEach, describe, expect, it } from "vitest";
import type { GapInfo, RecoveredInfo } from "../../../client/types.js";
import type { Broker } from "../../../relay/brokers/broker.js";
import { createBroker } from "../../../relay/brokers/create-broker.js";
import { MemoryHub } from "../../../relay/brokers/memory/memory-hub.js";
import {
  closeAllBuses,
  collect,
  ROOM_CLAIMS,
  range,
  sequence,
  statusReached,
  testBus,
  untilMarker,
} from "../../helpers/client-bus.js";
import { connectBackend, useBrokerFixture } from "../../helpers/relay-brokers.js";
import { publishEvent, startTestRelay, type TestRelay } from "../../helpers/relay-server.js";

const servers: TestRelay[] = [];
const backends: Broker[] = [];

afterEach(async () => {
  closeAllBuses();
  await Promise.all(servers.splice(0).map((s) => s.close()));
  await Promise.all(backends.splice(0).map((b) => b.close()));
});

/** Paces the backend's publishes (not a synchronisation). */
const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe("recovery on Redis", () => {
  const fixture = useBrokerFixture("redis");

  it("a relay killed and restarted while a backend publishes 500 events: each arrives once, in order", async () => {
    let server = await startTestRelay({ broker: fixture.current.config() });
    servers.push(server);
    const port = server.relay.port;
    const backend = await connectBackend(fixture.current);
    backends.push(backend);
    const bus = testBus(server.url, () => server.token("u1", ROOM_CLAIMS));
    const user = collect(bus, "*", "user:u1");
    const room = collect(bus, "*", "room:photo:1");
    const recovered: RecoveredInfo[] = [];
    const gaps: GapInfo[] = [];
    bus.on("recovered", (info) => recovered.push(info));
    bus.on("gap", (info) => gaps.push(info));
    await bus.joinRoom("photo:1");

    for (let i = 0; i < 500; i++) {
      await publishEvent(backend, "user:u1", "photo.processing.progress", { i });
      await publishEvent(backend, "room:photo:1", "photo.processing.progress", { i });
      if (i % 25 === 0) await pause(2);
      if (i === 150) await server.close(); // the relay dies; the backend keeps publishing
      if (i === 300) {
        server = await startTestRelay({ broker: fixture.current.config(), port });
        servers.push(server);
      }
    }
    await user.waitFor(500, 20_000);
    await room.waitFor(500, 20_000);
    const [toUser, toRoom] = [
      await untilMarker(backend, "user:u1", user),
      await untilMarker(backend, "room:photo:1", room),
    ];
    expect(sequence(toUser)).toEqual(range(500));
    expect(sequence(toRoom)).toEqual(range(500));
    expect(toUser.map((e) => e.offset)).toEqual(range(500).map((i) => i + 1));
    expect(gaps).toEqual([]);
    expect(recovered.map((r) => r.channel)).toEqual(expect.arrayContaining(["user:u1", "room:photo:1"]));
    expect(recovered.reduce((sum, r) => sum + r.replayed, 0)).toBeGreaterThan(100); // missed while down
    expect(bus.store.getState().rooms["photo:1"]).toMatchObject({
      status: "joined",
      recovered: true,
      gaps: 0,
    });
  });
  it("Redis restarted empty (history lost): resync from the relay → a gap per channel, later events arrive", async () => {
    const server = await startTestRelay({ broker: fixture.current.config() });
    servers.push(server);
    const backend = await connectBackend(fixture.current);
    backends.push(backend);
    const bus = testBus(server.url, () => server.token("u1", ROOM_CLAIMS));
    const room = collect(bus, "*", "room:photo:1");
    const gaps: GapInfo[] = [];
    bus.on("gap", (info) => gaps.push(info));
    await bus.joinRoom("photo:1");
    await publishEvent(backend, "room:photo:1", "photo.processing.progress", { i: 0 });
    await room.waitFor(1);
    const redis = fixture.current.redis;
    if (!redis) throw new Error("the redis fixture has no server");
    await redis.kill();
    await redis.restart();
    await expect
      .poll(() => gaps.map((g) => g.channel).sort(), { timeout: 15_000 })
      .toEqual(["broadcast", "room:photo:1", "user:u1"]);
    expect(bus.store.getState().rooms["photo:1"]).toMatchObject({ gaps: 1 });
    await expect
      .poll(
        async () => {
          await publishEvent(backend, "room:photo:1", "photo.processing.progress", { i: 1 });
          return room.items.length > 1;
        },
        { timeout: 15_000, interval: 200 },
      )
      .toBe(true);
    expect(sequence(room.items).slice(0, 2)).toEqual([0, 1]);
    expect(bus.status).toBe("connected");
  }, 40_000);
});

describe("recovery on the memory broker", () => {
  it("sockets cut again and again while a backend publishes: each event once, in order", async () => {
    const hub = new MemoryHub();
    const server = await startTestRelay({ broker: { broker: "memory", hub } });
    servers.push(server);
    const backend = createBroker({ broker: "memory", hub });
    backends.push(backend);
    await backend.connect();
    const bus = testBus(server.url, () => server.token("u1", ROOM_CLAIMS));
    const user = collect(bus, "*", "user:u1");
    const room = collect(bus, "*", "room:photo:1");
    let reconnects = 0;
    bus.on("status", ({ status }) => status === "reconnecting" && reconnects++);
    await bus.joinRoom("photo:1");
    for (let i = 0; i < 500; i++) {
      await publishEvent(backend, "user:u1", "photo.processing.progress", { i });
      await publishEvent(backend, "room:photo:1", "photo.processing.progress", { i });
      if (i % 20 === 0) await pause(1);
      if (i % 120 === 60) {
        await statusReached(bus, "connected");
        server.relay.io.disconnectSockets(true);
      }
    }
    await user.waitFor(500, 20_000);
    await room.waitFor(500, 20_000);
    expect(sequence(await untilMarker(backend, "user:u1", user))).toEqual(range(500));
    expect(sequence(await untilMarker(backend, "room:photo:1", room))).toEqual(range(500));
    expect(reconnects).toBeGreaterThanOrEqual(4);
  });

  it("retention exceeded while away → a gap for the room (store and event), and a later event still arrives", async () => {
    const hub = new MemoryHub();
    const history = { maxLength: 5 };
    const server = await startTestRelay({ broker: { broker: "memory", hub, history } });
    servers.push(server);
    const backend = createBroker({ broker: "memory", hub, history });
    backends.push(backend);
    await backend.connect();
    const bus = testBus(server.url, () => server.token("u1", ROOM_CLAIMS));
    const room = collect(bus, "*", "room:photo:1");
    const gaps: GapInfo[] = [];
    bus.on("gap", (info) => gaps.push(info));
    await bus.joinRoom("photo:1");
    await publishEvent(backend, "room:photo:1", "photo.processing.progress", { i: 0 });
    await room.waitFor(1);
    bus.disconnect();
    for (let i = 1; i <= 20; i++)
      await publishEvent(backend, "room:photo:1", "photo.processing.progress", { i });
    bus.connect();
    await expect.poll(() => gaps.length).toBe(1);
    expect(gaps[0]).toMatchObject({ channel: "room:photo:1", room: "photo:1", position: { offset: 21 } });
    expect(bus.store.getState().rooms["photo:1"]).toMatchObject({
      status: "joined",
      recovered: false,
      gaps: 1,
    });
    await publishEvent(backend, "room:photo:1", "photo.processing.progress", { i: 21 });
    await room.waitFor(2);
    expect(sequence(room.items)).toEqual([0, 21]);
    await statusReached(bus, "connected");
  });
});
