/**
 * Chaos: 100,000 events published by a service whose event store is a real PostgreSQL, which is
 * restarted once (immediate shutdown: like a crash, recovery at start) while the events are being
 * written. Every acknowledged publish ends up in the store exactly once (writes are retried and
 * idempotent by event id), and a replay by aggregate returns exactly that aggregate's events, in
 * publish order. Figures: write throughput, failed (retried) batches, the deepest queue.
 */
import { afterAll, beforeAll, expect, it } from "vitest";
import { EventBusClient } from "../../relay/backend/client.js";
import { MemoryBroker } from "../../relay/brokers/memory/memory-broker.js";
import { MemoryHub } from "../../relay/brokers/memory/memory-hub.js";
import { type PostgresServer, startPostgres, withClient } from "../harness/postgres.js";
import { eventually } from "../helpers/wait.js";
import { silentLogger } from "../integration/backend/silent-logger.js";
import { recordRow } from "./support/report.js";

const EVENTS = 100_000;
const AGGREGATES = 100;
const RESTART_AT = 30_000;

let server: PostgresServer;
let bus: EventBusClient;

beforeAll(async () => {
  server = await startPostgres();
});
afterAll(async () => {
  await bus?.disconnect();
  await server?.stop();
});

it("writes 100,000 events through a PostgreSQL restart: none lost, none duplicated, replay by aggregate in order", async () => {
  bus = new EventBusClient({
    serviceName: "store-chaos",
    broker: new MemoryBroker({ hub: new MemoryHub() }),
    logger: silentLogger,
    store: { postgres: { connectionString: server.url, connectTimeoutMs: 1000 }, batchSize: 1000 },
  });
  const ids: string[] = [];
  let deepest = 0;
  const sampler = setInterval(() => {
    void bus.getStats().then((s) => {
      deepest = Math.max(deepest, s.store?.queued ?? 0);
    });
  }, 50);
  const started = performance.now();
  let restart: Promise<void> | undefined;
  try {
    for (let from = 0; from < EVENTS; from += 1000) {
      if (from === RESTART_AT) restart = server.restart({ mode: "immediate", downMs: 1000 });
      const batch: Promise<{ id: string }>[] = [];
      for (let n = from; n < from + 1000; n++) {
        batch.push(bus.publish("order.updated", { n }, { aggregateId: `agg-${n % AGGREGATES}` }));
      }
      for (const { id } of await Promise.all(batch)) ids.push(id);
    }
    await restart;
    await eventually(async () => (await bus.getStats()).store?.queued === 0, {
      timeoutMs: 120_000,
      intervalMs: 100,
    });
  } finally {
    clearInterval(sampler);
  }
  const seconds = (performance.now() - started) / 1000;
  const stats = (await bus.getStats()).store;
  const stored = await withClient(server.url, (c) =>
    c.query<{ id: string }>("SELECT id FROM public.event_bus_events"),
  );
  const storedIds = new Set(stored.rows.map((r) => r.id));
  const lost = ids.filter((id) => !storedIds.has(id)).length;
  const duplicated = stored.rows.length - storedIds.size;

  const replayed: number[] = [];
  await bus.events.replay({ aggregateId: "agg-42" }, (event) => {
    replayed.push((event.data as { n: number }).n);
  });
  const expected = Array.from({ length: EVENTS / AGGREGATES }, (_, i) => i * AGGREGATES + 42);
  const inOrder = JSON.stringify(replayed) === JSON.stringify(expected);

  recordRow({
    scenario: "event store: 100,000 events through a PostgreSQL restart (immediate)",
    runs: 1,
    events: EVENTS,
    lost,
    duplicated,
    gaps: 0,
    maxMemoryMb: null,
    result: lost === 0 && duplicated === 0 && inOrder ? "pass" : "fail",
    notes: `${Math.round(EVENTS / seconds)} events/s published and written (batches of 1000); ${stats?.failedBatches} failed batches retried; deepest queue ${deepest} of ${stats?.maxQueued}; replay of 1 aggregate: ${replayed.length} events, in order: ${inOrder}`,
  });
  expect({ lost, duplicated, rows: stored.rows.length }).toEqual({ lost: 0, duplicated: 0, rows: EVENTS });
  expect(stats).toMatchObject({ written: EVENTS, rejected: 0, dropped: 0 });
  expect(replayed).toEqual(expected);
}, 240_000);
