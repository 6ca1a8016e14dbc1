/**
 * `bus.events` and the store as a service uses it, on a real Redis and a real PostgreSQL: what a
 * client publishes is written off the publish path (only the configured types), read back by
 * aggregate in order, replayed to a handler or to one consumer group; a store that is down
 * degrades the health check and, past the queue's bound, refuses publishes with a code; without a
 * store, reads go to the Redis history.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { EventBusClient } from "../../../relay/backend/client.js";
import type { EventBusConfig, ReceivedEvent } from "../../../relay/backend/types.js";
import type { StoredEvent } from "../../../relay/store/event-store.js";
import { type TestDatabase, testDatabase } from "../../harness/postgres.js";
import { freePort } from "../../harness/processes.js";
import { type RedisServer, startRedis } from "../../harness/redis-server.js";
import { collector, eventually } from "../../helpers/wait.js";
import { silentLogger } from "../backend/silent-logger.js";

let redis: RedisServer;
let db: TestDatabase;
const clients: EventBusClient[] = [];
let table = 0;

beforeAll(async () => {
  [redis, db] = await Promise.all([startRedis(), testDatabase()]);
}, 60_000);
afterEach(async () => {
  await Promise.all(clients.splice(0).map((c) => c.disconnect()));
});
afterAll(async () => {
  await db?.release();
  await redis?.stop();
});

const client = (extra: Partial<EventBusConfig> = {}) => {
  const bus = new EventBusClient({ serviceName: "svc", redis: redis.url, logger: silentLogger, ...extra });
  clients.push(bus);
  return bus;
};
const postgres = () => ({ connectionString: db.url, schema: db.schema, table: `api_events_${++table}` });
const ns = (events: readonly StoredEvent[]) => events.map((e) => (e.data as { n: number }).n);

describe("bus.events with a PostgreSQL store", () => {
  it("stores the configured types after each publish, reads an aggregate in order and replays it", async () => {
    const bus = client({ store: { postgres: postgres(), types: ["photo.*"] } });
    await bus.publish("photo.uploaded", { n: 0 }, { aggregateId: "p1" });
    await bus.publishToUser("u1", "notification.new", { n: 1 }, { aggregateId: "p1" });
    await bus.publishToRoom("photo:p1", "photo.processing.completed", { n: 2 }, { aggregateId: "p1" });
    await bus.publish("photo.uploaded", { n: 3 }, { aggregateId: "p2" });
    await eventually(async () => (await bus.getStats()).store?.written === 3);

    const page = await bus.events.read({ aggregateId: "p1" });
    expect(ns(page.events)).toEqual([0, 2]);
    expect(page.events.map((e) => e.channel)).toEqual(["photo.uploaded", "room:photo:p1"]);
    expect(page.events[1]?.metadata).toMatchObject({ aggregateId: "p1", room: "photo:p1", source: "svc" });

    const replayed: number[] = [];
    const result = await bus.events.replay({ types: ["photo.*"] }, (event) => {
      replayed.push((event.data as { n: number }).n);
    });
    expect(replayed).toEqual([0, 2, 3]);
    expect(result).toEqual({ replayed: 3, cursor: expect.any(String) });
    expect((await bus.healthCheck()).store).toMatchObject({ kind: "postgres", status: "ok", queued: 0 });
  });

  it("replays stored events to one consumer group, not to the others", async () => {
    const bus = client({ store: { postgres: postgres() }, groups: { pollIntervalMs: 100 } });
    const thumbs = collector<ReceivedEvent>("thumbnailer");
    const audit = collector<ReceivedEvent>("audit");
    await client().subscribe("photo.uploaded", (e) => thumbs.push(e), { group: "thumbs" });
    await client().subscribe("photo.uploaded", (e) => audit.push(e), { group: "audit" });
    for (let n = 0; n < 3; n++) await bus.publish("photo.uploaded", { n });
    await thumbs.waitFor(3);
    await audit.waitFor(3);
    await eventually(async () => (await bus.getStats()).store?.written === 3);

    expect(await bus.events.replay({ types: ["photo.uploaded"] }, { group: "thumbs" })).toMatchObject({
      replayed: 3,
    });
    const again = await thumbs.waitFor(6);
    expect(again.slice(3).map((e) => e.id)).toEqual(again.slice(0, 3).map((e) => e.id));
    await bus.publish("photo.uploaded", { n: 3 }); // a marker: audit gets it, and nothing replayed before it
    expect((await audit.waitFor(4)).map((e) => (e.data as { n: number }).n)).toEqual([0, 1, 2, 3]);
    await expect(bus.events.replay({ types: ["photo.uploaded"] }, { group: "nobody" })).rejects.toMatchObject(
      {
        code: "NOT_FOUND",
      },
    );
  });

  it("degrades the health check while the store is down and refuses publishes past the queue's bound", async () => {
    const port = await freePort();
    const bus = client({
      store: {
        postgres: { connectionString: `postgres://postgres@127.0.0.1:${port}/x`, connectTimeoutMs: 200 },
        maxQueued: 5,
        flushTimeoutMs: 50,
      },
    });
    const live = collector<number>("live");
    await client().subscribe("order.placed", (e) => live.push((e.data as { n: number }).n));
    for (let n = 0; n < 5; n++) await bus.publish("order.placed", { n });
    await expect(bus.publish("order.placed", { n: 5 })).rejects.toMatchObject({ code: "STORE_BACKLOG_FULL" });
    await eventually(async () => (await bus.healthCheck()).status === "degraded");
    expect((await bus.healthCheck()).store).toMatchObject({ status: "retrying", queued: 5, maxQueued: 5 });
    const metrics = await bus.metrics();
    expect(metrics).toContain("eventbus_backend_store_rejected 1");
    expect(metrics).toContain("eventbus_backend_store_queued 5");
    expect(await live.waitFor(5)).toEqual([0, 1, 2, 3, 4]);
    await bus.publish("order.placed", { n: 99 }, {}).catch(() => {});
    expect(live.items).not.toContain(5);
  });
});

describe("bus.events without a store: the Redis history", () => {
  it("reads a channel's history, or one type's group stream, and asks for one of them", async () => {
    const bus = client();
    for (let n = 0; n < 3; n++)
      await bus.publishToRoom("lobby", "chat.message", { n }, { aggregateId: `m${n % 2}` });
    expect(bus.events.storeKind).toBe("redis-history");
    expect(ns((await bus.events.read({ channel: "room:lobby" })).events)).toEqual([0, 1, 2]);
    expect(ns((await bus.events.read({ channel: "room:lobby", aggregateId: "m0" })).events)).toEqual([0, 2]);
    const paged = await bus.events.read({ channel: "room:lobby", limit: 2 });
    expect(ns((await bus.events.read({ channel: "room:lobby", cursor: paged.cursor ?? "" })).events)).toEqual(
      [2],
    );

    await client().subscribe("job.done", () => {}, { group: "jobs" });
    await bus.publish("job.done", { n: 7 });
    expect(ns((await bus.events.read({ types: ["job.done"] })).events)).toEqual([7]);
    await expect(bus.events.read({ types: ["job.*"] })).rejects.toMatchObject({ code: "INVALID_OPTIONS" });
  });

  it("shows each group's backlog in metrics()", async () => {
    const worker = client({ groups: { prefetch: 1, stopTimeoutMs: 50 } });
    await worker.subscribe("report.requested", () => new Promise(() => {}), {
      group: "reports",
      timeout: 60_000,
    });
    const api = client();
    for (let n = 0; n < 4; n++) await api.publish("report.requested", { n });
    const labels = 'type="report.requested",group="reports"';
    await eventually(async () =>
      (await worker.metrics()).includes(`eventbus_backend_group_pending{${labels}`),
    );
    const text = await worker.metrics();
    expect(text).toMatch(new RegExp(`eventbus_backend_group_pending\\{${labels},consumer="[^"]+"\\} 1`));
    expect(text).toMatch(new RegExp(`eventbus_backend_group_lag\\{${labels},consumer="[^"]+"\\} 3`));
    expect(text).toMatch(
      new RegExp(`eventbus_backend_group_stream_max_length\\{${labels},consumer="[^"]+"\\} 100000`),
    );
  });
});
