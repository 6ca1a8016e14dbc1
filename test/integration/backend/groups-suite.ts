/**
 * Consumer groups (competing consumers), run against every broker: groups-memory.test.ts,
 * groups-redis.test.ts and groups-cluster.test.ts. Each client stands for a service process;
 * a consumer "dies" by having its broker closed under it (it can no longer acknowledge or
 * heartbeat), exactly what Redis sees when a worker process is killed.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { createId } from "../../../protocol/ids.js";
import { EventBusClient } from "../../../relay/backend/client.js";
import type { EventBusConfig, ReceivedEvent } from "../../../relay/backend/types.js";
import type { Broker } from "../../../relay/brokers/broker.js";
import { collector, eventually } from "../../helpers/wait.js";
import { silentLogger } from "./silent-logger.js";

export interface GroupBackend {
  clientConfig(): Partial<EventBusConfig>;
  /** A plain broker on the same backend (a separate connection), with the clients' prefix. */
  rawBroker(prefix: string): Broker;
  teardown(): Promise<void>;
}

type Seq = { seq: number };

export function describeGroupSuite(name: string, setup: () => Promise<GroupBackend>): void {
  describe(`consumer groups on ${name}`, () => {
    let backend: GroupBackend;
    const clients: EventBusClient[] = [];
    const brokers: Broker[] = [];
    let tag = "";

    const client = (serviceName: string, extra: Partial<EventBusConfig> = {}) => {
      const created = new EventBusClient({
        serviceName,
        logger: silentLogger,
        prefix: tag,
        retry: { initialDelay: 10, maxDelay: 50 },
        ...(extra.broker ? {} : backend.clientConfig()),
        ...extra,
        groups: { claimIdleMs: 400, pollIntervalMs: 200, prefetch: 4, stopTimeoutMs: 200, ...extra.groups },
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
    const publishSeq = async (bus: EventBusClient, type: string, count: number) => {
      for (let seq = 0; seq < count; seq++) await bus.publish(type, { seq });
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
      tag = `g${createId().replace(/-/g, "").slice(-10)}:`;
    };

    it("hands each event to one consumer of a group; each group and each plain subscriber gets all", async () => {
      fresh();
      const thumbs = collector<string>("thumbnailer deliveries");
      const audit = collector<number>("audit deliveries");
      const live = collector<number>("plain deliveries");
      const perConsumer = new Map<string, number>();
      for (const replica of ["a", "b"]) {
        await client(`thumb-${replica}`).subscribe(
          "photo.uploaded",
          async (event: ReceivedEvent) => {
            perConsumer.set(replica, (perConsumer.get(replica) ?? 0) + 1);
            await new Promise((resolve) => setTimeout(resolve, 5));
            thumbs.push(event.id);
          },
          { group: "thumbnailer" },
        );
      }
      await client("audit").subscribe("photo.uploaded", (e) => audit.push((e.data as Seq).seq), {
        group: "audit",
      });
      await client("plain").subscribe("photo.uploaded", (e) => live.push((e.data as Seq).seq));
      await publishSeq(client("api"), "photo.uploaded", 30);

      const handled = await thumbs.waitFor(30);
      expect(new Set(handled).size).toBe(30);
      expect((await audit.waitFor(30)).sort((a, b) => a - b)).toEqual([...Array(30).keys()]);
      expect(await live.waitFor(30)).toHaveLength(30);
      expect([...perConsumer.values()].every((n) => n > 0)).toBe(true);
      expect(perConsumer.size).toBe(2);
      // Nothing more arrives: one delivery per event per group.
      await client("api2").publish("photo.uploaded", { seq: 30 });
      await audit.waitFor(31);
      await thumbs.waitFor(31);
      expect(thumbs.items).toHaveLength(31);
    });

    it("keeps events published while no consumer runs and hands them to the next one; the backlog is visible", async () => {
      fresh();
      const first = client("worker-1");
      const sub = await first.subscribe("photo.uploaded", () => {}, { group: "workers" });
      await sub.unsubscribe();
      await publishSeq(client("api"), "photo.uploaded", 5);
      const broker = await raw();
      const info = await broker.streams.info(`${tag}photo.uploaded`);
      const group = info.groups.find((g) => g.group === "workers");
      expect(group).toMatchObject({ pending: 0, lag: 5 });
      expect(info.bounds).toEqual({ maxLength: 100_000, maxAgeMs: 24 * 3600_000 });

      const got = collector<ReceivedEvent>("kept events");
      const second = client("worker-2");
      await second.subscribe("photo.uploaded", (e) => got.push(e), { group: "workers" });
      const events = await got.waitFor(5);
      expect(events.map((e) => (e.data as Seq).seq)).toEqual([0, 1, 2, 3, 4]);
      expect(events.every((e) => e.attempt === 1 && e.group === "workers")).toBe(true);
      await eventually(async () => (await second.getStats()).groups[0]?.pending === 0);
      const [stats] = (await second.getStats()).groups;
      expect(stats).toMatchObject({ type: "photo.uploaded", group: "workers", lag: 0, handled: 5 });
      expect(stats?.oldestPendingAgeMs).toBeNull();
    });

    it("claims an event whose consumer died and hands it to another with attempt 2", async () => {
      fresh();
      const doomed = await raw();
      let startedOnDoomed: (id: string) => void = () => {};
      const started = new Promise<string>((resolve) => {
        startedOnDoomed = resolve;
      });
      await client("worker-doomed", { broker: doomed }).subscribe(
        "photo.uploaded",
        (event) => {
          startedOnDoomed(event.id);
          return new Promise(() => {}); // hangs: the process "dies" before finishing
        },
        { group: "workers", timeout: 20_000 },
      );
      const api = client("api");
      await api.publish("photo.uploaded", { seq: 1 });
      const id = await started;
      await doomed.close(); // the consumer can no longer acknowledge nor heartbeat

      const got = collector<ReceivedEvent>("claimed events");
      const survivor = client("worker-survivor");
      await survivor.subscribe("photo.uploaded", (e) => got.push(e), { group: "workers" });
      const [event] = await got.waitFor(1);
      expect(event).toMatchObject({ id, attempt: 2, group: "workers" });
      expect((await survivor.getStats()).groups[0]).toMatchObject({ claimed: 1, redelivered: 1 });
    });

    it("retries with attempt numbers, then dead-letters per group; replay runs the handler again", async () => {
      fresh();
      const worker = client("worker");
      const attempts = collector<number>("attempts");
      let failures = 2;
      await worker.subscribe(
        "photo.uploaded",
        (e) => {
          attempts.push(e.attempt);
          if (failures-- > 0) throw new Error("flaky");
        },
        { group: "flaky" },
      );
      let broken = true;
      await worker.subscribe(
        "photo.processing.failed",
        () => {
          if (broken) throw new Error("always");
        },
        { group: "strict", maxRetries: 1, name: "strict-handler" },
      );
      const api = client("api");
      await api.publish("photo.uploaded", { seq: 1 });
      await api.publish("photo.processing.failed", { seq: 2 });
      expect(await attempts.waitFor(3)).toEqual([1, 2, 3]);
      await eventually(async () => (await worker.deadLetters.list()).length === 1);
      const [letter] = await worker.deadLetters.list();
      expect(letter).toMatchObject({ group: "strict", subscriptionId: "strict-handler", attempts: 2 });
      broken = false;
      expect(await worker.deadLetters.replay(letter?.id ?? "")).toMatchObject({
        succeeded: 1,
        removed: true,
      });
      const stats = (await worker.getStats()).groups;
      expect(stats.find((g) => g.group === "strict")).toMatchObject({ deadLettered: 1, pending: 0 });
      expect(stats.find((g) => g.group === "flaky")).toMatchObject({ handled: 1 });
    });

    it("keeps stream order: one consumer in publish order; several consumers each in publish order", async () => {
      fresh();
      const single = collector<number>("single");
      await client("solo").subscribe("photo.uploaded", (e) => single.push((e.data as Seq).seq), {
        group: "solo",
      });
      const lists = new Map<string, number[]>();
      const shared = collector<number>("shared");
      for (const name of ["x", "y", "z"]) {
        lists.set(name, []);
        await client(name).subscribe(
          "photo.uploaded",
          (e) => {
            lists.get(name)?.push((e.data as Seq).seq);
            shared.push((e.data as Seq).seq);
          },
          { group: "trio" },
        );
      }
      await publishSeq(client("api"), "photo.uploaded", 60);
      expect(await single.waitFor(60)).toEqual([...Array(60).keys()]);
      expect((await shared.waitFor(60)).slice().sort((a, b) => a - b)).toEqual([...Array(60).keys()]);
      for (const list of lists.values()) expect(list).toEqual([...list].sort((a, b) => a - b));
    });

    it("refuses a group on a glob or a room with INVALID_OPTIONS", async () => {
      fresh();
      const bus = client("svc");
      await expect(bus.subscribe("photo.*", () => {}, { group: "g" })).rejects.toMatchObject({
        code: "INVALID_OPTIONS",
      });
      await expect(bus.subscribeToRoom("lobby", () => {}, { group: "g" })).rejects.toMatchObject({
        code: "INVALID_OPTIONS",
      });
      await expect(bus.subscribe("photo.uploaded", () => {}, { group: "no spaces" })).rejects.toMatchObject({
        code: "INVALID_OPTIONS",
      });
    });
  });
}
