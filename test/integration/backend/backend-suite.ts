/**
 * The EventBusClient suite, run against every broker: backend-memory.test.ts,
 * backend-redis.test.ts and backend-cluster.test.ts. `clientConfig()` says how a new client
 * (like another service process) reaches the shared backend; `rawBroker()` is a plain broker on
 * the same backend, standing in for the relay (it sees user/room channels).
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import type { PhotoEvents } from "../../../playground/shared/photo-events.js";
import { createId } from "../../../protocol/ids.js";
import { EventBusClient } from "../../../relay/backend/client.js";
import type { EventBusConfig, ReceivedEvent } from "../../../relay/backend/types.js";
import type { Broker } from "../../../relay/brokers/broker.js";
import { collector, eventually } from "../../helpers/wait.js";
import { silentLogger } from "./silent-logger.js";

export interface BackendUnderTest {
  clientConfig(): Partial<EventBusConfig>;
  /** A plain broker on the same backend, configured with the channel prefix the clients use. */
  rawBroker(prefix: string): Broker;
  teardown(): Promise<void>;
}

export function describeBackendSuite(name: string, setup: () => Promise<BackendUnderTest>): void {
  describe(`EventBusClient on ${name}`, () => {
    let backend: BackendUnderTest;
    const clients: EventBusClient<PhotoEvents>[] = [];
    const brokers: Broker[] = [];
    /** A fresh tag per test, so tests sharing one backend never see each other's events. */
    let tag = "";

    const client = (serviceName: string, extra: Partial<EventBusConfig> = {}) => {
      const created = new EventBusClient<PhotoEvents>({
        serviceName,
        logger: silentLogger,
        prefix: tag,
        ...backend.clientConfig(),
        ...extra,
      });
      clients.push(created);
      return created;
    };
    const raw = async () => {
      const broker = backend.rawBroker(tag);
      brokers.push(broker);
      await broker.connect();
      return broker;
    };

    beforeAll(async () => {
      backend = await setup();
    });
    afterEach(async () => {
      await Promise.all(clients.splice(0).map((c) => c.disconnect()));
      await Promise.all(brokers.splice(0).map((b) => b.close()));
    });
    afterAll(async () => {
      await backend?.teardown();
    });
    const fresh = () => {
      tag = `t${createId().replace(/-/g, "").slice(-10)}:`;
    };

    it("fans one event out to four subscribers, each exactly once", async () => {
      fresh();
      const [api, users] = [client("api"), client("users")];
      const got = collector<string>("deliveries");
      for (const who of ["email", "profile", "analytics", "warehouse"]) {
        await users.subscribe("user.registered", (event) => got.push(`${who}:${event.data.userId}`));
      }
      const sent = await api.publish("user.registered", { userId: "u1", email: "u1@example.com" });
      expect(sent.channel).toBe(`${tag}user.registered`);
      expect(sent.offset).toBeUndefined();
      expect((await got.waitFor(4)).sort()).toEqual([
        "analytics:u1",
        "email:u1",
        "profile:u1",
        "warehouse:u1",
      ]);
      await api.publish("user.registered", { userId: "u2", email: "u2@example.com" });
      await got.waitFor(8);
      expect(got.items.filter((d) => d.endsWith(":u1"))).toHaveLength(4);
      expect((await users.getStats()).activeSubscriptions).toBe(4);
    });

    it("runs the photo pipeline: uploaded → started → completed → the user's notification", async () => {
      fresh();
      const [api, worker, notifier] = [client("api"), client("worker"), client("notifier")];
      const browser = await raw();
      const userChannel = `${tag}user:u-42`;
      const toUser = collector<string>("user messages");
      await browser.subscribe(userChannel, (_, message) => toUser.push(message));
      const seen = collector<string>("pipeline events");
      await client("monitor").subscribe("photo.*", (event) => seen.push(event.type));

      await worker.subscribe("photo.uploaded", async (event) => {
        const { photoId, userId } = event.data;
        await worker.publish("photo.processing.started", { photoId, userId, startedAt: now() });
        await worker.publish("photo.processing.completed", {
          photoId,
          userId,
          thumbnails: ["small", "medium", "large"],
          completedAt: now(),
        });
      });
      await notifier.subscribe("photo.processing.completed", async (event) => {
        await notifier.publishToUser(event.data.userId, "notification.new", {
          title: "Your photo is ready!",
          message: "Photo processing completed successfully",
          photoId: event.data.photoId,
        });
      });
      await api.publish("photo.uploaded", {
        photoId: "p1",
        userId: "u-42",
        filename: "a.jpg",
        size: 1,
        uploadedAt: now(),
      });

      const [message] = await toUser.waitFor(1);
      const parsed = JSON.parse(message as string) as {
        type: string;
        data: { photoId: string };
        offset: number;
      };
      expect([parsed.type, parsed.data.photoId, parsed.offset]).toEqual(["notification.new", "p1", 1]);
      expect(await seen.waitFor(3)).toEqual([
        "photo.uploaded",
        "photo.processing.started",
        "photo.processing.completed",
      ]);
    });

    it("tells photo.* from photo.processing.* from an exact name", async () => {
      fresh();
      const [pub, sub] = [client("pub"), client("sub")];
      const got = collector<string>("deliveries");
      await sub.subscribe("photo.*", (e) => got.push(`photo.*|${e.type}`));
      await sub.subscribe("photo.processing.*", (e) => got.push(`photo.processing.*|${e.type}`));
      await sub.subscribe("photo.uploaded", (e) => got.push(`photo.uploaded|${e.type}`));
      await pub.publish("photo.uploaded", {
        photoId: "p",
        userId: "u",
        filename: "f",
        size: 1,
        uploadedAt: now(),
      });
      await pub.publish("user.registered", { userId: "u", email: "e" });
      await pub.publish("photo.processing.started", { photoId: "p", userId: "u", startedAt: now() });
      await got.waitFor(4);
      await pub.publish("photo.processing.progress", { photoId: "p", progress: 50, stage: "resize" });
      await got.waitFor(6);
      expect(got.items.sort()).toEqual([
        "photo.*|photo.processing.progress",
        "photo.*|photo.processing.started",
        "photo.*|photo.uploaded",
        "photo.processing.*|photo.processing.progress",
        "photo.processing.*|photo.processing.started",
        "photo.uploaded|photo.uploaded",
      ]);
    });

    it("publishes to users, rooms and broadcast with offsets, recoverable from history", async () => {
      fresh();
      const bus = client("api");
      const relay = await raw();
      const first = await bus.publishToUser("u1", "notification.new", { title: "a", message: "1" });
      const second = await bus.publishToUser("u1", "notification.new", { title: "b", message: "2" });
      expect([first.channel, first.offset, second.offset, second.epoch]).toEqual([
        `${tag}user:u1`,
        1,
        2,
        first.epoch,
      ]);
      const room = await bus.publishToRoom("photo:1", "comment.added", {
        photoId: "1",
        text: "hi",
        author: "ann",
      });
      const all = await bus.broadcast("system.maintenance", {
        scheduled: "soon",
        duration: "1h",
        message: "m",
      });
      expect([room.channel, room.offset, all.channel, all.offset]).toEqual([
        `${tag}room:photo:1`,
        1,
        `${tag}broadcast`,
        1,
      ]);
      const history = await relay.readHistory(`${tag}user:u1`, { offset: 0, epoch: first.epoch ?? "" }, 10);
      const stored = history.messages.map(
        (m) => JSON.parse(m) as { id: string; metadata: { userId: string } },
      );
      expect(stored.map((m) => m.id)).toEqual([first.id, second.id]);
      expect(stored[0]?.metadata.userId).toBe("u1");
    });

    it("a publish given its id is idempotent on recoverable channels: a retry stores nothing twice", async () => {
      fresh();
      const bus = client("api", { batching: { batchSize: 10, batchInterval: 5 } });
      const relay = await raw();
      const id = createId();
      const data = { title: "retry", message: "once" };
      const first = await bus.publishToUser("u1", "notification.new", data, { id });
      const retry = await bus.publishToUser("u1", "notification.new", data, { id });
      const other = await bus.publishToUser("u1", "notification.new", data);
      expect([
        first.offset,
        first.duplicate,
        retry.offset,
        retry.epoch,
        retry.duplicate,
        other.offset,
      ]).toEqual([1, undefined, 1, first.epoch, true, 2]);
      const history = await relay.readHistory(`${tag}user:u1`, { offset: 0, epoch: first.epoch ?? "" }, 10);
      expect(history.messages.map((m) => (JSON.parse(m) as { id: string }).id)).toEqual([id, other.id]);
    });

    it("delivers room events to subscribeToRoom handlers, with their position", async () => {
      fresh();
      const [api, sub] = [client("api"), client("room-watcher")];
      const got = collector<ReceivedEvent>("room events");
      await sub.subscribeToRoom("photo:9", (event) => got.push(event));
      const sent = await api.publishToRoom("photo:9", "photo.processing.progress", {
        photoId: "9",
        progress: 10,
        stage: "s",
      });
      const [event] = await got.waitFor(1);
      expect(event?.id).toBe(sent.id);
      expect(event?.position).toEqual({ offset: 1, epoch: sent.epoch });
      expect(event?.metadata).toMatchObject({ source: "api", room: "photo:9" });
      expect(event?.channel).toBe(`${tag}room:photo:9`);
    });

    it("rejects invalid input with a code and writes nothing", async () => {
      fresh();
      const bus = client("api");
      const relay = await raw();
      const everything = collector<string>("raw messages");
      await relay.psubscribe(`${tag}*`, (_, m) => everything.push(m));
      const data = { userId: "u", email: "e" };
      const cases: [Promise<unknown>, string][] = [
        [bus.publish("Bad Type!" as "user.registered", data), "INVALID_TYPE"],
        [
          bus.publish("user.registered", { userId: "u", email: (() => 1) as unknown as string }),
          "INVALID_EVENT",
        ],
        [bus.publish("user.registered", { userId: "x".repeat(600_000), email: "e" }), "TOO_LARGE"],
        [bus.publishToUser("bad user", "user.registered", data), "INVALID_USER"],
        [bus.publishToRoom("bad*room", "user.registered", data), "INVALID_ROOM"],
        [bus.publish("user.registered", data, { traceId: "t".repeat(500) }), "INVALID_EVENT"],
        // Typed callers cannot write these; untyped (JavaScript) callers reach the runtime checks.
        [bus.subscribe("" as never, () => {}), "INVALID_PATTERN"],
        [bus.subscribe("not valid" as never, () => {}), "INVALID_PATTERN"], // a space never occurs in a type
      ];
      for (const [attempt, code] of cases) await expect(attempt).rejects.toMatchObject({ code });
      expect((await relay.position(`${tag}user:u`)).offset).toBe(0);
      await bus.publish("user.registered", data);
      expect((await everything.waitFor(1)).map((m) => JSON.parse(m).type)).toEqual(["user.registered"]);
    });

    it("isolates handlers: one throws, one hangs, the others still get every event; failures are dead-lettered", async () => {
      fresh();
      const [api, svc] = [
        client("api"),
        client("svc", { timeout: 50, retry: { initialDelay: 5, maxRetries: 1 } }),
      ];
      const good = collector<string>("good deliveries");
      const attempts = collector<number>("thrower attempts");
      let fixed = false;
      await svc.subscribe(
        "user.registered",
        (e) => {
          attempts.push(e.attempt);
          if (!fixed) throw new Error(`cannot handle ${e.data.userId}`);
        },
        { name: "thrower" },
      );
      await svc.subscribe("user.registered", () => new Promise(() => {}), { name: "hanger", maxRetries: 0 });
      await svc.subscribe("user.registered", (e) => good.push(e.data.userId));
      await api.publish("user.registered", { userId: "u1", email: "e" });
      await api.publish("user.registered", { userId: "u2", email: "e" });
      expect(await good.waitFor(2)).toEqual(["u1", "u2"]);
      await attempts.waitFor(4); // 2 events × (1 + 1 retry)

      let letters = await svc.deadLetters.list();
      // Dead letters are written after the last attempt, with no event to await: poll for them.
      await eventually(
        async () => {
          letters = await svc.deadLetters.list();
          return letters.length >= 4;
        },
        { label: "4 dead letters" },
      );
      const summary = letters.map(
        (l) => `${l.subscriptionId}|${l.error.code ?? l.error.message}|${l.attempts}`,
      );
      expect(summary.sort()).toEqual([
        "hanger|HANDLER_TIMEOUT|1",
        "hanger|HANDLER_TIMEOUT|1",
        "thrower|cannot handle u1|2",
        "thrower|cannot handle u2|2",
      ]);
      const stats = await svc.getStats();
      expect([stats.eventsReceived, stats.eventsDelivered, stats.eventsFailed, stats.errorRate]).toEqual([
        2,
        2,
        4,
        4 / 6,
      ]);

      fixed = true;
      const thrown = letters.find((l) => l.subscriptionId === "thrower") as (typeof letters)[number];
      expect(await svc.deadLetters.replay(thrown.id)).toEqual({
        id: thrown.id,
        handlers: 1,
        succeeded: 1,
        removed: true,
      });
      expect((await svc.deadLetters.list()).map((l) => l.id)).not.toContain(thrown.id);
      expect(await svc.deadLetters.purge()).toBe(3);
      expect(await svc.deadLetters.list()).toEqual([]);
    });

    it("batches publishes without changing what is delivered, or its order", async () => {
      fresh();
      const api = client("api", { batching: { batchSize: 10, batchInterval: 5 } });
      const sub = client("sub");
      const live = collector<number>("live events");
      const room = collector<number>("room events");
      await sub.subscribe("photo.processing.progress", (e) => live.push(e.data.progress));
      await sub.subscribeToRoom("batch", (e) => room.push((e.data as { progress: number }).progress));
      const sends = [];
      for (let n = 0; n < 25; n++) {
        sends.push(api.publish("photo.processing.progress", { photoId: "p", progress: n, stage: "s" }));
        sends.push(
          api.publishToRoom("batch", "photo.processing.progress", { photoId: "p", progress: n, stage: "s" }),
        );
      }
      const results = await Promise.all(sends);
      const offsets = results.filter((r) => r.offset !== undefined).map((r) => r.offset);
      expect(offsets).toEqual(Array.from({ length: 25 }, (_, i) => i + 1));
      const sequence = Array.from({ length: 25 }, (_, i) => i);
      expect(await live.waitFor(25)).toEqual(sequence);
      expect(await room.waitFor(25)).toEqual(sequence);
      expect((await api.getStats()).eventsPublished).toBe(50);
    });

    it("runs publish and receive middleware: enrich, validate, drop", async () => {
      fresh();
      const [api, sub] = [client("api"), client("sub")];
      api.use({
        onPublish: (event) =>
          event.type === "system.health.update"
            ? null
            : { ...event, metadata: { ...event.metadata, traceId: "trace-1" } },
      });
      sub.use({ onReceive: (envelope) => (envelope.metadata.source === "api" ? envelope : null) });
      const got = collector<string>("deliveries");
      await sub.subscribe("user.*", (e) => got.push(`${e.type}|${e.metadata.traceId}`));
      const droppedOnPublish = await api.publish("system.health.update", { status: "healthy" });
      expect(droppedOnPublish.dropped).toBe(true);
      await client("other").publish("user.registered", { userId: "x", email: "e" }); // dropped on receive
      await api.publish("user.registered", { userId: "u", email: "e" });
      expect(await got.waitFor(1)).toEqual(["user.registered|trace-1"]);
    });

    it("unsubscribes by id and by handle, reports health and stats", async () => {
      fresh();
      const [api, sub] = [client("api"), client("sub")];
      const a = collector<string>();
      const b = collector<string>();
      const subA = await sub.subscribe("user.registered", (e) => a.push(e.data.userId));
      await sub.subscribe("user.registered", (e) => b.push(e.data.userId));
      await api.publish("user.registered", { userId: "1", email: "e" });
      await Promise.all([a.waitFor(1), b.waitFor(1)]);
      expect(await sub.unsubscribe(subA.id)).toBe(true);
      expect(await subA.unsubscribe()).toBe(false);
      await api.publish("user.registered", { userId: "2", email: "e" });
      expect(await b.waitFor(2)).toEqual(["1", "2"]);
      expect(a.items).toEqual(["1"]);
      const health = await sub.healthCheck();
      expect(health).toMatchObject({
        status: "healthy",
        broker: { connected: true, status: "ready" },
        subscriptions: 1,
      });
      expect(health.broker.latencyMs).toBeGreaterThanOrEqual(0);
      const stats = await api.getStats();
      expect(stats.eventsPublished).toBe(2);
      expect(stats.messagesPerSecond).toBeGreaterThan(0);
      expect((await sub.getStats()).averageLatency).toBeGreaterThanOrEqual(0);
      expect(sub.isConnected()).toBe(true);
      await sub.disconnect();
      expect(sub.isConnected()).toBe(false);
      await expect(sub.publish("user.registered", { userId: "3", email: "e" })).rejects.toMatchObject({
        code: "CLOSED",
      });
    });
  });
}

const now = () => new Date().toISOString();
