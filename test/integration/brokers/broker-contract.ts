/**
 * The behaviour every Broker must have, as one suite. broker-memory.test.ts, broker-redis.test.ts
 * and broker-cluster.test.ts run it against each implementation. `create()` makes a new
 * connection to the same backend (like another process); the suite closes what it creates.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { encodeEvent } from "../../../protocol/codec.js";
import { createId } from "../../../protocol/ids.js";
import { withPosition } from "../../../protocol/position.js";
import type { Broker, HistoryOptions } from "../../../relay/brokers/broker.js";
import { collector, eventually } from "../../helpers/wait.js";
import { describeRollbackContract, idOf } from "./broker-contract-rollback.js";

export interface BrokerBackend {
  create(history?: Partial<HistoryOptions>): Broker;
  teardown(): Promise<void>;
}

let unique = 0;
/** A channel name no other test uses (all tests share one backend). */
const room = (label: string) => `room:${label}-${process.pid}-${++unique}-${createId().slice(-6)}`;
const envelope = (n: number) => encodeEvent({ type: "test.event", data: { n }, source: "contract" }).json;

export function describeBrokerContract(name: string, setup: () => Promise<BrokerBackend>): void {
  describe(`Broker contract: ${name}`, () => {
    let backend: BrokerBackend;
    const open: Broker[] = [];
    const connect = async (history?: Partial<HistoryOptions>) => {
      const broker = backend.create(history);
      open.push(broker);
      await broker.connect();
      return broker;
    };

    beforeAll(async () => {
      backend = await setup();
    });
    afterEach(async () => {
      await Promise.all(open.splice(0).map((b) => b.close()));
    });
    afterAll(async () => {
      await backend?.teardown();
    });

    describeRollbackContract(connect);

    it("delivers a message published right after subscribe resolves, in order, across connections", async () => {
      const [sub, pub] = [await connect(), await connect()];
      const channel = room("order");
      const got = collector<string>("messages");
      await sub.subscribe(channel, (ch, message) => got.push(`${ch}|${message}`));
      for (let i = 0; i < 200; i++) void pub.publish(channel, String(i));
      await pub.publish(channel, "done");
      const items = await got.waitFor(201);
      expect(items).toEqual([...Array.from({ length: 200 }, (_, i) => `${channel}|${i}`), `${channel}|done`]);
      expect(sub.status).toBe("ready");
    });

    it("shares one subscription among listeners and drops it after the last one leaves", async () => {
      const [sub, pub] = [await connect(), await connect()];
      const channel = room("share");
      const a = collector<string>();
      const b = collector<string>();
      const offA = await sub.subscribe(channel, (_, m) => a.push(m));
      const offB = await sub.subscribe(channel, (_, m) => b.push(m));
      expect(sub.subscriptions().channels.filter((c) => c === channel)).toHaveLength(1);
      expect(await pub.publish(channel, "1")).toBe(1);
      await Promise.all([a.waitFor(1), b.waitFor(1)]);
      await offA();
      await offA(); // idempotent
      await pub.publish(channel, "2");
      await b.waitFor(2);
      expect(a.items).toEqual(["1"]);
      await offB();
      expect(sub.subscriptions().channels).not.toContain(channel);
      expect(await pub.publish(channel, "3")).toBe(0);
    });

    it("keeps the subscription when a listener leaves and another joins at once", async () => {
      const [sub, pub] = [await connect(), await connect()];
      const channel = room("churn");
      const got = collector<string>();
      const off = await sub.subscribe(channel, () => {});
      const leaving = off();
      const joining = sub.subscribe(channel, (_, m) => got.push(m));
      await Promise.all([leaving, joining]);
      await pub.publish(channel, "after-churn");
      expect(await got.waitFor(1)).toEqual(["after-churn"]);
      expect(sub.subscriptions().channels).toContain(channel);
    });

    it("matches patterns with Redis glob semantics", async () => {
      const [sub, pub] = [await connect(), await connect()];
      const tag = `p${++unique}${createId().slice(-6).replace(/-/g, "")}`;
      const got = collector<string>();
      await sub.psubscribe(`${tag}.photo.*`, (channel, message, pattern) =>
        got.push(`${pattern}|${channel}|${message}`),
      );
      await pub.publish(`${tag}.photo.uploaded`, "a");
      await pub.publish(`${tag}.user.registered`, "b");
      await pub.publish(`${tag}.photo.processing.started`, "c");
      const items = await got.waitFor(2);
      expect(items).toEqual([
        `${tag}.photo.*|${tag}.photo.uploaded|a`,
        `${tag}.photo.*|${tag}.photo.processing.started|c`,
      ]);
      expect(sub.subscriptions().patterns).toContain(`${tag}.photo.*`);
    });

    it("gives recoverable messages contiguous offsets and publishes exactly what it stores", async () => {
      const [sub, pub] = [await connect(), await connect()];
      const channel = room("offsets");
      const start = await pub.position(channel);
      expect(start.offset).toBe(0);
      expect(start.epoch).toMatch(/^[A-Za-z0-9_-]+$/);
      const live = collector<string>();
      await sub.subscribe(channel, (_, m) => live.push(m));
      const jsons = [envelope(1), envelope(2), envelope(3)];
      const results = [];
      for (const json of jsons) results.push(await pub.publishRecoverable(channel, json));
      expect(results.map((r) => r.offset)).toEqual([1, 2, 3]);
      expect(new Set(results.map((r) => r.epoch))).toEqual(new Set([start.epoch]));
      expect(results.every((r) => !r.duplicate)).toBe(true);
      const expected = jsons.map((json, i) => withPosition(json, { offset: i + 1, epoch: start.epoch }));
      expect(await live.waitFor(3)).toEqual(expected);
      const history = await pub.readHistory(channel, start, 10);
      const newest = { offset: 3, epoch: start.epoch, id: idOf(jsons[2] as string) };
      expect(history).toEqual({ position: newest, recovered: true, messages: expected, more: false });
      expect(await pub.position(channel)).toEqual(newest);
    });

    it("pages history and tells when a position cannot be recovered", async () => {
      const pub = await connect({ maxLength: 5 });
      const channel = room("paging");
      const { epoch } = await pub.position(channel);
      for (let i = 1; i <= 8; i++) await pub.publishRecoverable(channel, envelope(i));
      const offsets = (messages: readonly string[]) =>
        messages.map((m) => (JSON.parse(m) as { offset: number }).offset);

      const page1 = await pub.readHistory(channel, { offset: 3, epoch }, 2);
      expect([page1.recovered, offsets(page1.messages), page1.more]).toEqual([true, [4, 5], true]);
      const page2 = await pub.readHistory(channel, { offset: 5, epoch }, 10);
      expect([page2.recovered, offsets(page2.messages), page2.more]).toEqual([true, [6, 7, 8], false]);
      const upToDate = await pub.readHistory(channel, { offset: 8, epoch }, 10);
      expect([upToDate.recovered, upToDate.messages.length]).toEqual([true, 0]);

      const trimmed = await pub.readHistory(channel, { offset: 2, epoch }, 10);
      expect([trimmed.recovered, trimmed.messages.length]).toEqual([false, 0]);
      const otherEpoch = await pub.readHistory(channel, { offset: 7, epoch: "another-epoch" }, 10);
      expect(otherEpoch.recovered).toBe(false);
      const fromTheFuture = await pub.readHistory(channel, { offset: 99, epoch }, 10);
      expect(fromTheFuture.recovered).toBe(false);
      expect(fromTheFuture.position).toMatchObject({ offset: 8, epoch });
    });

    it("caps history by bytes (dropping the oldest, keeping the newest) and pages by bytes", async () => {
      const pub = await connect({ maxLength: 1000, maxBytes: 10_000 });
      const channel = room("bytes");
      const { epoch } = await pub.position(channel);
      const big = (n: number) =>
        encodeEvent({ type: "test.event", data: { n, pad: "x".repeat(900) }, source: "c" }).json;
      for (let i = 1; i <= 30; i++) await pub.publishRecoverable(channel, big(i));
      const offsets = (messages: readonly string[]) =>
        messages.map((m) => (JSON.parse(m) as { offset: number }).offset);
      // ~1.1 KB each: the oldest were dropped until the rest fit in 10,000 bytes.
      let since = 0;
      while (since < 30 && !(await pub.readHistory(channel, { offset: since, epoch }, 1)).recovered) since++;
      expect(since).toBeGreaterThan(15);
      const firstKept = since + 1;
      const kept: number[] = [];
      let bytes = 0;
      for (let page = 0; page < 30; page++) {
        const result = await pub.readHistory(channel, { offset: since, epoch }, 100, 2_500);
        expect(result.recovered).toBe(true);
        expect(result.messages.length).toBeGreaterThan(0);
        expect(result.messages.length).toBeLessThanOrEqual(2);
        kept.push(...offsets(result.messages));
        bytes += result.messages.reduce((sum, m) => sum + Buffer.byteLength(m), 0);
        since = kept.at(-1) ?? since;
        if (!result.more) break;
      }
      expect(kept).toEqual(Array.from({ length: 31 - firstKept }, (_, i) => firstKept + i));
      expect(bytes).toBeLessThanOrEqual(10_000);
      expect(bytes + bytes / kept.length).toBeGreaterThan(10_000 - 100); // one more would not have fit
      // One message bigger than the page cap still comes, alone.
      const alone = await pub.readHistory(channel, { offset: 28, epoch }, 100, 10);
      expect([offsets(alone.messages), alone.more]).toEqual([[29], true]);
    });

    it("forgets history after its ttl but still recovers a client that missed nothing", async () => {
      const pub = await connect({ ttlMs: 300 });
      const channel = room("ttl");
      const { epoch } = await pub.position(channel);
      await pub.publishRecoverable(channel, envelope(1));
      await pub.publishRecoverable(channel, envelope(2));
      await eventually(async () => !(await pub.readHistory(channel, { offset: 1, epoch }, 10)).recovered, {
        label: "history expiry",
      });
      const current = await pub.readHistory(channel, { offset: 2, epoch }, 10);
      expect([current.recovered, current.position]).toEqual([true, { offset: 2, epoch }]);
      const next = await pub.publishRecoverable(channel, envelope(3));
      expect([next.offset, next.epoch]).toEqual([3, epoch]);
    });

    it("de-duplicates by message id: the second publish returns the first result and publishes nothing", async () => {
      const [sub, pub] = [await connect(), await connect()];
      const channel = room("dedup");
      const live = collector<string>();
      await sub.subscribe(channel, (_, m) => live.push(m));
      const id = createId();
      const first = await pub.publishRecoverable(channel, envelope(1), { dedupId: id });
      const again = await pub.publishRecoverable(channel, envelope(1), { dedupId: id });
      const other = await pub.publishRecoverable(channel, envelope(2), { dedupId: createId() });
      expect(first.duplicate).toBe(false);
      expect(again).toEqual({ offset: first.offset, epoch: first.epoch, duplicate: true });
      expect(other.offset).toBe(first.offset + 1);
      await live.waitFor(2);
      expect(live.items).toHaveLength(2);
    });

    it("tracks presence with expiry, reporting each expired entry once", async () => {
      const broker = await connect();
      const channel = room("presence");
      await broker.presenceAdd(
        channel,
        [
          { connectionId: "c1", userId: "u1", info: { name: "Ann" } },
          { connectionId: "c2", userId: "u2" },
        ],
        60_000,
      );
      await broker.presenceAdd(channel, [{ connectionId: "c3", userId: "u3" }], 150);
      const first = await broker.presenceList(channel);
      expect(first.members.map((m) => m.connectionId).sort()).toContain("c1");
      expect(first.members.find((m) => m.connectionId === "c1")?.info).toEqual({ name: "Ann" });
      await broker.presenceRemove(channel, ["c2"]);
      let expired: string[] = [];
      await eventually(
        async () => {
          const list = await broker.presenceList(channel);
          expired = expired.concat(list.expired.map((m) => m.connectionId));
          return !list.members.some((m) => m.connectionId === "c3");
        },
        { label: "presence expiry" },
      );
      expect(expired).toEqual(["c3"]);
      const last = await broker.presenceList(channel);
      expect(last).toEqual({
        members: [{ connectionId: "c1", userId: "u1", info: { name: "Ann" } }],
        expired: [],
      });
    });

    it("stores values with a ttl and capped logs", async () => {
      const broker = await connect();
      const key = `${room("kv")}:value`;
      await broker.setValue(key, "v1", 60_000);
      expect(await broker.getValue(key)).toBe("v1");
      await broker.setValue(`${key}:short`, "v2", 100);
      await eventually(async () => (await broker.getValue(`${key}:short`)) === null, {
        label: "value expiry",
      });

      const log = `${room("log")}:log`;
      const ids = [];
      for (let i = 0; i < 4; i++) ids.push(await broker.appendLog(log, `entry-${i}`, 3));
      const all = await broker.readLog(log, { count: 10 });
      expect(all.map((e) => e.value)).toEqual(["entry-1", "entry-2", "entry-3"]);
      expect(all.map((e) => e.id)).toEqual(ids.slice(1));
      const after = await broker.readLog(log, { after: ids[1] as string, count: 10 });
      expect(after.map((e) => e.value)).toEqual(["entry-2", "entry-3"]);
      expect(await broker.deleteLog(log, [ids[2] as string, "0-1"])).toBe(1);
      expect((await broker.readLog(log, { count: 10 })).map((e) => e.value)).toEqual(["entry-1", "entry-3"]);
      await broker.deleteKey(log);
      expect(await broker.readLog(log, { count: 10 })).toEqual([]);
    });

    it("measures latency, and refuses to work once closed", async () => {
      const broker = await connect();
      expect(await broker.ping()).toBeGreaterThanOrEqual(0);
      await broker.close();
      expect(broker.status).toBe("closed");
      await expect(broker.publish(room("closed"), "x")).rejects.toMatchObject({ code: "CLOSED" });
    });
  });
}
