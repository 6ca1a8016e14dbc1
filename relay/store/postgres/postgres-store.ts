/**
 * The PostgreSQL event store (node-postgres): durable audit and long retention. It creates its
 * table and indexes on first use (versioned migrations under an advisory lock, so services starting
 * together do not race), writes batches in one INSERT … SELECT FROM unnest(…) ON CONFLICT (id)
 * DO NOTHING — a retried batch never duplicates an event — reads pages by type, channel,
 * aggregate and time in stored order, and archives old rows (postgres-sql.ts).
 *
 * A PostgreSQL outage surfaces as STORE_UNAVAILABLE; the pool reconnects by itself.
 */
import pg from "pg";
import { EventBusError } from "../../../protocol/errors.js";
import { normaliseQuery } from "../event-query.js";
import type { EventPage, EventQuery, EventRecord, StoredEvent, WritableEventStore } from "../event-store.js";
import { storedEvent } from "../memory-store.js";
import {
  archiveBatch,
  insertBatch,
  migrations,
  migrationTable,
  selectPage,
  type Tables,
  tablesFor,
} from "./postgres-sql.js";

export interface PostgresStoreOptions {
  /** `postgres://user:password@host:5432/database`; or give host, port, … below. */
  readonly connectionString?: string;
  readonly host?: string;
  readonly port?: number;
  readonly user?: string;
  readonly password?: string;
  readonly database?: string;
  /** TLS: true, or node TLS options. */
  readonly ssl?: boolean | Readonly<Record<string, unknown>>;
  /** Default `public`. */
  readonly schema?: string;
  /** Default `event_bus_events` (also `<table>_archive`, `<table>_migrations`). */
  readonly table?: string;
  /** Connections. Default 4. */
  readonly poolSize?: number;
  /** Create or upgrade the table on first use. Default true. */
  readonly migrate?: boolean;
  /** Connect timeout, ms. Default 5000. */
  readonly connectTimeoutMs?: number;
  /** Longest a query may take, ms. Default 30 000. */
  readonly queryTimeoutMs?: number;
}

export interface ArchiveOptions {
  /** Rows published before this (a Date or epoch ms) are archived. */
  readonly before: Date | number;
  /** `archive` moves rows to `<table>_archive` (default); `delete` drops them. */
  readonly mode?: "archive" | "delete";
  /** Rows per statement. Default 10 000. */
  readonly batchSize?: number;
}

const MIGRATION_LOCK = 0x6576_6275; // "evbu"

export class PostgresEventStore implements WritableEventStore {
  readonly kind = "postgres";
  readonly tables: Tables;
  private readonly pool: pg.Pool;
  private migrated: Promise<void> | undefined;
  private readonly autoMigrate: boolean;

  constructor(options: PostgresStoreOptions) {
    this.tables = tablesFor(options.schema ?? "public", options.table ?? "event_bus_events");
    this.autoMigrate = options.migrate ?? true;
    this.pool = new pg.Pool({
      ...(options.connectionString !== undefined && { connectionString: options.connectionString }),
      ...(options.host !== undefined && { host: options.host }),
      ...(options.port !== undefined && { port: options.port }),
      ...(options.user !== undefined && { user: options.user }),
      ...(options.password !== undefined && { password: options.password }),
      ...(options.database !== undefined && { database: options.database }),
      ...(options.ssl !== undefined && { ssl: options.ssl as boolean }),
      max: options.poolSize ?? 4,
      connectionTimeoutMillis: options.connectTimeoutMs ?? 5000,
      query_timeout: options.queryTimeoutMs ?? 30_000,
    });
    // An idle connection dropped by a server restart: the pool replaces it on next use.
    this.pool.on("error", () => {});
  }

  /** Creates or upgrades the table and indexes (idempotent; also run on first use). */
  migrate(): Promise<void> {
    this.migrated ??= this.runMigrations().catch((error: unknown) => {
      this.migrated = undefined;
      throw unavailable(error, "could not create or upgrade the event table");
    });
    return this.migrated;
  }

