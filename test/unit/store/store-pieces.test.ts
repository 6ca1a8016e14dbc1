import { describe, expect, it } from "vitest";
import { encodeEvent } from "../../../protocol/codec.js";
import { timeArg } from "../../../relay/cli/events-command.js";
import { normaliseQuery } from "../../../relay/store/event-query.js";
import type { EventRecord, WritableEventStore } from "../../../relay/store/event-store.js";
import { likePattern, selectPage, tablesFor } from "../../../relay/store/postgres/postgres-sql.js";
import { StoreWriter } from "../../../relay/store/store-writer.js";

describe("PostgreSQL SQL", () => {
  const t = tablesFor("audit", "events");
  it("quotes checked identifiers and refuses others", () => {
    expect(t.events).toBe('"audit"."events"');
    expect(t.archive).toBe('"audit"."events_archive"');
    expect(() => tablesFor("public", 'x"; drop table y; --')).toThrow(/CONFIG_INVALID/);
  });
  it("turns * globs into LIKE patterns, escaping % and _", () => {
    expect(likePattern("photo.*")).toBe("photo.%");
    expect(likePattern("a_b.*.c%")).toBe("a\\_b.%.c\\%");
  });
  it("binds every value and filters in stored order", () => {
    const q = normaliseQuery({
      types: ["photo.uploaded", "photo.failed", "photo.processing.*"],
      channel: "user:u1",
      aggregateId: "p1",
      since: 1000,
      cursor: "42",
      limit: 10,
    });
    const { text, values } = selectPage(t, q);
    expect(text).toContain(
      "WHERE seq > $1::bigint AND (type = ANY($2::text[]) OR type LIKE ANY($3::text[]))",
    );
    expect(text).toContain("channel = $4 AND aggregate_id = $5 AND occurred_at >= to_timestamp($6)");
    expect(text).toMatch(/ORDER BY seq LIMIT \$7$/);
    expect(values).toEqual([
      "42",
      ["photo.uploaded", "photo.failed"],
      ["photo.processing.%"],
      "user:u1",
      "p1",
      1,
      10,
    ]);
    // one exact type compares with `=`, so the (type, seq) index yields seq order
    expect(selectPage(t, normaliseQuery({ types: ["photo.uploaded"] })).text).toContain("WHERE (type = $1)");
  });
});

describe("CLI time arguments", () => {
  it("reads ISO times and ages", () => {
    const now = Date.parse("2026-03-01T12:00:00Z");
    expect(timeArg("--since", "15m", now)).toBe(now - 15 * 60_000);
    expect(timeArg("--since", "2d", now)).toBe(now - 2 * 86_400_000);
    expect(timeArg("--until", "2026-03-01T10:00:00Z", now)).toBe(Date.parse("2026-03-01T10:00:00Z"));
    expect(() => timeArg("--since", "soon", now)).toThrow(/INVALID_OPTIONS: --since "soon"/);
  });
});

/** A store that fails while `down` is set, and records what was appended. */
class FlakyStore implements WritableEventStore {
  readonly kind = "memory";
  readonly written: string[] = [];
  down = false;
  attempts = 0;
  async append(records: readonly EventRecord[]): Promise<void> {
    this.attempts++;
    if (this.down) throw new Error("connection refused");
    for (const r of records) if (!this.written.includes(r.id)) this.written.push(r.id);
  }
  async read() {
    return { events: [], cursor: null };
  }
  async close() {}
}

function event(n: number) {
  return encodeEvent({ type: "t.e", data: { n }, source: "s" });
}

describe("StoreWriter", () => {
  const options = { batchSize: 2, aggregateOf: () => undefined };

  it("refuses a publish with STORE_BACKLOG_FULL once the queue holds maxQueued, and counts it", async () => {
    const store = new FlakyStore();
    store.down = true;
    const writer = new StoreWriter(store, { ...options, maxQueued: 3, overflow: "reject" });
    const tickets = [writer.admit(), writer.admit(), writer.admit()];
    expect(() => writer.admit()).toThrow(/STORE_BACKLOG_FULL/);
    tickets[2]?.cancel(); // its publish failed: the slot is free again
    const again = writer.admit();
    expect(again).toBeDefined();
    expect(writer.stats()).toMatchObject({ rejected: 1, queued: 0 });
    writer.close();
  });

  it("drops (counted) instead with overflow: drop", () => {
    const writer = new StoreWriter(new FlakyStore(), { ...options, maxQueued: 1, overflow: "drop" });
    expect(writer.admit()).toBeDefined();
    expect(writer.admit()).toBeUndefined();
    expect(writer.stats()).toMatchObject({ dropped: 1 });
  });

  it("retries failed batches in order until the store is back, and reports its state", async () => {
    const store = new FlakyStore();
    store.down = true;
    const states: string[] = [];
    const writer = new StoreWriter(store, {
      ...options,
      maxQueued: 100,
      overflow: "reject",
      onState: (s) => states.push(s),
    });
    const ids: string[] = [];
    for (let n = 0; n < 5; n++) {
      const { envelope, json } = event(n);
      ids.push(envelope.id);
      writer.admit()?.commit(envelope, json, "t.e");
    }
    while (store.attempts < 2) await new Promise((resolve) => setTimeout(resolve, 10));
    expect(writer.stats()).toMatchObject({ state: "retrying", queued: 5, lastError: "connection refused" });
    store.down = false;
    expect(await writer.flush(5000)).toBe(0);
    expect(store.written).toEqual(ids);
    expect(states).toEqual(["retrying", "ok"]);
    expect(writer.stats()).toMatchObject({ written: 5, queued: 0 });
  });
});
