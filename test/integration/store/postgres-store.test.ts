/**
 * The PostgreSQL event store against a real PostgreSQL (the local server, else a throwaway one):
 * the contract, its migration run by several services at once, archiving, a coded error when the
 * server is unreachable, and the writer through a restart of a throwaway server — nothing lost,
 * nothing duplicated.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { encodeEvent } from "../../../protocol/codec.js";
import { PostgresEventStore } from "../../../relay/store/postgres/postgres-store.js";
import { StoreWriter } from "../../../relay/store/store-writer.js";
import {
  type PostgresServer,
  startPostgres,
  type TestDatabase,
  testDatabase,
  withClient,
} from "../../harness/postgres.js";
import { freePort } from "../../harness/processes.js";
import { eventually } from "../../helpers/wait.js";
import { describeStoreContract, records } from "./store-contract.js";

let db: TestDatabase;
const stores: PostgresEventStore[] = [];
let tableCount = 0;

beforeAll(async () => {
  db = await testDatabase();
}, 60_000);
afterAll(async () => {
  await Promise.all(stores.map((s) => s.close()));
  await db?.release();
});

const newStore = (table = `events_${++tableCount}`) => {
  const store = new PostgresEventStore({ connectionString: db.url, schema: db.schema, table });
  stores.push(store);
  return store;
};

describeStoreContract("postgres", async () => ({
  store: async () => newStore(),
  teardown: async () => {},
}));

describe("PostgresEventStore", () => {
  it("migrates once when several services start together, and again is a no-op", async () => {
    const table = `events_${++tableCount}`;
    const together = Array.from({ length: 4 }, () => newStore(table));
    await Promise.all(together.map((s) => s.migrate()));
    await newStore(table).migrate();
    const versions = await withClient(db.url, (c) =>
      c.query(`SELECT version FROM "${db.schema}"."${table}_migrations"`),
    );
    expect(versions.rows).toEqual([{ version: 1 }]);
    const indexes = await withClient(db.url, (c) =>
      c.query("SELECT indexname FROM pg_indexes WHERE schemaname = $1 AND tablename = $2 ORDER BY 1", [
        db.schema,
        table,
      ]),
    );
    expect(indexes.rows.map((r) => r.indexname)).toEqual([
      `${table}_aggregate_seq`,
      `${table}_channel_seq`,
      `${table}_id`,
      `${table}_occurred_at`,
      `${table}_pkey`,
      `${table}_type_seq`,
    ]);
  });

  it("archives events older than a time into <table>_archive, or deletes them", async () => {
    const store = newStore();
    await store.append(records(Array.from({ length: 10 }, (_, second) => ({ type: "old.event", second }))));
    const cutoff = Date.parse("2026-03-01T10:00:04.000Z");
    expect(await store.archive({ before: cutoff, batchSize: 3 })).toBe(4);
    expect(await store.count()).toBe(6);
    const archived = await withClient(db.url, (c) =>
      c.query(`SELECT count(*)::int AS n FROM "${db.schema}"."${store.tables.events.split('"')[3]}_archive"`),
    );
    expect(archived.rows[0]).toEqual({ n: 4 });
    expect(await store.archive({ before: cutoff + 2000, mode: "delete" })).toBe(2);
    expect((await store.read({})).events.map((e) => (e.data as { n: number }).n)).toEqual([6, 7, 8, 9]);
  });

  it("rejects with STORE_UNAVAILABLE when PostgreSQL cannot be reached", async () => {
    const port = await freePort();
    const store = new PostgresEventStore({
      connectionString: `postgres://postgres@127.0.0.1:${port}/x`,
      connectTimeoutMs: 500,
    });
    stores.push(store);
    await expect(store.read({})).rejects.toMatchObject({ code: "STORE_UNAVAILABLE" });
    await expect(store.append(records([{ type: "a.b", second: 0 }]))).rejects.toMatchObject({
      code: "STORE_UNAVAILABLE",
    });
  });
});

describe("StoreWriter through a PostgreSQL restart", () => {
  let server: PostgresServer;
  beforeAll(async () => {
    server = await startPostgres();
  }, 60_000);
  afterAll(async () => {
    await server?.stop();
  });

  it("writes every acknowledged event exactly once while the server restarts", async () => {
    const store = new PostgresEventStore({ connectionString: server.url, connectTimeoutMs: 1000 });
    stores.push(store);
    await store.migrate();
    const writer = new StoreWriter(store, {
      maxQueued: 10_000,
      batchSize: 200,
      overflow: "reject",
      aggregateOf: (e) => e.metadata.aggregateId,
    });
    const total = 3000;
    const ids: string[] = [];
    const write = (n: number) => {
      const { envelope, json } = encodeEvent({
        type: "restart.test",
        data: { n },
        source: "t",
        aggregateId: `a${n % 7}`,
      });
      ids.push(envelope.id);
      writer.admit()?.commit(envelope, json, "restart.test");
    };
    for (let n = 0; n < total / 2; n++) write(n);
    const restarting = server.restart({ mode: "immediate", downMs: 300 });
    for (let n = total / 2; n < total; n++) write(n);
    await restarting;
    expect(await writer.flush(30_000)).toBe(0);
    const stats = writer.stats();
    expect(stats).toMatchObject({ queued: 0, written: total, rejected: 0, dropped: 0 });
    expect(await store.count()).toBe(total);
    const a3: number[] = [];
    let cursor: string | undefined;
    for (let page = 0; page < 10; page++) {
      const read = await store.read({ aggregateId: "a3", limit: 1000, ...(cursor && { cursor }) });
      a3.push(...read.events.map((e) => (e.data as { n: number }).n));
      if (read.cursor === null) break;
      cursor = read.cursor;
    }
    expect(a3).toEqual(Array.from({ length: total }, (_, n) => n).filter((n) => n % 7 === 3));
    await eventually(async () => writer.stats().state === "ok");
  });
});