  async append(records: readonly EventRecord[]): Promise<void> {
    if (records.length === 0) return;
    await this.ready();
    const column = <K extends keyof EventRecord>(key: K) => records.map((r) => r[key] ?? null);
    await this.query(insertBatch(this.tables), [
      column("id"),
      column("type"),
      column("channel"),
      column("aggregateId"),
      column("source"),
      column("occurredAt"),
      column("json"),
    ]);
  }

  async read(query: EventQuery): Promise<EventPage> {
    const q = normaliseQuery(query);
    await this.ready();
    const { text, values } = selectPage(this.tables, q);
    const result = await this.query<{ cursor: string; channel: string; envelope: string }>(text, values);
    const events: StoredEvent[] = result.rows.map((row) =>
      storedEvent(row.envelope, row.channel, row.cursor),
    );
    return { events, cursor: events.length === q.limit ? (events.at(-1)?.cursor ?? null) : null };
  }

  /** Moves (or deletes) events published before `before`, in batches; resolves to how many. */
  async archive(options: ArchiveOptions): Promise<number> {
    await this.ready();
    const before = options.before instanceof Date ? options.before.getTime() : options.before;
    const batch = options.batchSize ?? 10_000;
    const text = archiveBatch(this.tables, options.mode ?? "archive");
    let total = 0;
    for (;;) {
      const { rowCount } = await this.query(text, [before / 1000, batch]);
      total += rowCount ?? 0;
      if ((rowCount ?? 0) < batch) return total;
    }
  }

  /** Rows in the table (for tests, the CLI and benchmarks). */
  async count(): Promise<number> {
    await this.ready();
    const { rows } = await this.query<{ n: string }>(
      `SELECT count(*)::text AS n FROM ${this.tables.events}`,
      [],
    );
    return Number(rows[0]?.n ?? 0);
  }

  /** A round trip to PostgreSQL, ms; rejects with STORE_UNAVAILABLE. */
  async ping(): Promise<number> {
    const started = performance.now();
    await this.query("SELECT 1", []);
    return performance.now() - started;
  }

  async close(): Promise<void> {
    await this.pool.end().catch(() => {});
  }

  private ready(): Promise<void> {
    return this.autoMigrate ? this.migrate() : Promise.resolve();
  }

  private async runMigrations(): Promise<void> {
    const client = await this.pool.connect();
    try {
      await client.query("BEGIN");
      await client.query("SELECT pg_advisory_xact_lock($1)", [MIGRATION_LOCK]);
      await client.query(migrationTable(this.tables));
      const { rows } = await client.query<{ v: number | null }>(
        `SELECT max(version) AS v FROM ${this.tables.migrations}`,
      );
      const applied = rows[0]?.v ?? 0;
      for (const [index, statements] of migrations(this.tables).entries()) {
        if (index + 1 <= applied) continue;
        for (const statement of statements) await client.query(statement);
        await client.query(`INSERT INTO ${this.tables.migrations} (version) VALUES ($1)`, [index + 1]);
      }
      await client.query("COMMIT");
    } catch (error) {
      await client.query("ROLLBACK").catch(() => {});
      throw error;
    } finally {
      client.release();
    }
  }

  private async query<R extends pg.QueryResultRow = pg.QueryResultRow>(
    text: string,
    values: unknown[],
  ): Promise<pg.QueryResult<R>> {
    try {
      return await this.pool.query<R>(text, values);
    } catch (error) {
      throw unavailable(error, "the query failed");
    }
  }
}

function unavailable(error: unknown, what: string): EventBusError {
  if (error instanceof EventBusError) return error;
  const reason = error instanceof Error ? error.message : String(error);
  return new EventBusError("STORE_UNAVAILABLE", `PostgreSQL: ${what} (${reason}).`, { cause: error });
}
