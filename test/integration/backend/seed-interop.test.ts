/**
 * On a real Redis, with a real relay and real browser clients:
 *  - getRoomMembers (seed 002) returns the members the room's browsers see — per user, with the
 *    connection count — and announces the leave of a dead relay's expired entries, so the
 *    browsers drop them too;
 *  - envelopes with another language's ids (a UUIDv4 as Python's uuid4() makes it, in upper case
 *    too, and a ULID), PUBLISHed raw, reach backend handlers and browsers; the same raw message
 *    PUBLISHed twice reaches a browser once (de-duplicated by id).
 */
import { Redis } from "ioredis";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import type { Member } from "../../../common/members.js";
import { encodePresenceMessage } from "../../../protocol/presence-message.js";
import { EventBusClient } from "../../../relay/backend/client.js";
import { RedisBroker } from "../../../relay/brokers/redis/redis-broker.js";
import { type RedisServer, startRedis } from "../../harness/redis-server.js";
import { closeAllBuses, collect, ROOM_CLAIMS, testBus } from "../../helpers/client-bus.js";
import { startTestRelay, type TestRelay } from "../../helpers/relay-server.js";
import { collector } from "../../helpers/wait.js";
import { silentLogger } from "./silent-logger.js";

let redis: RedisServer;
let relay: TestRelay;
let backend: EventBusClient;
let raw: Redis;

beforeAll(async () => {
  redis = await startRedis();
  relay = await startTestRelay({
    broker: { broker: "redis", url: redis.url },
    presence: { ttlMs: 60_000, refreshMs: 30_000 },
  });
  backend = new EventBusClient({ serviceName: "photo-api", redis: redis.url, logger: silentLogger });
  raw = new Redis(redis.url);
});

afterEach(() => closeAllBuses());

afterAll(async () => {
  raw?.disconnect();
  await backend?.disconnect();
  await relay?.close();
  await redis?.stop();
});

/** Members in a fixed order (neither the broker nor a browser promises one). */
const byUser = (members: readonly Member[]) => [...members].sort((a, b) => a.userId.localeCompare(b.userId));

const browser = (user: string) => testBus(relay.url, () => relay.token(user, ROOM_CLAIMS));

describe("getRoomMembers", () => {
  it("returns the members the room's browsers see: one per user, with their connections", async () => {
    const tabs = [browser("alice"), browser("alice"), browser("bob")];
    const rooms = tabs.map((tab) => tab.room("photo:1", { presence: true }));
    await Promise.all(rooms.map((room) => room.joined));
    const seen = rooms[0];
    await expect.poll(() => seen?.members().length).toBe(2);
    const members = byUser(await backend.getRoomMembers("photo:1"));
    expect(members).toEqual(byUser(seen?.members() ?? []));
    expect(members).toEqual([
      { userId: "alice", connections: 2 },
      { userId: "bob", connections: 1 },
    ]);
    rooms[2]?.leave();
    await expect
      .poll(async () => (await backend.getRoomMembers("photo:1")).map((m) => m.userId))
      .toEqual(["alice"]);
  });

  it("drops a dead relay's expired entries and announces their leave to the browsers", async () => {
    const tab = browser("carol");
    const room = tab.room("photo:2", { presence: true });
    await room.joined;
    // A relay that announced a joined connection and then died: its entry expires, unrefreshed.
    const deadRelay = new RedisBroker({ connection: redis.url });
    const ghost = { connectionId: "ghost-1", userId: "ghost" };
    await deadRelay.presenceAdd("room:photo:2", [ghost], 300);
    await deadRelay.publish("room:photo:2", encodePresenceMessage("join", ghost, "photo:2", "dead-relay"));
    await deadRelay.close();
    await expect.poll(() => room.members().map((m) => m.userId)).toEqual(["carol", "ghost"]);
    // The live relay refreshes only every 30 s: the backend's listing is the first to find the
    // entry expired, so the leave the browser sees is the one getRoomMembers announced.
    await expect
      .poll(async () => (await backend.getRoomMembers("photo:2")).map((m) => m.userId), { timeout: 10_000 })
      .toEqual(["carol"]);
    await expect.poll(() => room.members().map((m) => m.userId)).toEqual(["carol"]);
  });

  it("refuses an invalid room name with INVALID_ROOM", async () => {
    await expect(backend.getRoomMembers("has space")).rejects.toMatchObject({ code: "INVALID_ROOM" });
  });
});

describe("ids of other languages, published raw", () => {
  const envelope = (id: string, type: string, data: object) =>
    JSON.stringify({ id, type, data, metadata: { source: "billing-py", timestamp: "2025-01-02T03:04:05Z" } });
  const ids = [
    "f47ac10b-58cc-4372-a567-0e02b2c3d479",
    "F47AC10B-58CC-4372-A567-0E02B2C3D480",
    "01J9ZK3W8Q4X6N2B7C5D0E1F2G",
  ];

  it("reach backend handlers on event-type channels", async () => {
    const got = collector<string>("backend events");
    const sub = await backend.subscribe("invoice.paid", (event) => got.push(event.id));
    for (const id of ids) await raw.publish("invoice.paid", envelope(id, "invoice.paid", { amount: 1 }));
    expect(await got.waitFor(3)).toEqual(ids);
    await sub.unsubscribe();
  });

  it("reach browsers in a room, once each even when PUBLISHed twice", async () => {
    const tab = browser("dave");
    const events = collect(tab, "invoice.*");
    await tab.room("photo:3").joined;
    for (const id of ids) {
      const message = envelope(id, "invoice.paid", { id });
      await raw.publish("room:photo:3", message);
      await raw.publish("room:photo:3", message);
    }
    // A marker published after the duplicates: once it arrived, every duplicate had its chance.
    await raw.publish("room:photo:3", envelope("01J9ZK3W8Q4X6N2B7C5D0E1F2H", "invoice.done", {}));
    const delivered = await events.waitFor(4);
    expect(delivered.map((e) => e.id)).toEqual([...ids, "01J9ZK3W8Q4X6N2B7C5D0E1F2H"]);
  });
});
