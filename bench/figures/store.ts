/**
 * Figure 11 — the PostgreSQL event store: write and read throughput (issue 19's benchmark).
 *
 * A throwaway PostgreSQL 15 (test/harness/postgres.ts: initdb in a temporary folder, fsync off)
 * and a fresh table per round.
 *   Write: `events` events published by an EventBusClient on the memory broker (so the broker is
 *   not what is measured) with `store: { postgres }`, timed until the writer's queue is empty —
 *   batches of 500 and of 1000 (one INSERT … SELECT FROM unnest … ON CONFLICT DO NOTHING each) —
 *   against one INSERT per event (4 connections), the naive way.
 *   Read: every stored event paged 1000 at a time in stored order — by type, by aggregate (100
 *   aggregates) and by time range — events/s, after an ANALYZE of the table (as autovacuum does).
 */
import { performance } from "node:perf_hooks";
import { encodeEvent } from "../../protocol/codec.js";
import { EventBusClient } from "../../relay/backend/client.js";
import { MemoryBroker } from "../../relay/brokers/memory/memory-broker.js";
import { MemoryHub } from "../../relay/brokers/memory/memory-hub.js";
import type { EventQuery } from "../../relay/store/event-store.js";
import { PostgresEventStore } from "../../relay/store/postgres/postgres-store.js";
import { startPostgres, withClient } from "../../test/harness/postgres.js";
import { quietLogger } from "../lib/feeders.js";
import type { FigureResult } from "../lib/results.js";
import { median } from "../lib/stats.js";

export interface StorePlan {
  readonly events: number;
  readonly naiveEvents: number;
  readonly rounds: number;
}

export interface StoreOptions extends StorePlan {
  readonly log: (text: string) => void;
}

const AGGREGATES = 100;
const DATA = { photoId: "photo-123", userId: "user-456", progress: 42, stage: "thumbnails" };
let tables = 0;

async function writeThroughput(
  url: string,
  events: number,
  batchSize: number,
): Promise<{ perSecond: number; table: string }> {
  const table = `bench_events_${++tables}`;
  const bus = new EventBusClient({
    serviceName: "bench-store",
    broker: new MemoryBroker({ hub: new MemoryHub() }),
    logger: quietLogger,
    store: { postgres: { connectionString: url, table }, batchSize, maxQueued: events },
  });
  try {
    await bus.publish("bench.warm", { n: -1 });
    while ((await bus.getStats()).store?.written !== 1) await new Promise((r) => setTimeout(r, 5));
    const started = performance.now();
    for (let from = 0; from < events; from += 1000) {
      const batch: Promise<unknown>[] = [];
      for (let n = from; n < Math.min(events, from + 1000); n++) {
        batch.push(
          bus.publish(
            "photo.processing.progress",
            { ...DATA, n },
            { aggregateId: `photo-${n % AGGREGATES}` },
          ),
        );
      }
      await Promise.all(batch);
    }
    while ((await bus.getStats()).store?.queued !== 0) await new Promise((r) => setTimeout(r, 5));
    return { perSecond: events / ((performance.now() - started) / 1000), table };
  } finally {
    await bus.disconnect();
  }
}

/** One INSERT per event over 4 connections: what a store without batching does. */
async function naiveThroughput(url: string, events: number): Promise<number> {
  const store = new PostgresEventStore({ connectionString: url, table: `bench_naive_${++tables}` });
  try {
    await store.migrate();
    const records = Array.from({ length: events }, (_, n) => {
      const { envelope, json } = encodeEvent({
        type: "photo.processing.progress",
        data: { ...DATA, n },
        source: "bench",
      });
      return {
        id: envelope.id,
        type: envelope.type,
        channel: envelope.type,
        aggregateId: undefined,
        source: "bench",
        occurredAt: envelope.metadata.timestamp,
        json,
      };
    });
    const started = performance.now();
    for (let i = 0; i < records.length; i += 4)
      await Promise.all(records.slice(i, i + 4).map((r) => store.append([r])));
    return events / ((performance.now() - started) / 1000);
  } finally {
    await store.close();
  }
}

/** Reads every event matching each query, page by page; events/s over all of them. */
async function readThroughput(url: string, table: string, queries: readonly EventQuery[]): Promise<number> {
  const store = new PostgresEventStore({ connectionString: url, table });
  try {
    await store.read({ ...queries[0], limit: 1000 }); // warm-up: connections, migration check, JIT
    let read = 0;
    const started = performance.now();
    for (const q of queries) {
      let cursor: string | undefined;
      for (let pages = 0; pages < 10_000; pages++) {
        const page = await store.read({ ...q, limit: 1000, ...(cursor && { cursor }) });
        read += page.events.length;
        if (page.cursor === null) break;
        cursor = page.cursor;
      }
    }
    return read / ((performance.now() - started) / 1000);
  } finally {
    await store.close();
  }
}

export async function storeFigure(o: StoreOptions): Promise<FigureResult> {
  const started = performance.now();
  const server = await startPostgres();
  const rows = new Map<string, number[]>();
  const add = (name: string, value: number) => rows.set(name, [...(rows.get(name) ?? []), value]);
  try {
    for (let r = 0; r < o.rounds; r++) {
      const b500 = await writeThroughput(server.url, o.events, 500);
      const b1000 = await writeThroughput(server.url, o.events, 1000);
      add("write, batches of 500", b500.perSecond);
      add("write, batches of 1000", b1000.perSecond);
      add("write, one INSERT per event", await naiveThroughput(server.url, o.naiveEvents));
      const { table } = b1000;
      // As autovacuum would soon after a bulk load: without statistics the planner may sort every
      // matching row for each page instead of walking an index in seq order.
      await withClient(server.url, (c) => c.query(`ANALYZE "public"."${table}"`));
      add(
        "read by type",
        await readThroughput(server.url, table, [{ types: ["photo.processing.progress"] }]),
      );
      const byAggregate = Array.from({ length: AGGREGATES }, (_, i) => ({ aggregateId: `photo-${i}` }));
      add("read by aggregate", await readThroughput(server.url, table, byAggregate));
      add(
        "read by time range",
        await readThroughput(server.url, table, [{ since: 0, until: Date.now() + 60_000 }]),
      );
      o.log(
        `store round ${r + 1}: ${[...rows].map(([k, v]) => `${k} ${Math.round(v.at(-1) ?? 0)}/s`).join(", ")}`,
      );
    }
  } finally {
    await server.stop();
  }
  const systems = [...rows.keys()];
  return {
    id: 11,
    title: "PostgreSQL event store: write and read throughput",
    setup: `${o.events.toLocaleString("en-US")} events of ≈ 250 bytes per write round (${o.naiveEvents.toLocaleString("en-US")} for one INSERT per event), ${AGGREGATES} aggregates; a throwaway PostgreSQL 15 on loopback (fsync off); reads page 1000 events at a time; medians of ${o.rounds} round(s).`,
    systems,
    metrics: [
      {
        name: "throughput",
        unit: "events/s",
        values: Object.fromEntries(systems.map((s) => [s, median(rows.get(s) ?? [])])),
      },
    ],
    targets: [],
    notes: [
      "Writes are timed from the first publish until the writer's queue is empty: the publisher never waits for PostgreSQL (the queue absorbs bursts up to store.maxQueued).",
      "fsync off makes PostgreSQL faster than a production server with durable commits; the ratio between batched and one-INSERT-per-event writes is the figure to carry over.",
    ],
    durationSeconds: (performance.now() - started) / 1000,
  };
}
