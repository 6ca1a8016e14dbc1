/**
 * The EventStore contract, run against every writable store: memory-store.test.ts and
 * postgres-store.test.ts. Reads are in stored order, filter by type (exact and `*` globs),
 * channel, aggregate and time, page with a cursor that neither skips nor repeats, and writing the
 * same events twice stores them once.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { encodeEvent } from "../../../protocol/codec.js";
import { createId } from "../../../protocol/ids.js";
import type { EventRecord, StoredEvent, WritableEventStore } from "../../../relay/store/event-store.js";

export interface StoreUnderTest {
  /** A fresh, empty store. */
  store(): Promise<WritableEventStore>;
  teardown(): Promise<void>;
}

const T0 = Date.parse("2026-03-01T10:00:00.000Z");

/** One record per (type, channel, aggregate), one second apart from T0 + offset s. */
export function records(
  specs: readonly { type: string; channel?: string; aggregateId?: string; second: number }[],
): EventRecord[] {
  return specs.map(({ type, channel, aggregateId, second }, n) => {
    const timestamp = new Date(T0 + second * 1000).toISOString();
    const { envelope, json } = encodeEvent({
      type,
      data: { n },
      source: "contract",
      timestamp,
      id: createId(T0 + second * 1000),
      ...(aggregateId !== undefined && { aggregateId }),
    });
    return {
      id: envelope.id,
      type,
      channel: channel ?? type,
      aggregateId,
      source: "contract",
      occurredAt: timestamp,
      json,
    };
  });
}

const ns = (events: readonly StoredEvent[]) => events.map((e) => (e.data as { n: number }).n);

export function describeStoreContract(name: string, setup: () => Promise<StoreUnderTest>): void {
  describe(`event store contract: ${name}`, () => {
    let under: StoreUnderTest;
    beforeAll(async () => {
      under = await setup();
    });
    afterAll(async () => {
      await under?.teardown();
    });

    const sample = records([
      { type: "photo.uploaded", aggregateId: "p1", second: 0 },
      { type: "photo.processing.started", channel: "user:u1", aggregateId: "p1", second: 1 },
      { type: "photo.uploaded", aggregateId: "p2", second: 2 },
      { type: "photo.processing.completed", channel: "room:photo:p1", aggregateId: "p1", second: 3 },
      { type: "user.registered", second: 4 },
      { type: "photo.processing.completed", channel: "room:photo:p2", aggregateId: "p2", second: 5 },
    ]);

    it("reads everything back in stored order, with the envelope and the channel", async () => {
      const store = await under.store();
      await store.append(sample);
      const page = await store.read({});
      expect(ns(page.events)).toEqual([0, 1, 2, 3, 4, 5]);
      expect(page.cursor).toBeNull();
      const [first] = page.events;
      expect(first).toMatchObject({
        id: sample[0]?.id,
        type: "photo.uploaded",
        channel: "photo.uploaded",
        data: { n: 0 },
        metadata: { source: "contract", aggregateId: "p1", timestamp: "2026-03-01T10:00:00.000Z" },
      });
    });

    it("stores an event once however often it is written", async () => {
      const store = await under.store();
      await store.append(sample.slice(0, 4));
      await store.append(sample.slice(2));
      await store.append([...sample, ...sample]);
      const { events } = await store.read({ limit: 100 });
      expect(ns(events)).toEqual([0, 1, 2, 3, 4, 5]);
    });

    it("filters by type (exact and * globs), channel, aggregate and time", async () => {
      const store = await under.store();
      await store.append(sample);
      expect(ns((await store.read({ types: ["photo.uploaded"] })).events)).toEqual([0, 2]);
      expect(ns((await store.read({ types: ["photo.processing.*", "user.registered"] })).events)).toEqual([
        1, 3, 4, 5,
      ]);
      expect(ns((await store.read({ types: ["photo.*"] })).events)).toEqual([0, 1, 2, 3, 5]);
      expect(ns((await store.read({ channel: "room:photo:p2" })).events)).toEqual([5]);
      expect(ns((await store.read({ aggregateId: "p1" })).events)).toEqual([0, 1, 3]);
      const since = new Date(T0 + 2000);
      expect(ns((await store.read({ since, until: T0 + 5000 })).events)).toEqual([2, 3, 4]);
      expect(ns((await store.read({ aggregateId: "p2", types: ["photo.processing.*"] })).events)).toEqual([
        5,
      ]);
      expect((await store.read({ types: ["video.*"] })).events).toEqual([]);
    });

    it("pages with a cursor: every event exactly once, in order", async () => {
      const store = await under.store();
      const many = records(Array.from({ length: 25 }, (_, second) => ({ type: "page.test", second })));
      await store.append(many);
      const seen: number[] = [];
      let cursor: string | undefined;
      for (let pages = 0; pages < 10; pages++) {
        const page = await store.read({ types: ["page.test"], limit: 7, ...(cursor && { cursor }) });
        seen.push(...ns(page.events));
        if (page.cursor === null) break;
        cursor = page.cursor;
      }
      expect(seen).toEqual([...Array(25).keys()]);
      const first = await store.read({ types: ["page.test"], limit: 20 });
      const tail = await store.read({ types: ["page.test"], cursor: first.cursor ?? "" });
      expect(ns(tail.events)).toEqual([20, 21, 22, 23, 24]);
    });

    it("refuses a bad query with INVALID_OPTIONS", async () => {
      const store = await under.store();
      for (const bad of [
        { limit: 0 },
        { limit: 5000 },
        { types: [] },
        { types: ["photo.[ab]"] },
        { since: "yesterday" },
        { cursor: "abc" },
      ]) {
        await expect(store.read(bad as never)).rejects.toMatchObject({ code: "INVALID_OPTIONS" });
      }
    });
  });
}
